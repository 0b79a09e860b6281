import { buildFullExport, ExportSpec, GeneratedExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { cosmosServerCertificate, FaultProxy, startFaultProxy } from './support/fault-proxy';
import { logSize, readLog, successfulRuns, waitForLogLine } from './support/host-log';
import { BUCKET, directClients, expectContainerToHold, expectedDocuments, migrationBody } from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = {};
let cosmos: FaultProxy;
beforeAll(async () => {
  // Every write waits a little, so the load lasts long enough for three kills on any machine.
  cosmos = await startFaultProxy(stack.endpoints.cosmos, {
    tls: cosmosServerCertificate(),
    plan: (request) =>
      request.method === 'POST' && request.url.endsWith('/docs') ? { kind: 'delay', ms: 100 } : undefined,
  });
  hostEnv.COSMOS_ENDPOINT = cosmos.url;
});
afterAll(async () => cosmos?.stop());
const app = useAppHost(stack, hostEnv);
const WEBHOOK = '/runtime/webhooks/durabletask';

/** The migration and its lanes (named in the state it continued as new with, once it started them). */
async function migrationInstances(id: string): Promise<string[]> {
  const response = await fetch(`${app.url}${WEBHOOK}/instances/${encodeURIComponent(id)}?showInput=true`);
  const status = (await response.json()) as { input?: { resume?: { lanes?: string[] } } };
  return [id, ...(status.input?.resume?.lanes ?? [])];
}

/** `function instance` of every activity whose completion the host has persisted, for the instances given. */
async function persistedCompletions(instanceIds: string[]): Promise<Set<string>> {
  const done = new Set<string>();
  for (const id of instanceIds) {
    const response = await fetch(`${app.url}${WEBHOOK}/instances/${encodeURIComponent(id)}?showHistory=true`);
    if (response.status === 404) continue;
    const status = (await response.json()) as { historyEvents?: { EventType: string; FunctionName?: string }[] };
    for (const event of status.historyEvents ?? []) {
      if (event.EventType === 'TaskCompleted') done.add(`${event.FunctionName} ${id}`);
    }
  }
  return done;
}

describe('the host is killed with kill -9 three times while a 20,000-item export is migrated', () => {
  const spec: ExportSpec = { prefix: 'exports/killed', itemCount: 20_000, fileCount: 1, seed: 41 };
  let generated: GeneratedExport;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
  }, 120_000);

  test('it resumes each time from checkpoints, runs no completed activity again, and the report passes', async () => {
    const started = await postJson(
      `${app.url}/api/migrations`,
      migrationBody(generated, 'killed', { bulkConcurrency: 1 }),
    );
    expect(started.status).toBe(202);
    const id: string = started.body.id;
    const ended = async (): Promise<boolean> => {
      const status = (await (await fetch(started.body.statusQueryGetUri)).json()) as { runtimeStatus: string };
      return ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus);
    };

    const completedBeforeKills = new Set<string>();
    const checkpointsSeenAtKill: string[] = [];
    for (let kill = 1; kill <= 3; kill++) {
      // Kill while a load is between checkpoints: it has saved progress that the next host must pick up.
      const line = await waitForLogLine(
        app.logFile,
        /\[loadFile\] .*: checkpoint after line \d+/,
        logSize(app.logFile),
        120_000,
        ended,
      );
      checkpointsSeenAtKill.push(line);
      for (const key of await persistedCompletions(await migrationInstances(id))) completedBeforeKills.add(key);
      await app.restart(true);
    }

    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 2, loaded: 2, failed: 0 }));
    expect(report.items).toEqual({ expected: 20_000, read: 20_000, written: 20_000, deleted: 0, deadLettered: 0 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true, mismatched: 0 }));

    const log = readLog(app.logFile);
    expect(log.match(/Resuming \d+ unfinished orchestration instance/g)?.length).toBe(3);
    // Each kill interrupted a load that had saved a checkpoint; the next host continued it from there.
    expect(
      log.match(/\[loadFile\] .*resuming from checkpoint after line [1-9]\d*/g)?.length ?? 0,
    ).toBeGreaterThanOrEqual(3);

    const runs = successfulRuns(log);
    const instances = await migrationInstances(id);
    expect(instances).toHaveLength(1 + generated.files.length);
    const activities = [
      'readManifest',
      'prepareTarget',
      'startLanes',
      'copyFile',
      'loadFile',
      'validateMigration',
      'writeReport',
    ];
    // readLanes is the migration's poll of its lanes: it runs again by design.
    const rerun = [...completedBeforeKills].filter(
      (key) => !key.startsWith('readLanes ') && (runs.get(key) ?? 0) !== 1,
    );
    expect(completedBeforeKills.size).toBeGreaterThanOrEqual(2 + generated.files.length);
    expect(rerun).toEqual([]);
    const neverRan = activities
      .flatMap((name) =>
        name === 'copyFile' || name === 'loadFile' ? instances.slice(1).map((i) => `${name} ${i}`) : [`${name} ${id}`],
      )
      .filter((key) => !runs.has(key));
    expect(neverRan).toEqual([]);
    console.log(
      `kills at: ${checkpointsSeenAtKill.map((l) => l.replace(/^.*\] /, '')).join(' | ')}; completed before a kill: ${completedBeforeKills.size}`,
    );

    await expectContainerToHold(stack, 'killed', expectedDocuments(spec));
  });
});

describe('a load that runs out of LOAD_TIME_BUDGET_SECONDS', () => {
  const spec: ExportSpec = { prefix: 'exports/budget', itemCount: 6_000, fileCount: 1, seed: 42 };
  let generated: GeneratedExport;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
    hostEnv.LOAD_TIME_BUDGET_SECONDS = '2';
    await app.restart(false);
  }, 120_000);

  test('stops at a checkpoint and is called again until the file is done; every item counted once', async () => {
    const logStart = logSize(app.logFile);
    const started = await postJson(
      `${app.url}/api/migrations`,
      migrationBody(generated, 'budget', { bulkConcurrency: 1 }),
    );
    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.items).toEqual({ expected: 6_000, read: 6_000, written: 6_000, deleted: 0, deadLettered: 0 });
    expect(status.output.validation.passed).toBe(true);

    const log = readLog(app.logFile, logStart);
    const stops = log.match(/\[loadFile\] .*time budget of 2 s used, stopped after line \d+/g) ?? [];
    const resumes = log.match(/\[loadFile\] .*resuming from checkpoint after line [1-9]\d*/g) ?? [];
    expect(stops.length).toBeGreaterThanOrEqual(2);
    expect(resumes.length).toBe(stops.length);
    const [, lane] = await migrationInstances(started.body.id);
    expect(successfulRuns(log).get(`loadFile ${lane}`)).toBe(stops.length + 1);
    await expectContainerToHold(stack, 'budget', expectedDocuments(spec));
  });
});
