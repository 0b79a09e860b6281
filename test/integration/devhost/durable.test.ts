import { promises as fs } from 'fs';
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

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

describe('devhost durable orchestrations', () => {
  let host: HostProcess;
  let stateDir: string;

  /** Starts through an app function that calls client.startNew + createCheckStatusResponse. */
  async function start(orchestrator: string, input?: unknown, instanceId?: string): Promise<CheckStatus> {
    const response = await fetch(`${host.url}/api/orchestrators/${orchestrator}${instanceId ? `/${instanceId}` : ''}`, {
      method: 'POST',
      body: input === undefined ? undefined : JSON.stringify(input),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as CheckStatus;
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(response.headers.get('retry-after')).toBe('10');
    return body;
  }

  const history = async (links: CheckStatus): Promise<Record<string, unknown>[]> =>
    (await getJson<Status>(`${links.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`)).body.historyEvents ??
    [];
  const count = (events: Record<string, unknown>[], type: string) => events.filter((e) => e.EventType === type).length;

  beforeAll(async () => {
    stateDir = await tempDir('devhost-durable-');
    host = await startHostProcess({
      stateDir,
      // Tiny storage timer limits make every timer above 2 s go through the segment-splitting path.
      args: ['--max-short-timer', '0.00:00:02', '--long-timer-interval', '0.00:00:01'],
      env: { 'AzureWebJobs.tick.Disabled': 'true' },
    });
  });

  afterAll(async () => {
    await host?.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('fans out and in over activities; statusQueryGetUri answers 202 then 200 with the documented payload', async () => {
    const links = await start('FanOutFanIn', ['Tokyo', 'Seattle', 'Cairo']);
    expect(links.statusQueryGetUri).toBe(
      `${host.url}${WEBHOOK}/instances/${links.id}?taskHub=DevhostFixture&connection=Storage`,
    );
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status).toEqual({
      name: 'FanOutFanIn',
      instanceId: links.id,
      runtimeStatus: 'Completed',
      input: ['Tokyo', 'Seattle', 'Cairo'],
      customStatus: null,
      output: ['Hello Tokyo', 'Hello Seattle', 'Hello Cairo', 'Hello London'],
      createdTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      lastUpdatedTime: expect.stringMatching(/Z$/) as unknown,
    });
    const events = await history(links);
    expect(events.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(events[1]).toMatchObject({ FunctionName: 'Hello', ScheduledTime: expect.any(String) as unknown });
    expect(events.every((e) => !('EventId' in e) && !('IsPlayed' in e))).toBe(true);
  });

  it('retries an activity until its third attempt succeeds', async () => {
    const links = await start('RetryOrchestrator', { key: 'third-time-lucky', maxAttempts: 5 });
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status.output).toEqual({ key: 'third-time-lucky', attempt: 3 });
    const events = await history(links);
    expect(count(events, 'TaskFailed')).toBe(2);
    expect(count(events, 'TimerFired')).toBe(2);
    expect(count(events, 'TaskCompleted')).toBe(1);
  });

  it("gives up after the last attempt (after DTFx's final retry timer) and lets the orchestrator catch it", async () => {
    const links = await start('RetryOrchestrator', { key: 'two-attempts-only', maxAttempts: 2 });
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status.output).toMatchObject({ gaveUp: true });
    expect((status.output as { message: string }).message).toMatch(
      /^Activity function 'Flaky' failed: flaky failure 2 \n /,
    );
    const events = await history(links);
    expect(count(events, 'TaskFailed')).toBe(2);
    expect(count(events, 'TimerCreated') + count(events, 'TimerFired')).toBe(4);
  });

  it('fails the instance when an activity failure is unhandled, with the extension output message', async () => {
    const links = await start('FailingOrchestrator');
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toMatch(
      /^Orchestrator function 'FailingOrchestrator' failed: Activity function 'Explode' failed: database unavailable/,
    );
    expect((await fetch(links.statusQueryGetUri)).status).toBe(200);
    expect((await fetch(`${links.statusQueryGetUri}&returnInternalServerErrorOnFailure=true`)).status).toBe(500);
  });

  it('runs sub-orchestrations with deterministic and explicit ids, and propagates child failures', async () => {
    const links = await start('ParentOrchestrator', 3);
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { explicit: unknown; results: unknown[]; childFailure: string };
    expect(output.explicit).toEqual({ n: 99, greeting: 'Hello child 99', parent: links.id });
    expect(output.results).toEqual([0, 1, 2].map((n) => ({ n, greeting: `Hello child ${n}`, parent: links.id })));
    expect(output.childFailure).toMatch(
      /^Orchestrator function 'FailingOrchestrator' failed: Activity function 'Explode'/,
    );
    const children = await getJson<Status[]>(`${host.url}${WEBHOOK}/instances/?instanceIdPrefix=${links.id}`);
    expect(children.body.map((s) => s.instanceId).sort()).toEqual(
      [links.id, `${links.id}-explicit`, `${links.id}:1`, `${links.id}:2`, `${links.id}:3`, `${links.id}:4`].sort(),
    );
  });

  it('fires durable timers, splitting long ones into segments', async () => {
    const links = await start('TimerOrchestrator', 2500);
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect((status.output as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(2500);
    const events = await history(links);
    expect(count(events, 'TimerCreated') + count(events, 'TimerFired')).toBe(4);
  });

  it('waits for external events (management API and client.raiseEvent) and shows customStatus', async () => {
    const links = await start('ApprovalOrchestrator');
    await waitFor('customStatus waiting', async () => {
      const { status, body } = await getJson<Status>(links.statusQueryGetUri);
      return status === 202 && (body.customStatus as { stage?: string })?.stage === 'waiting' ? true : undefined;
    });
    const raise = await fetch(links.sendEventPostUri.replace('{eventName}', 'Approval'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'ann' }),
    });
    expect(raise.status).toBe(202);
    await waitFor('customStatus approved', async () => {
      const { body } = await getJson<Status>(links.statusQueryGetUri);
      return (body.customStatus as { stage?: string })?.stage === 'approved' ? true : undefined;
    });
    const viaClient = await fetch(`${host.url}/api/client/raise/${links.id}?event=Second`, {
      method: 'POST',
      body: JSON.stringify('via client'),
    });
    expect(viaClient.status).toBe(202);
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status.output).toEqual({ approval: { by: 'ann' }, second: 'via client' });
    expect(status.customStatus).toEqual({ stage: 'approved', by: 'ann' });
    // The canceled 60 s timeout did not hold the instance back.
    expect(Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime)).toBeLessThan(30_000);
  });

  it('continues as new with a fresh input until done', async () => {
    const links = await start('Counter', 0);
    const status = await waitForCompletion(links.statusQueryGetUri);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', input: 3, output: 'finished at 3' });
  });

  it('serves the durable client from app code: getStatus, createHttpManagementPayload, waitForCompletion', async () => {
    const links = await start('FanOutFanIn', ['Lima']);
    const waited = await getJson(`${host.url}/api/client/wait/${links.id}`);
    expect(waited).toMatchObject({ status: 200, body: ['Hello Lima', 'Hello London'] });
    const viaClient = await getJson<Status>(`${host.url}/api/client/status/${links.id}`);
    expect(viaClient.body).toMatchObject({ instanceId: links.id, runtimeStatus: 'Completed', name: 'FanOutFanIn' });
    const payload = await getJson<CheckStatus>(`${host.url}/api/client/payload/${links.id}`);
    expect(payload.body.statusQueryGetUri).toBe(links.statusQueryGetUri);
    const completed = await getJson<Status[]>(`${host.url}/api/client/list/x?status=Completed`);
    expect(completed.body.map((s) => s.instanceId)).toContain(links.id);
  });

  it('terminates, suspends/resumes, rejects duplicates and purges through the management API', async () => {
    const links = await start('WaitForever', undefined, 'mgmt-wait-1');
    expect(links.id).toBe('mgmt-wait-1');
    await waitFor('running', async () =>
      (await getJson<Status>(links.statusQueryGetUri)).body.runtimeStatus === 'Running' ? true : undefined,
    );
    const running = await fetch(links.statusQueryGetUri);
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toBe(links.statusQueryGetUri);
    expect(running.headers.get('retry-after')).toBe('5');

    const duplicate = await fetch(`${host.url}${WEBHOOK}/orchestrators/WaitForever/mgmt-wait-1`, { method: 'POST' });
    expect(duplicate.status).toBe(409);
    expect((await fetch(`${host.url}${WEBHOOK}/orchestrators/NoSuchOrchestrator`, { method: 'POST' })).status).toBe(
      400,
    );

    expect((await fetch(links.suspendPostUri.replace('{text}', 'pause'), { method: 'POST' })).status).toBe(202);
    await waitFor('suspended', async () =>
      (await getJson<Status>(links.statusQueryGetUri)).body.runtimeStatus === 'Suspended' ? true : undefined,
    );
    expect((await fetch(links.resumePostUri.replace('{text}', 'go'), { method: 'POST' })).status).toBe(202);
    await waitFor('resumed', async () =>
      (await getJson<Status>(links.statusQueryGetUri)).body.runtimeStatus === 'Running' ? true : undefined,
    );

    expect((await fetch(links.terminatePostUri.replace('{text}', 'no longer needed'), { method: 'POST' })).status).toBe(
      202,
    );
    const terminated = await waitForCompletion(links.statusQueryGetUri);
    expect(terminated).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed', customStatus: 'idle' });
    expect((await fetch(links.terminatePostUri.replace('{text}', 'again'), { method: 'POST' })).status).toBe(410);

    const purged = await getJson(links.purgeHistoryDeleteUri, { method: 'DELETE' });
    expect(purged).toMatchObject({ status: 200, body: { instancesDeleted: 1 } });
    expect((await fetch(links.statusQueryGetUri)).status).toBe(404);
    expect((await fetch(links.purgeHistoryDeleteUri, { method: 'DELETE' })).status).toBe(404);
  });

  it('restarts a finished instance with its input, under a new id or the same one', async () => {
    const first = await start('Counter', 2, 'restart-me');
    await waitForCompletion(first.statusQueryGetUri);
    const restartUri = `${host.url}${WEBHOOK}/instances/restart-me/restart`;
    const renewed = await getJson<CheckStatus>(restartUri, { method: 'POST' });
    expect(renewed.status).toBe(202);
    expect(renewed.body.id).not.toBe('restart-me');
    expect((await waitForCompletion(renewed.body.statusQueryGetUri)).output).toBe('finished at 3');
    const same = await getJson<CheckStatus>(`${restartUri}?restartWithNewInstanceId=false`, { method: 'POST' });
    expect(same.body.id).toBe('restart-me');
    expect(await waitForCompletion(same.body.statusQueryGetUri)).toMatchObject({ input: 3, output: 'finished at 3' });
    expect((await fetch(`${host.url}${WEBHOOK}/instances/unknown-id/restart`, { method: 'POST' })).status).toBe(400);
  });

  it('terminates and purges through the durable client too', async () => {
    const links = await start('WaitForever');
    expect((await fetch(`${host.url}/api/client/terminate/${links.id}?reason=client`, { method: 'POST' })).status).toBe(
      202,
    );
    await waitForCompletion(links.statusQueryGetUri);
    expect((await getJson(`${host.url}/api/client/purge/${links.id}`, { method: 'DELETE' })).body).toEqual({
      instancesDeleted: 1,
    });
  });

  it('lists instances with filters and continuation tokens, and purges by filter', async () => {
    const ids = ['list-a', 'list-b', 'list-c'];
    for (const id of ids) {
      await waitForCompletion((await start('Counter', 3, id)).statusQueryGetUri);
    }
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await getJson<Status[]>(
        `${host.url}${WEBHOOK}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed&top=2`,
        {
          headers: token ? { 'x-ms-continuation-token': token } : {},
        },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.map((s) => s.instanceId));
      token = page.headers.get('x-ms-continuation-token') ?? '';
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(ids);
    const none = await getJson<Status[]>(
      `${host.url}${WEBHOOK}/instances/?instanceIdPrefix=list-&runtimeStatus=Running`,
    );
    expect(none.body).toEqual([]);

    const from = new Date(Date.now() - 3_600_000).toISOString();
    expect((await fetch(`${host.url}${WEBHOOK}/instances/`, { method: 'DELETE' })).status).toBe(400);
    const purged = await getJson<{ instancesDeleted: number }>(
      `${host.url}${WEBHOOK}/instances/?createdTimeFrom=${from}&runtimeStatus=Completed`,
      {
        method: 'DELETE',
      },
    );
    expect(purged.status).toBe(200);
    expect(purged.body.instancesDeleted).toBeGreaterThanOrEqual(3);
    expect((await getJson<Status[]>(`${host.url}${WEBHOOK}/instances/?instanceIdPrefix=list-`)).body).toEqual([]);
  });

  it('answers 404 for unknown instances and 400 for events that are not JSON', async () => {
    expect((await fetch(`${host.url}${WEBHOOK}/instances/does-not-exist`)).status).toBe(404);
    const links = await start('WaitForever');
    const notJson = await fetch(links.sendEventPostUri.replace('{eventName}', 'Never'), { method: 'POST', body: 'x' });
    expect(notJson.status).toBe(400);
    await fetch(links.terminatePostUri.replace('{text}', 'cleanup'), { method: 'POST' });
  });
});
