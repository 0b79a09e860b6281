import { promises as fs } from 'fs';
import * as path from 'path';
import {
  getJson,
  HostProcess,
  startHostProcess,
  Status,
  tempDir,
  waitFor,
  waitForCompletion,
  WEBHOOK,
} from './hostProcess';

/**
 * Durability: the host is SIGKILLed twice while the `Resumable` orchestration runs (once mid-activities,
 * once while its durable timer is pending) and restarted on the same state directory each time. Every
 * `Step` activity writes one marker file per execution, which tells how often it ran.
 */
describe('devhost kill -9 and resume', () => {
  let stateDir: string;
  let markerDir: string;
  let host: HostProcess | undefined;

  const steps = (run: string) => [
    ...[0, 1, 2, 3].map((i) => `${run}-seq-${i}`),
    ...[0, 1, 2].map((i) => `${run}-par-${i}`),
    `${run}-child`,
  ];
  const expectedOutput = (run: string) => steps(run).map((s) => `${s}-done`);

  async function launch(): Promise<HostProcess> {
    host = await startHostProcess({
      stateDir,
      env: { FIXTURE_MARKER_DIR: markerDir, 'AzureWebJobs.tick.Disabled': 'true' },
    });
    return host;
  }

  /** Step → pids of the host processes that executed it (one entry per execution). */
  async function markers(): Promise<Map<string, number[]>> {
    const runs = new Map<string, number[]>();
    for (const name of await fs.readdir(markerDir)) {
      const [step, pid] = name.split('~');
      runs.set(step, [...(runs.get(step) ?? []), Number(pid)]);
    }
    return runs;
  }

  /** Steps whose TaskCompleted the host has already persisted (the status API only shows persisted state). */
  async function persistedCompletions(url: string, id: string): Promise<Set<string>> {
    const { body } = await getJson<Status>(`${url}${WEBHOOK}/instances/${id}?showHistory=true&showHistoryOutput=true`);
    const done = (body.historyEvents ?? [])
      .filter((e) => e.EventType === 'TaskCompleted')
      .map((e) => String(e.Result).replace(/-done$/, ''));
    return new Set(done);
  }

  beforeAll(async () => {
    stateDir = await tempDir('devhost-resume-state-');
    markerDir = await tempDir('devhost-resume-markers-');
  });

  afterAll(async () => {
    await host?.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
    await fs.rm(markerDir, { recursive: true, force: true });
  });

  it('resumes after SIGKILL without re-running persisted activities and ends like an uninterrupted run', async () => {
    const run = 'killed';
    let current = await launch();
    const started = await fetch(`${current.url}${WEBHOOK}/orchestrators/Resumable/resume-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(run),
    });
    expect(started.status).toBe(202);

    // Kill 1: while the second sequential step runs.
    await waitFor(
      'second step to start',
      async () => ((await markers()).has(`${run}-seq-1`) ? true : undefined),
      15_000,
      20,
    );
    const persistedBeforeKill1 = await persistedCompletions(current.url, 'resume-1');
    await current.kill9();
    expect(persistedBeforeKill1.has(`${run}-seq-0`)).toBe(true);
    const pids = [current.child.pid as number];

    // Kill 2: while the durable timer is pending (scheduled, not fired).
    current = await launch();
    pids.push(current.child.pid as number);
    await waitFor(
      'the durable timer to be pending',
      async () => {
        const { body } = await getJson<Status>(`${current.url}${WEBHOOK}/instances/resume-1?showHistory=true`);
        const types = (body.historyEvents ?? []).map((e) => e.EventType);
        return types.includes('TimerCreated') && !types.includes('TimerFired') ? true : undefined;
      },
      20_000,
      20,
    );
    const persistedBeforeKill2 = await persistedCompletions(current.url, 'resume-1');
    await current.kill9();

    current = await launch();
    pids.push(current.child.pid as number);
    expect(current.output()).toContain('Resuming 1 unfinished orchestration instance(s).');
    const status = await waitForCompletion(`${current.url}${WEBHOOK}/instances/resume-1`, 30_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(expectedOutput(run));

    const runs = await markers();
    for (const step of steps(run)) {
      expect(runs.get(step)?.length ?? 0).toBeGreaterThanOrEqual(1);
    }
    // Never again once the completion was persisted: no execution by a process started after that kill.
    for (const step of persistedBeforeKill1) {
      expect([step, runs.get(step)]).toEqual([step, [pids[0]]]);
    }
    for (const step of persistedBeforeKill2) {
      expect([step, runs.get(step)?.filter((pid) => pid === pids[2])]).toEqual([step, []]);
    }
    expect(persistedBeforeKill2.size).toBe(7);
    // At-least-once: the step that was running when the first process died ran again in the second.
    expect(runs.get(`${run}-seq-1`)?.sort()).toEqual([pids[0], pids[1]].sort());

    // The same orchestration without interruption gives the same result (and runs each step once).
    const control = await fetch(`${current.url}${WEBHOOK}/orchestrators/Resumable/control-1`, {
      method: 'POST',
      body: JSON.stringify('control'),
      headers: { 'content-type': 'application/json' },
    });
    expect(control.status).toBe(202);
    const controlStatus = await waitForCompletion(`${current.url}${WEBHOOK}/instances/control-1`, 30_000);
    expect(controlStatus.output).toEqual(expectedOutput('control'));
    expect((status.output as string[]).map((s) => s.replace(run, 'X'))).toEqual(
      (controlStatus.output as string[]).map((s) => s.replace('control', 'X')),
    );
    const controlRuns = await markers();
    expect(steps('control').map((s) => controlRuns.get(s))).toEqual(steps('control').map(() => [pids[2]]));
  });

  it('keeps state per instance on disk and leaves every level open without a key (local mode)', async () => {
    const files = await fs.readdir(path.join(stateDir, 'instances'));
    expect(files.filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(4);
    const current = host as HostProcess;
    expect((await fetch(`${current.url}/api/secure`)).status).toBe(200);
  });
});
