import { promises as fs } from 'fs';
import { getJson, HostProcess, startHostProcess, tempDir, waitFor } from './hostProcess';

interface TickStats {
  fired: number;
  running: number;
  maxRunning: number;
  last: {
    isPastDue: boolean;
    schedule: { adjustForDST: boolean };
    scheduleStatus: { last: string; next: string; lastUpdated: string };
  } | null;
}

describe('devhost timer triggers', () => {
  let host: HostProcess;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await tempDir('devhost-timer-');
    host = await startHostProcess({ stateDir });
  });

  afterAll(async () => {
    await host?.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('fires a */1 NCRONTAB schedule, never overlapping a still-running occurrence', async () => {
    // The handler runs 1.5 s on a 1 s schedule: every other occurrence must be skipped.
    const stats = await waitFor(
      'two timer runs',
      async () => {
        const { body } = await getJson<TickStats>(`${host.url}/api/tick/stats`);
        return body.fired >= 2 ? body : undefined;
      },
      15_000,
    );
    expect(stats.maxRunning).toBe(1);
    expect(stats.last).toMatchObject({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: expect.any(String) as unknown, next: expect.any(String) as unknown },
    });
    expect(host.output()).toContain("Timer 'tick' skipped an occurrence: the previous run is still executing.");
    expect(host.output()).toMatch(/Executed 'tick' \d+ms ok/);
  });

  it('can be run on demand through the admin endpoint (open without a key)', async () => {
    const before = (await getJson<TickStats>(`${host.url}/api/tick/stats`)).body.fired;
    await waitFor('idle timer', async () =>
      (await getJson<TickStats>(`${host.url}/api/tick/stats`)).body.running === 0 ? true : undefined,
    );
    const response = await fetch(`${host.url}/admin/functions/tick`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect((await getJson<TickStats>(`${host.url}/api/tick/stats`)).body.fired).toBeGreaterThan(before);
    expect((await fetch(`${host.url}/admin/functions/nope`, { method: 'POST' })).status).toBe(404);
  });
});
