/**
 * Terminate, then start the same migration again (issue 13, item 4). Durable terminates only the instance it is
 * asked to: the terminated run's child orchestrations go on loading. A new start is refused (409) while they run,
 * naming them; POST /api/migrations/{id}/terminate (what `ddb2cosmos stop` calls) stops them; the run started
 * after that completes with its counts reconciled, and nothing the old run wrote counts in it: each run keeps its
 * checkpoints, dead letters and samples in its own folder of the lake.
 */
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { readCheckpoint } from '../../../src/load/checkpoint';
import {
  checkpointPath,
  deadLetterPath,
  listedRunFolder,
  migrationFolder,
  reportRunFolder,
  RunFolder,
  RUNS_FOLDER,
} from '../../../src/lake/paths';
import { childInstancePrefix } from '../../../src/migration/instance-id';
import { stopMigration, TerminateAnswer } from '../../../src/cli/stop';
import { exportOfLines, uploadWithout } from '../../faults/support/exports';
import { eventually, postJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true, applyEnv: true });
// Loads stop at a checkpoint every few seconds, so an activity of the terminated run that was loading when its
// orchestrations were stopped ends soon instead of running on for the default 540 s.
const app = useAppHost(stack, { LOAD_TIME_BUDGET_SECONDS: '6' });
const BUCKET = 'restart-exports';
const DATABASE = 'itest';
const CONTAINER = 'restarted';
const FILES = 4;
const ITEMS_PER_FILE = 1200;
/** One line in files 0 and 2 that is not JSON: each run dead-letters exactly these two, in its own folder. */
const BAD_LINE_AT = 101;

function clients() {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return {
    s3: createS3Client(settings),
    lake: createLakeContainerClient(settings),
    cosmos: createCosmosClient(settings),
  };
}

function fileLines(file: number): string[] {
  const lines = Array.from({ length: ITEMS_PER_FILE }, (_, n) =>
    JSON.stringify({
      Item: { pk: { S: `f${file}-${n}` }, sk: { N: String(n) }, note: { S: `file ${file} line ${n + 1}` } },
    }),
  );
  if (file % 2 === 0) lines.splice(BAD_LINE_AT - 1, 0, `not json in file ${file}`);
  return lines;
}

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe('terminate a running migration, then start it again', () => {
  const generated = exportOfLines(
    'exports/restart',
    Array.from({ length: FILES }, (_, f) => fileLines(f)),
  );
  const body = {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: DATABASE, container: CONTAINER },
    // A low cap keeps the loads going long enough for the terminate to land while files load.
    options: { sampleSize: 200, maxParallelFiles: FILES, maxRequestUnitsPerSecond: 400 },
  };
  const folder = migrationFolder(BUCKET, generated.exportPrefix, DATABASE, CONTAINER);

  beforeAll(async () => {
    await uploadWithout(clients().s3, BUCKET, generated);
  }, 120_000);

  test("409 names the old run's children, the terminate endpoint stops them, the next run completes alone", async () => {
    const first = await postJson(`${app.url}/api/migrations`, body);
    expect(first.status).toBe(202);
    const id: string = first.body.id;

    // Terminate the way Durable offers it: the parent only, once its files are loading.
    await eventually(
      async () => {
        const status = await getJson(first.body.statusQueryGetUri);
        return status.customStatus?.phase === 'loading' && (status.customStatus?.items?.written ?? 0) > 0
          ? status
          : undefined;
      },
      180_000,
      'the first run loading',
    );
    const terminated = await fetch(first.body.terminatePostUri.replace('{text}', 'operator'), { method: 'POST' });
    expect(terminated.status).toBe(202);
    const ended = await waitForCompletion(first.body.statusQueryGetUri, 60_000);
    expect(ended.runtimeStatus).toBe('Terminated');

    // Its children run on, and a new start is refused while they do, naming them and how to stop them.
    const refused = await postJson(`${app.url}/api/migrations`, body);
    expect(refused.status).toBe(409);
    expect(refused.body.instanceId).toBe(id);
    expect(refused.body.runningChildren.length).toBeGreaterThan(0);
    for (const child of refused.body.runningChildren) {
      expect(child.instanceId.startsWith(childInstancePrefix(id))).toBe(true);
      expect(['Running', 'Pending']).toContain(child.runtimeStatus);
    }
    expect(refused.body.error).toContain(`POST /api/migrations/${id}/terminate`);
    expect(refused.body.stop).toEqual({
      method: 'POST',
      url: `/api/migrations/${id}/terminate`,
      cli: `ddb2cosmos stop ${id}`,
    });

    // Stopped the way the CLI does: asked until nothing of the migration runs.
    const answers: TerminateAnswer[] = [];
    const stopStarted = Date.now();
    const stopped = await stopMigration({ baseUrl: app.url }, id, {
      intervalMs: 500,
      timeoutMs: 60_000,
      onAnswer: (answer) => answers.push(answer),
    });
    expect(stopped).toEqual(expect.arrayContaining(refused.body.runningChildren.map((c: any) => c.instanceId)));
    expect(stopped).not.toContain(id);
    const stopMs = Date.now() - stopStarted;
    expect(answers[answers.length - 1]).toMatchObject({ stopping: [], runtimeStatus: 'Terminated' });
    // The Durable HTTP API, listing by id prefix as the app does: every child of the old run has ended.
    const list = new URL(first.body.statusQueryGetUri);
    list.pathname = list.pathname.replace(/instances\/[^/]+$/, 'instances/');
    list.searchParams.set('instanceIdPrefix', childInstancePrefix(id));
    const oldRun: any[] = await eventually(
      async () => {
        const page = (await getJson(list.href)) as any[];
        return page.length > 0 && page.every((c) => ['Terminated', 'Completed', 'Failed'].includes(c.runtimeStatus))
          ? page
          : undefined;
      },
      30_000,
      "the old run's children ended",
    );
    expect(oldRun.some((child: any) => child.runtimeStatus === 'Terminated')).toBe(true);

    // Unknown ids and ids that are not paths are answered as such.
    expect((await postJson(`${app.url}/api/migrations/migrate-${'0'.repeat(32)}/terminate`, {})).status).toBe(404);
    expect((await postJson(`${app.url}/api/migrations/..%2F..%2Fhealth/terminate`, {})).status).toBeGreaterThanOrEqual(
      400,
    );

    const again = await postJson(`${app.url}/api/migrations`, body);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(id);
    const done = await waitForCompletion(again.body.statusQueryGetUri, 600_000);
    expect(done.runtimeStatus).toBe('Completed');
    const report = done.output;
    const lines = FILES * ITEMS_PER_FILE + FILES / 2;
    expect(report.items).toMatchObject({ expected: lines, read: lines, deleted: 0, deadLettered: FILES / 2 });
    expect(report.items.written + report.items.deleted + report.items.deadLettered).toBe(report.items.expected);
    expect(report.files).toMatchObject({ total: FILES, loaded: FILES, failed: 0 });
    expect(report.validation).toMatchObject({ passed: true, countsReconciled: true, mismatched: 0 });
    expect(report.validation.sampled).toBeGreaterThan(0);

    // Two runs, two folders: the new run's dead letters are its own two lines, not doubled by the old run's.
    const { lake } = clients();
    const runs: RunFolder[] = [];
    for await (const item of lake.listBlobsByHierarchy('/', { prefix: `${folder}/${RUNS_FOLDER}/` })) {
      const run = item.kind === 'prefix' ? listedRunFolder(folder, item.name) : undefined;
      if (run) runs.push(run);
    }
    const newRun = reportRunFolder(report);
    expect(runs).toHaveLength(2);
    expect(runs).toContain(newRun);
    const oldFolder = runs.find((run) => run !== newRun)!;
    expect(report.lake.deadLetters).toBe(`${newRun}/deadletter/`);
    for (const file of [0, 2]) {
      const letters = (await lake.getBlockBlobClient(deadLetterPath(newRun, file)).downloadToBuffer())
        .toString()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(letters.map((letter) => letter.line)).toEqual([BAD_LINE_AT]);
    }
    // What the old run's loads wrote stayed in its folder, under its own run id.
    const oldCheckpoints: string[] = [];
    for (let file = 0; file < FILES; file++) {
      const checkpoint = await readCheckpoint(lake, checkpointPath(oldFolder, file));
      if (checkpoint) oldCheckpoints.push(checkpoint.runId);
    }
    expect(oldCheckpoints.length).toBeGreaterThan(0);
    for (const runId of oldCheckpoints) expect(runId).not.toBe(`${id}@${report.startedAt}`);

    // The container holds each item once: the old run's writes were the same documents, not extra ones.
    const { resources } = await clients()
      .cosmos.database(DATABASE)
      .container(CONTAINER)
      .items.query('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    expect(resources[0]).toBe(FILES * ITEMS_PER_FILE);
    process.stdout.write(
      `restart after terminate: 409 named ${refused.body.runningChildren.length} running children; stop asked ` +
        `${answers.length} times over ${stopMs} ms and stopped ${stopped.length} instances; the next run took ` +
        `${report.durationMs} ms: ${report.items.written} written + ${report.items.deadLettered} dead-lettered = ` +
        `${report.items.expected} lines, ${report.validation.sampled} sampled\n`,
    );
  }, 900_000);
});
