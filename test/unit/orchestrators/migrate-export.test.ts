/**
 * migrateExport replayed by the real durable-functions handler (test/support/replay.ts), with its
 * migrateFileBatch sub-orchestrations replayed too (or answered by plain functions where a test needs a batch to
 * fail): what it schedules with which input, the report it builds, the custom status it publishes, and how
 * failed files, failed batches and a bad manifest end.
 */
import { migrateExport } from '../../../orchestrators/migrate-export';
import { migrateFileBatch } from '../../../orchestrators/migrate-file-batch';
import type { CustomStatus } from '../../../orchestrators/progress';
import type {
  BatchInput,
  CopyFileInput,
  FileOutcome,
  LoadFileInput,
  MigrationReport,
  ReportInput,
  ValidateInput,
} from '../../../src/migration/contracts';
import type { MigrationRequest } from '../../../src/migration/request';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import {
  ActivityFn,
  callsOf,
  parsedOutput,
  scheduledNames,
  simulate,
  SimulateOptions,
  SimulationResult,
  statusesOf,
} from '../../support/replay';
import { copied, happyActivities, loaded, manifest, passedValidation, preparedRuCap, request, stats } from './fixtures';

const ID = 'mig-1';
const STARTED_AT = '2024-01-01T00:00:00.001Z';

function run(input: MigrationRequest, activities: Record<string, ActivityFn>, options: SimulateOptions = {}) {
  return simulate(migrateExport, input, activities, {
    name: 'migrateExport',
    instanceId: ID,
    orchestrators: { migrateFileBatch },
    ...options,
  });
}

function reportInput(result: SimulationResult): MigrationReport {
  const [call] = callsOf(result, { name: 'writeReport' });
  return (call.input as ReportInput).report;
}

function validateInput(result: SimulationResult): ValidateInput {
  const [call] = callsOf(result, { name: 'validateMigration' });
  return call.input as ValidateInput;
}

/** Timestamp of the episode that scheduled the activity `name` (the orchestration clock then). */
function scheduledAt(result: SimulationResult, name: string): string {
  const event = result.history.find((e) => e.EventType === EventType.TaskScheduled && e.Name === name);
  return event!.Timestamp;
}

function phases(result: SimulationResult): string[] {
  return (statusesOf(result) as CustomStatus[])
    .map((s) => s.phase)
    .filter((phase, i, all) => i === 0 || all[i - 1] !== phase);
}

/** What a batch that went well returns, for batches answered by a plain function. */
function batchOutcomes(input: BatchInput): FileOutcome[] {
  return input.files.map((file) => {
    const { ok: _c, ...copy } = copied(file) as { ok: true } & FileOutcome['copy'] & object;
    const { ok: _l, ...load } = loaded(file) as { ok: true } & FileOutcome['load'] & object;
    return { index: file.index, key: file.key, itemCount: file.itemCount, copy, load } as FileOutcome;
  });
}

describe('migrateExport (replayed)', () => {
  test('reads the manifest, prepares the target, runs one batch per file, validates and writes the report', async () => {
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
    const result = await run(input, activities);

    expect(result.outcome).toBe('completed');
    expect(scheduledNames(result)).toEqual([
      'readManifest',
      'prepareTarget',
      'migrateFileBatch',
      'migrateFileBatch',
      'migrateFileBatch',
      'validateMigration',
      'writeReport',
    ]);
    expect(callsOf(result, { name: 'readManifest' })[0].input).toEqual(input);
    expect(callsOf(result, { name: 'prepareTarget' })[0].input).toEqual(input);

    // Sample size 4 over 2 + 3 + 5 items: quotas 1, 1, 2 (largest remainder); one file per batch, all at once.
    const { files } = manifest([2, 3, 5]) as { files: { index: number }[] };
    const batches = callsOf(result, { kind: 'subOrchestration' });
    expect(batches.map((b) => b.childInstanceId)).toEqual(['mig-1:batch-0', 'mig-1:batch-1', 'mig-1:batch-2']);
    expect(batches.map((b) => b.input)).toEqual(
      [1, 1, 2].map((sampleQuota, i) => ({
        request: input,
        incremental: false,
        files: [{ ...files[i], sampleQuota }],
        filesPerBatch: 1,
        runId: `mig-1@${STARTED_AT}`,
        parallelFiles: 3,
      })),
    );
    // Each batch copied and loaded its file.
    expect(scheduledNames(result, 'mig-1:batch-1')).toEqual(['copyFile', 'loadFile']);
    expect(result.children['mig-1:batch-2'].outcome).toBe('completed');

    expect(validateInput(result)).toEqual({
      request: input,
      incremental: false,
      counts: { expected: 10, read: 10, written: 9, deleted: 0, deadLettered: 1, inFailedFiles: 0 },
      sampleFileIndexes: [0, 1, 2],
    });

    const finishedAt = scheduledAt(result, 'writeReport');
    const report = reportInput(result);
    // (toMatchObject: the report may carry more than these, e.g. the RU cap, tested below.)
    expect(report).toMatchObject({
      instanceId: ID,
      exportId: '01700000000000-abcdef01',
      exportType: 'FULL_EXPORT',
      exportArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/01700000000000-abcdef01',
      source: input.source,
      target: input.target,
      files: { total: 3, copied: 2, copySkipped: 1, loaded: 3, failed: 0, failures: [] },
      items: { expected: 10, read: 10, written: 9, deleted: 0, deadLettered: 1 },
      bytesCopied: 7000,
      requestCharge: 100.05,
      ruCap: preparedRuCap,
      partitionKey: {
        paths: ['/pk'],
        reason: 'the default for this key schema; /pk: the partition key attribute `pk`',
      },
      validation: passedValidation,
      numbers: {
        mode: 'lossless',
        keptAsStrings: 0,
        precisionLost: 0,
        keptAsStringsByPath: {},
        precisionLostByPath: {},
      },
      renames: { id: 2 },
      lake: { container: '', folder: '', report: '', deadLetters: '' },
      startedAt: STARTED_AT,
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(STARTED_AT),
    });
    expect(report.durationMs).toBeGreaterThan(0);
    // The output is what writeReport returned (with the lake location).
    expect(parsedOutput(result)).toEqual({
      ...report,
      lake: { container: 'lake', folder: 'f', report: 'f/report.json', deadLetters: 'f/deadletter/' },
    });
  });

  test('custom status: each phase in order, progress per finished batch, rate from the orchestration clock', async () => {
    const result = await run(request(), happyActivities(manifest([2, 3, 5])));
    const statuses = statusesOf(result) as CustomStatus[];

    expect(phases(result)).toEqual([
      'reading-manifest',
      'preparing-target',
      'loading',
      'validating',
      'reporting',
      'done',
    ]);
    expect(statuses[0]).toEqual({ phase: 'reading-manifest', updatedAt: STARTED_AT });
    expect(statuses[1]).toEqual({
      phase: 'preparing-target',
      exportId: '01700000000000-abcdef01',
      updatedAt: '2024-01-01T00:00:00.002Z',
    });
    const loading = statuses.filter((s) => s.phase === 'loading');
    // The last batch's progress and 'validating' are published in the same episode: only the latter shows.
    expect(loading.map((s) => s.files)).toEqual([
      { total: 3, copied: 0, loaded: 0, failed: 0 },
      { total: 3, copied: 1, loaded: 1, failed: 0 },
      { total: 3, copied: 2, loaded: 2, failed: 0 },
    ]);
    expect(loading.map((s) => s.items?.written)).toEqual([0, 2, 5]);

    const done = result.customStatus as CustomStatus;
    const elapsed = Date.parse(done.updatedAt) - Date.parse(STARTED_AT);
    // (toMatchObject: the status may carry more, e.g. a progress series for a chart.)
    expect(done).toMatchObject({
      phase: 'done',
      exportId: '01700000000000-abcdef01',
      files: { total: 3, copied: 3, loaded: 3, failed: 0 },
      items: { expected: 10, written: 10, deleted: 0, deadLettered: 0 },
      bytesCopied: 10000,
      itemsPerSecond: Math.round((10 * 1000) / elapsed),
      etaSeconds: 0,
      ruCap: preparedRuCap,
      updatedAt: done.updatedAt,
    });
    expect(done.itemsPerSecond).toBeGreaterThan(0);
    // The cap and its source are in the status from the first loading status on.
    expect(loading.map((s) => s.ruCap)).toEqual([preparedRuCap, preparedRuCap, preparedRuCap]);
  });

  test('a file that fails is in the report and the counts, and is not sampled', async () => {
    const input = request();
    const key1 = (manifest([2, 3, 5]) as { files: { key: string }[] }).files[1].key;
    const result = await run(input, {
      ...happyActivities(manifest([2, 3, 5])),
      copyFile: (i: CopyFileInput) =>
        i.file.index === 1
          ? { ok: false, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' }
          : copied(i.file),
    });

    expect(result.outcome).toBe('completed');
    expect(callsOf(result, { name: 'loadFile' }).map((c) => (c.input as LoadFileInput).file.index)).toEqual([0, 2]);
    expect(validateInput(result).counts).toEqual({
      expected: 10,
      read: 7,
      written: 7,
      deleted: 0,
      deadLettered: 0,
      inFailedFiles: 3,
    });
    expect(validateInput(result).sampleFileIndexes).toEqual([0, 2]);
    expect(reportInput(result).files).toMatchObject({
      total: 3,
      copied: 2,
      copySkipped: 0,
      loaded: 2,
      failed: 1,
      failures: [{ file: key1, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' }],
    });
    expect((result.customStatus as CustomStatus).files).toEqual({ total: 3, copied: 2, loaded: 2, failed: 1 });
  });

  test('a batch orchestration that fails counts its files as failed with BATCH_FAILED; the others carry on', async () => {
    const input = request();
    const { files } = manifest([2, 3, 5]) as { files: { key: string }[] };
    const result = await run(input, happyActivities(manifest([2, 3, 5])), {
      subOrchestrations: {
        migrateFileBatch: (batch: BatchInput) => {
          if (batch.files[0].index === 1) throw new Error('the host went away');
          return batchOutcomes(batch);
        },
      },
    });

    expect(result.outcome).toBe('completed');
    const report = reportInput(result);
    expect(report.files.failed).toBe(1);
    expect(report.files.loaded).toBe(2);
    expect(report.files.failures).toHaveLength(1);
    expect(report.files.failures[0].file).toBe(files[1].key);
    expect(report.files.failures[0].code).toBe('BATCH_FAILED');
    expect(report.files.failures[0].message).toMatch(
      /^\[BATCH_FAILED\] batch 1 of the export failed: the host went away \(correlation id [0-9a-f-]{36}\)$/,
    );
    expect(validateInput(result).counts).toMatchObject({ expected: 10, read: 7, inFailedFiles: 3 });
    expect(scheduledNames(result).slice(-2)).toEqual(['validateMigration', 'writeReport']);
  });

  test('batches run in waves of parallelBatches: a wave starts when the previous one has finished', async () => {
    const input = request({ maxParallelFiles: 2 });
    const result = await run(input, happyActivities(manifest([1, 1, 1, 1, 1])));

    expect(result.outcome).toBe('completed');
    const batches = callsOf(result, { kind: 'subOrchestration' });
    expect(batches.map((b) => b.childInstanceId)).toEqual([0, 1, 2, 3, 4].map((i) => `mig-1:batch-${i}`));
    expect(batches.every((b) => (b.input as BatchInput).parallelFiles === 2)).toBe(true);
    // In the parent's history, batch 2 is created only after batches 0 and 1 completed, and 4 after 2 and 3.
    const events = result.history.filter(
      (e) =>
        e.EventType === EventType.SubOrchestrationInstanceCreated ||
        e.EventType === EventType.SubOrchestrationInstanceCompleted,
    );
    const created = (i: number) =>
      events.findIndex(
        (e) => e.EventType === EventType.SubOrchestrationInstanceCreated && e.InstanceId === `mig-1:batch-${i}`,
      );
    const seqOf = (i: number) => events[created(i)].EventId;
    const completed = (i: number) =>
      events.findIndex(
        (e) => e.EventType === EventType.SubOrchestrationInstanceCompleted && e.TaskScheduledId === seqOf(i),
      );
    expect(created(1)).toBeLessThan(completed(0));
    expect(created(2)).toBeGreaterThan(Math.max(completed(0), completed(1)));
    expect(created(3)).toBeLessThan(completed(2));
    expect(created(4)).toBeGreaterThan(Math.max(completed(2), completed(3)));
  });

  test('thousands of files: grouped so the parent runs at most 200 batches, files of a batch side by side', async () => {
    const counts = Array.from({ length: 401 }, () => 1);
    const input = request({ sampleSize: 100 });
    const seen: number[][] = [];
    const result = await run(input, happyActivities(manifest(counts)), {
      subOrchestrations: {
        migrateFileBatch: (batch: BatchInput) => {
          seen.push(batch.files.map((f) => f.index));
          return batchOutcomes(batch);
        },
      },
    });

    expect(result.outcome).toBe('completed');
    expect(seen).toHaveLength(134);
    expect(seen[0]).toEqual([0, 1, 2]);
    expect(seen[133]).toEqual([399, 400]);
    const first = callsOf(result, { kind: 'subOrchestration' })[0].input as BatchInput & { filesPerBatch: number };
    expect(first.filesPerBatch).toBe(3);
    // 8 parallel files: two batches of three at a time.
    expect(first.parallelFiles).toBe(6);
    const quotas = callsOf(result, { kind: 'subOrchestration' }).flatMap((c) =>
      (c.input as BatchInput).files.map((f) => f.sampleQuota),
    );
    expect(quotas.reduce((a, b) => a + b, 0)).toBe(100);
    expect(reportInput(result).files).toMatchObject({ total: 401, loaded: 401, failed: 0 });
  });

  test('an incremental export is loaded and validated as incremental', async () => {
    const result = await run(request(), happyActivities(manifest([4], 'INCREMENTAL_EXPORT')));

    expect((callsOf(result, { kind: 'subOrchestration' })[0].input as BatchInput).incremental).toBe(true);
    expect((callsOf(result, { name: 'loadFile' })[0].input as LoadFileInput).incremental).toBe(true);
    expect(validateInput(result).incremental).toBe(true);
    expect(reportInput(result).exportType).toBe('INCREMENTAL_EXPORT');
  });

  test('an export without data files validates and reports without any batch', async () => {
    const result = await run(request(), happyActivities(manifest([])));

    expect(scheduledNames(result)).toEqual(['readManifest', 'prepareTarget', 'validateMigration', 'writeReport']);
    expect(validateInput(result).counts).toEqual({
      expected: 0,
      read: 0,
      written: 0,
      deleted: 0,
      deadLettered: 0,
      inFailedFiles: 0,
    });
    expect(reportInput(result).files.total).toBe(0);
  });

  describe('problems with the export as a whole fail the orchestration with [CODE] message', () => {
    test('a manifest failure: nothing else is scheduled', async () => {
      const message =
        '[EXPORT_INCOMPLETE] s3://exports/orders/AWSDynamoDB/01700000000000-abcdef01/manifest-summary.json does not exist';
      const result = await run(request(), {
        ...happyActivities(manifest([1])),
        readManifest: () => ({ ok: false, code: 'EXPORT_INCOMPLETE', message }),
      });

      expect(result.outcome).toBe('failed');
      expect(result.output).toBe(`Orchestrator function 'migrateExport' failed: ${message}`);
      expect(scheduledNames(result)).toEqual(['readManifest']);
      expect(result.customStatus).toEqual({ phase: 'reading-manifest', updatedAt: STARTED_AT });
    });

    test('the code is added when the message does not start with it', async () => {
      const result = await run(request(), {
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
      const result = await run(request(), {
        ...happyActivities(manifest([1, 2])),
        prepareTarget: () => ({ ok: false, code: 'PARTITION_KEY_MISMATCH', message }),
      });

      expect(result.outcome).toBe('failed');
      expect(result.output).toBe(`Orchestrator function 'migrateExport' failed: ${message}`);
      expect(scheduledNames(result)).toEqual(['readManifest', 'prepareTarget']);
      expect((result.customStatus as CustomStatus).phase).toBe('preparing-target');
    });

    test('a manifest read that keeps throwing fails after 5 attempts with its [CODE] message only', async () => {
      const result = await run(request(), {
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
      const result = await run(request(), {
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
