/**
 * migrateExport replayed by the real durable-functions handler (test/support/replay.ts), with its lanes replayed too
 * (test/support/lane-sim.ts): what it schedules with which input, the lanes it starts, how it watches them (timers,
 * readLanes, continue-as-new), the report it builds, the custom status it publishes, and how failed files, failed
 * lanes and a bad manifest end.
 */
import type { LaneInput, StartLanesInput } from '../../../orchestrators/lane-contracts';
import { planLanes } from '../../../orchestrators/lanes';
import { migrateExport } from '../../../orchestrators/migrate-export';
import { FIRST_POLL_MS, LAST_POLL_MS, pollDelayMs } from '../../../orchestrators/poll-lanes';
import type { CustomStatus } from '../../../orchestrators/progress';
import type {
  CopyFileInput,
  LoadFileInput,
  MigrationReport,
  ReportInput,
  ValidateInput,
} from '../../../src/migration/contracts';
import { childInstanceId } from '../../../src/migration/instance-id';
import type { MigrationRequest } from '../../../src/migration/request';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import { LaneSimOptions, LaneSimulation, simulateMigration } from '../../support/lane-sim';
import {
  ActivityFn,
  callsOf,
  parsedOutput,
  scheduledNames,
  simulate,
  SimulationResult,
  statusesOf,
} from '../../support/replay';
import {
  copied,
  happyActivities,
  loaded,
  manifest,
  manifestFiles,
  passedValidation,
  preparedRuCap,
  request,
  stats,
} from './fixtures';

const ID = 'mig-1';
const STARTED_AT = '2024-01-01T00:00:00.001Z';
const laneId = (n: number) => childInstanceId(ID, new Date(STARTED_AT), `lane-${n}`);

function run(input: MigrationRequest, activities: Record<string, ActivityFn>, options: LaneSimOptions = {}) {
  return simulateMigration(input, activities, options);
}

function reportInput({ parent }: LaneSimulation): MigrationReport {
  const [call] = callsOf(parent, { name: 'writeReport' });
  return (call.input as ReportInput).report;
}

function validateInput({ parent }: LaneSimulation): ValidateInput {
  const [call] = callsOf(parent, { name: 'validateMigration' });
  return call.input as ValidateInput;
}

function startedLanes({ parent }: LaneSimulation): StartLanesInput['lanes'] {
  return (callsOf(parent, { name: 'startLanes' })[0]?.input as StartLanesInput | undefined)?.lanes ?? [];
}

function phases(result: SimulationResult): string[] {
  return (statusesOf(result) as CustomStatus[])
    .map((s) => s.phase)
    .filter((phase, i, all) => i === 0 || all[i - 1] !== phase);
}

/** Activity names the migration itself scheduled, in order, timers left out. */
const names = (sim: LaneSimulation) => scheduledNames(sim.parent);

describe('migrateExport (replayed)', () => {
  test('reads the manifest, prepares the target, starts one lane per file, watches them, validates, reports', async () => {
    const input = request();
    const activities = {
      ...happyActivities(manifest([2, 3, 5])),
      copyFile: (i: CopyFileInput) =>
        i.file.index === 1
          ? { ok: true, lakePath: `exports/${i.file.key}`, bytes: 0, method: 'skipped' }
          : copied(i.file),
      loadFile: (i: LoadFileInput) =>
        i.file.index === 2
          ? loaded(i.file, { written: 4, deadLettered: 1 })
          : loaded(i.file, { stats: stats(i.file.index === 0 ? 2 : 0) }),
    };
    const sim = await run(input, activities);
    const { parent } = sim;

    expect(parent.outcome).toBe('completed');
    expect(names(sim)).toEqual([
      'readManifest',
      'prepareTarget',
      'startLanes',
      'readLanes',
      'validateMigration',
      'writeReport',
    ]);
    expect(callsOf(parent, { name: 'readManifest' })[0].input).toEqual(input);
    // Started the lanes, then continued as new with the request and its state: the manifest left its history.
    expect(parent.inputs).toHaveLength(2);
    expect(parent.inputs[1]).toMatchObject({
      ...input,
      resume: { startedAt: STARTED_AT, lanes: [0, 1, 2].map(laneId) },
    });

    // Sample size 4 over 2 + 3 + 5 items: quotas 1, 1, 2 (largest remainder); 3 files, 3 lanes, largest first.
    const { files } = manifest([2, 3, 5]) as { files: { index: number }[] };
    expect(startedLanes(sim)).toEqual(
      [2, 1, 0].map((index, lane) => ({
        instanceId: laneId(lane),
        input: expect.objectContaining({
          request: input,
          incremental: false,
          runId: `mig-1@${STARTED_AT}`,
          parallelFiles: 3,
          lane,
          queue: [{ ...files[index], sampleQuota: [1, 1, 2][index] }],
          generation: 0,
        }),
      })),
    );
    // Its last step tells the migration it ended, so the migration need not wait for its next poll.
    expect(scheduledNames(sim.lanes[laneId(1)])).toEqual(['copyFile', 'loadFile', 'laneEnded']);
    // The first poll after 2 s.
    const [timer] = callsOf(parent, { kind: 'timer' });
    expect(Date.parse(timer.fireAt!) - Date.parse(STARTED_AT)).toBeGreaterThanOrEqual(FIRST_POLL_MS);

    expect(validateInput(sim)).toEqual({
      request: input,
      incremental: false,
      counts: expect.objectContaining({
        expected: 10,
        read: 10,
        written: 9,
        deleted: 0,
        deadLettered: 1,
        inFailedFiles: 0,
      }),
      sampleFileIndexes: expect.arrayContaining([0, 1, 2]),
      runId: `mig-1@${STARTED_AT}`,
    });

    const report = reportInput(sim);
    expect(report).toMatchObject({
      instanceId: ID,
      exportId: '01700000000000-abcdef01',
      exportType: 'FULL_EXPORT',
      source: input.source,
      target: input.target,
      files: { total: 3, copied: 2, copySkipped: 1, loaded: 3, failed: 0, failures: [] },
      items: { expected: 10, read: 10, written: 9, deleted: 0, deadLettered: 1 },
      bytesCopied: 7000,
      requestCharge: 100.05,
      ruCap: preparedRuCap,
      validation: passedValidation,
      renames: { id: 2 },
      startedAt: STARTED_AT,
    });
    expect(report.durationMs).toBe(Date.parse(report.finishedAt) - Date.parse(STARTED_AT));
    expect(parsedOutput(parent)).toEqual({
      ...report,
      lake: { container: 'lake', folder: 'f', report: 'f/report.json', deadLetters: 'f/deadletter/' },
    });
  });

  test("custom status: each phase in order, the lanes' progress summed at each poll, rate from the orchestration clock", async () => {
    // The lanes read as running (with their last status) for the first 3 polls.
    const sim = await run(request(), happyActivities(manifest([2, 3, 5])), { runningPolls: 3 });
    const statuses = statusesOf(sim.parent) as CustomStatus[];

    expect(phases(sim.parent)).toEqual([
      'reading-manifest',
      'preparing-target',
      'loading',
      'validating',
      'reporting',
      'done',
    ]);
    expect(statuses[0]).toEqual({ phase: 'reading-manifest', updatedAt: STARTED_AT });
    const loading = statuses.filter((s) => s.phase === 'loading');
    expect(loading[0].files).toEqual({ total: 3, copied: 0, loaded: 0, failed: 0 });
    // From the running lanes' custom statuses: every file counted before any lane has ended.
    expect(loading[1].files).toEqual({ total: 3, copied: 3, loaded: 3, failed: 0 });
    expect(loading.map((s) => s.ruCap)).toEqual(loading.map(() => preparedRuCap));
    // The polls come 1 s, 1.5 s, then 2 s apart.
    const fires = callsOf(sim.parent, { kind: 'timer' }).map((t) => Date.parse(t.fireAt!));
    expect(fires.slice(1).map((t, i) => Math.round((t - fires[i]) / 100) * 100)).toEqual(
      [1500, 2000, 2000].slice(0, fires.length - 1),
    );

    const done = sim.parent.customStatus as CustomStatus;
    const elapsed = Date.parse(done.updatedAt) - Date.parse(STARTED_AT);
    expect(done).toMatchObject({
      phase: 'done',
      exportId: '01700000000000-abcdef01',
      files: { total: 3, copied: 3, loaded: 3, failed: 0 },
      items: { expected: 10, written: 10, deleted: 0, deadLettered: 0 },
      bytesCopied: 10000,
      itemsPerSecond: Math.round((10 * 1000) / elapsed),
      etaSeconds: 0,
      startedAt: STARTED_AT,
      ruCap: preparedRuCap,
    });
  });

  test("a lane's end wakes the migration before its poll timer: validation starts at once, the timer is cancelled", async () => {
    const activities = happyActivities(manifest([2, 3]));
    const laneEnded = (afterEpisode: number) => ({ afterEpisode, name: 'laneEnded', data: 'a lane' });
    const polled = await run(request(), activities);
    const woken = await run(request(), activities, { parentEvents: [4, 5, 6, 7, 8].map(laneEnded) });
    const validationAt = (sim: LaneSimulation) => {
      const scheduled = sim.parent.history.find(
        (event) => event.EventType === EventType.TaskScheduled && event.Name === 'validateMigration',
      );
      return Date.parse(scheduled!.Timestamp) - Date.parse(STARTED_AT);
    };
    const [firstTimer] = callsOf(woken.parent, { kind: 'timer' });
    expect(validationAt(polled)).toBeGreaterThanOrEqual(FIRST_POLL_MS);
    expect(validationAt(woken)).toBeLessThan(Date.parse(firstTimer.fireAt!) - Date.parse(STARTED_AT));
    expect(woken.parent.history.some((event) => event.EventType === EventType.EventRaised)).toBe(true);
    expect(parsedOutput(woken.parent)).toMatchObject({ items: { written: 5 }, validation: { passed: true } });
  });

  test('the status adds the counts so far of the files the lanes are loading', async () => {
    const activities: Record<string, ActivityFn> = { ...happyActivities(manifest([50, 50])) };
    const sim = await simulateMigration(request({ maxParallelFiles: 2 }), activities, { runningPolls: 1 });
    // Stand-in for readLanes' reading of a running load's checkpoint: 7 items so far.
    const polled = await simulate(
      migrateExport,
      sim.parent.inputs[1],
      {
        ...activities,
        readLanes: ({ instanceIds }: { instanceIds: string[] }) =>
          instanceIds.map((instanceId, n) => ({
            instanceId,
            runtimeStatus: 'Running',
            status: statusesOf(sim.lanes[instanceId])[0],
            loading: { read: 7 + n, written: 7 + n, deleted: 0, deadLettered: 0, requestCharge: 70 },
          })),
      },
      { name: 'migrateExport', instanceId: ID, maxGenerations: 1, start: '2024-01-01T00:00:01.000Z' },
    );
    const status = statusesOf(polled).filter((s) => (s as CustomStatus).items?.written)[0] as CustomStatus;
    expect(status.items).toMatchObject({ written: 15 });
    expect(status.requestCharge).toBe(140);
    expect(status.files).toMatchObject({ loaded: 0 });
  });

  test('a file that fails is in the report and the counts, and is not sampled', async () => {
    const key1 = (manifest([2, 3, 5]) as { files: { key: string }[] }).files[1].key;
    const sim = await run(request(), {
      ...happyActivities(manifest([2, 3, 5])),
      copyFile: (i: CopyFileInput) =>
        i.file.index === 1
          ? { ok: false, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' }
          : copied(i.file),
    });

    expect(sim.parent.outcome).toBe('completed');
    expect(validateInput(sim).counts).toMatchObject({ expected: 10, read: 7, written: 7, inFailedFiles: 3 });
    expect(validateInput(sim).sampleFileIndexes.sort()).toEqual([0, 2]);
    expect(reportInput(sim).files).toMatchObject({
      total: 3,
      copied: 2,
      loaded: 2,
      failed: 1,
      failures: [{ file: key1, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' }],
    });
    expect((sim.parent.customStatus as CustomStatus).files).toEqual({ total: 3, copied: 2, loaded: 2, failed: 1 });
  });

  test('a lane that fails counts its files as failed with BATCH_FAILED; the other lanes carry on', async () => {
    const { files } = manifest([2, 3, 5]) as { files: { key: string }[] };
    // Lane 1 has file 1 (3 items): lanes take the largest file first.
    const sim = await run(request(), happyActivities(manifest([2, 3, 5])), { failLanes: [1] });

    expect(sim.parent.outcome).toBe('completed');
    const report = reportInput(sim);
    expect(report.files).toMatchObject({ loaded: 2, failed: 1 });
    expect(report.files.failures).toEqual([
      {
        file: files[1].key,
        code: 'BATCH_FAILED',
        message: `[BATCH_FAILED] ${laneId(1)} ended failed before the file was done; the app's log has the cause`,
      },
    ]);
    expect(validateInput(sim).counts).toMatchObject({ expected: 10, read: 7, inFailedFiles: 3 });
    expect(names(sim).slice(-2)).toEqual(['validateMigration', 'writeReport']);
  });

  test('maxParallelFiles lanes, each with its share, largest files first to the lane with the fewest items', () => {
    const files = manifestFiles([80, 10, 10, 10, 10, 40, 40, 1]);
    const lanes = planLanes(files, 0, 3);
    expect(lanes.map((lane) => lane.map((f) => f.index))).toEqual([[0], [5, 1, 3, 7], [6, 2, 4]]);
    expect(planLanes(files, 0, 20)).toHaveLength(8);
    expect(planLanes([], 10, 8)).toEqual([]);
    // The sample is spread over the files by their item counts, whatever lane they land in.
    const quotas = planLanes(manifestFiles(Array.from({ length: 401 }, () => 1)), 100, 8).flat();
    expect(quotas.reduce((sum, f) => sum + f.sampleQuota, 0)).toBe(100);
  });

  test('thousands of files: every lane and every execution of the migration stays under 250 history events', async () => {
    const counts = Array.from({ length: 1000 }, (_, i) => 1 + (i % 5));
    const sim = await run(request({ sampleSize: 100 }), happyActivities(manifest(counts)), { runningPolls: 40 });

    expect(sim.parent.outcome).toBe('completed');
    expect(Object.keys(sim.lanes)).toHaveLength(8);
    expect(sim.maxHistoryEvents.lanes).toBeLessThanOrEqual(250);
    expect(sim.maxHistoryEvents.parent).toBeLessThanOrEqual(250);
    // The migration continued as new while it watched: 40 polls do not fit one execution.
    expect(sim.parent.inputs.length).toBeGreaterThan(2);
    expect(reportInput(sim).files).toMatchObject({ total: 1000, loaded: 1000, failed: 0 });
    expect(validateInput(sim).counts.written).toBe(counts.reduce((a, b) => a + b, 0));
    // Every load had the same share of the RU cap: 8 lanes.
    expect((callsOf(sim.lanes[laneId(0)], { name: 'loadFile' })[0].input as LoadFileInput).parallelFiles).toBe(8);
    expect(pollDelayMs(100)).toBe(LAST_POLL_MS);
  });

  test('an incremental export is loaded and validated as incremental', async () => {
    const sim = await run(request(), happyActivities(manifest([4], 'INCREMENTAL_EXPORT')));

    expect((startedLanes(sim)[0].input as LaneInput).incremental).toBe(true);
    expect((callsOf(sim.lanes[laneId(0)], { name: 'loadFile' })[0].input as LoadFileInput).incremental).toBe(true);
    expect(validateInput(sim).incremental).toBe(true);
    expect(reportInput(sim).exportType).toBe('INCREMENTAL_EXPORT');
  });

  test('an export without data files validates and reports without any lane', async () => {
    const sim = await run(request(), happyActivities(manifest([])));

    expect(names(sim)).toEqual(['readManifest', 'prepareTarget', 'validateMigration', 'writeReport']);
    expect(validateInput(sim).counts).toMatchObject({ expected: 0, read: 0, written: 0, inFailedFiles: 0 });
    expect(reportInput(sim).files.total).toBe(0);
  });

  describe('problems with the export as a whole fail the orchestration with [CODE] message', () => {
    test('a manifest failure: nothing else is scheduled', async () => {
      const message =
        '[EXPORT_INCOMPLETE] s3://exports/orders/AWSDynamoDB/01700000000000-abcdef01/manifest-summary.json does not exist';
      const { parent: result } = await run(request(), {
        ...happyActivities(manifest([1])),
        readManifest: () => ({ ok: false, code: 'EXPORT_INCOMPLETE', message }),
      });

      expect(result.outcome).toBe('failed');
      expect(result.output).toBe(`Orchestrator function 'migrateExport' failed: ${message}`);
      expect(scheduledNames(result)).toEqual(['readManifest']);
      expect(result.customStatus).toEqual({ phase: 'reading-manifest', updatedAt: STARTED_AT });
    });

    test('the code is added when the message does not start with it', async () => {
      const { parent: result } = await run(request(), {
        ...happyActivities(manifest([1])),
        readManifest: () => ({ ok: false, code: 'MANIFEST_INVALID', message: 'line 3 is not valid JSON' }),
      });

      expect(result.output).toBe(
        "Orchestrator function 'migrateExport' failed: [MANIFEST_INVALID] line 3 is not valid JSON",
      );
    });

    test('a target that cannot be prepared: no file is touched', async () => {
      const message =
        '[PARTITION_KEY_MISMATCH] container shop/orders is partitioned on [/id] but the migration needs [/pk]';
      const { parent: result } = await run(request(), {
        ...happyActivities(manifest([1, 2])),
        prepareTarget: () => ({ ok: false, code: 'PARTITION_KEY_MISMATCH', message }),
      });

      expect(result.outcome).toBe('failed');
      expect(result.output).toBe(`Orchestrator function 'migrateExport' failed: ${message}`);
      expect(scheduledNames(result)).toEqual(['readManifest', 'prepareTarget']);
      expect((result.customStatus as CustomStatus).phase).toBe('preparing-target');
    });

    test('a manifest read that keeps throwing fails after 5 attempts with its [CODE] message only', async () => {
      const { parent: result } = await run(request(), {
        ...happyActivities(manifest([1])),
        readManifest: () => {
          throw new Error('[TRANSIENT] S3 is unavailable');
        },
      });

      expect(result.outcome).toBe('failed');
      expect(result.output).toBe("Orchestrator function 'migrateExport' failed: [TRANSIENT] S3 is unavailable");
      expect(scheduledNames(result)).toEqual(Array(5).fill('readManifest'));
    });

    test('an error without a code fails it as INTERNAL with a correlation id, the stack trace in the log only', async () => {
      const { parent: result } = await run(request(), {
        ...happyActivities(manifest([1])),
        validateMigration: () => {
          throw new Error('cannot read properties of undefined');
        },
      });

      expect(result.outcome).toBe('failed');
      const match =
        /^Orchestrator function 'migrateExport' failed: \[INTERNAL\] migrating s3:\/\/exports\/orders\/AWSDynamoDB\/01700000000000-abcdef01 into shop\/orders failed: cannot read properties of undefined \(correlation id ([0-9a-f-]{36})\)$/.exec(
          String(result.output),
        );
      expect(match).not.toBeNull();
      expect(scheduledNames(result).filter((name) => name === 'validateMigration')).toHaveLength(5);
      expect(scheduledNames(result)).not.toContain('writeReport');
      const logged = result.logs.filter((entry) => entry.message.includes(match![1]));
      expect(logged.map((entry) => entry.level)).toEqual(['error']);
      expect(logged[0].message).toContain('StackTraceString');
      expect((result.customStatus as CustomStatus).phase).toBe('validating');
    });
  });
});
