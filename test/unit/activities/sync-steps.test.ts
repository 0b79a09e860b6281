/**
 * planSyncStep and recordSyncOutcome on an in-memory lake (registrations and ledgers) and S3 (exports): the
 * activities hand the table, the sync instance and the outcome through to the library and return its answers.
 */
import { planSyncStepActivity } from '../../../activities/plan-sync-step';
import { recordSyncOutcomeActivity } from '../../../activities/record-sync-outcome';
import type { MigrationReport } from '../../../src/migration/contracts';
import type { Ledger, TableRegistration } from '../../../src/sync/types';
import { passedValidation, request } from '../orchestrators/fixtures';
import { dependencies, FakeLake, FakeS3 } from './fakes';

const EXPORT_ID = '01700000000000-abcdef01';
const FOLDER = `orders/AWSDynamoDB/${EXPORT_ID}`;

function registration(): TableRegistration {
  const base = request();
  return {
    name: 'orders',
    source: { bucket: 'exports', exportsPrefix: 'orders' },
    keySchema: base.keySchema,
    target: base.target,
    options: { ...base.options, allowGaps: false },
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function registered(): FakeLake {
  const lake = new FakeLake();
  lake.put('_sync/tables/orders/registration.json', JSON.stringify(registration()));
  return lake;
}

function withFullExport(s3: FakeS3): void {
  s3.put(
    'exports',
    `${FOLDER}/manifest-summary.json`,
    JSON.stringify({
      exportArn: `arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/${EXPORT_ID}`,
      exportTime: '2023-12-31T00:00:00.000Z',
      manifestFilesS3Key: `${FOLDER}/manifest-files.json`,
      itemCount: 0,
      outputFormat: 'DYNAMODB_JSON',
    }),
  );
  // The shared data folder of incremental exports is not an export.
  s3.put('exports', 'orders/AWSDynamoDB/data/x.json.gz', 'x');
}

const ledgerOf = (lake: FakeLake): Ledger => JSON.parse(lake.text('_sync/tables/orders/ledger.json')!);

describe('planSyncStep activity', () => {
  test('a table without a registration is unregistered', async () => {
    const lake = new FakeLake();
    const step = await planSyncStepActivity(dependencies({ lake }))({ table: 'orders', syncInstanceId: 'sync-orders' });
    expect(step).toEqual({ kind: 'unregistered' });
    expect(lake.requests).toEqual(['download _sync/tables/orders/registration.json']);
  });

  test('no export yet: done, waiting, with the reason', async () => {
    const s3 = new FakeS3();
    const step = await planSyncStepActivity(dependencies({ lake: registered(), s3 }))({
      table: 'orders',
      syncInstanceId: 'sync-orders',
    });
    expect(step).toEqual({ kind: 'done', state: 'waiting', reason: 'no completed export found under the prefix yet' });
    expect(s3.requests).toEqual(['ListObjectsV2 exports/orders/AWSDynamoDB/']);
  });

  test('a new full export is applied under an instance id made of the sync instance, the export and the attempt', async () => {
    const lake = registered();
    const s3 = new FakeS3();
    withFullExport(s3);
    const step = await planSyncStepActivity(dependencies({ lake, s3 }))({ table: 'orders', syncInstanceId: 'sync-x' });

    const base = request();
    expect(step).toEqual({
      kind: 'apply',
      exportId: EXPORT_ID,
      exportType: 'FULL_EXPORT',
      instanceId: `sync-x-${EXPORT_ID}-1`,
      request: { ...base, source: { bucket: 'exports', exportPrefix: FOLDER } },
      warning: undefined,
    });
    const ledger = ledgerOf(lake);
    expect(ledger.exports).toHaveLength(1);
    expect(ledger.exports[0]).toMatchObject({ exportId: EXPORT_ID, state: 'applying', attempts: 1 });
    expect(ledger.status.state).toBe('syncing');
  });
});

describe('recordSyncOutcome activity', () => {
  async function planned(): Promise<{ lake: FakeLake; s3: FakeS3 }> {
    const lake = registered();
    const s3 = new FakeS3();
    withFullExport(s3);
    await planSyncStepActivity(dependencies({ lake, s3 }))({ table: 'orders', syncInstanceId: 'sync-orders' });
    return { lake, s3 };
  }

  test('a report that validated marks the export applied and moves the point reached; the next plan is up to date', async () => {
    const { lake, s3 } = await planned();
    const report = {
      exportId: EXPORT_ID,
      validation: passedValidation,
      items: { expected: 0, read: 0, written: 0, deleted: 0, deadLettered: 0 },
      files: { total: 0, copied: 0, copySkipped: 0, loaded: 0, failed: 0, failures: [] },
      durationMs: 1234,
      lake: { container: 'lake', folder: 'f', report: 'f/report.json', deadLetters: 'f/deadletter/' },
    } as unknown as MigrationReport;
    const recorded = await recordSyncOutcomeActivity(dependencies({ lake }))({
      table: 'orders',
      outcome: { exportId: EXPORT_ID, report },
    });

    expect(recorded).toEqual({
      status: { state: 'syncing', at: expect.any(String) },
      reachedTime: '2023-12-31T00:00:00.000Z',
    });
    expect(ledgerOf(lake).exports[0]).toMatchObject({
      state: 'applied',
      report: { passed: true, durationMs: 1234, report: 'f/report.json' },
    });
    const next = await planSyncStepActivity(dependencies({ lake, s3 }))({
      table: 'orders',
      syncInstanceId: 'sync-orders',
    });
    expect(next).toEqual({ kind: 'done', state: 'up-to-date', reason: undefined });
  });

  test("a migration's error marks the export failed and the table's status says why", async () => {
    const { lake } = await planned();
    const recorded = await recordSyncOutcomeActivity(dependencies({ lake }))({
      table: 'orders',
      outcome: { exportId: EXPORT_ID, error: '[EXPORT_INCOMPLETE] gone' },
    });

    expect(recorded).toEqual({
      status: { state: 'failed', reason: `[EXPORT_INCOMPLETE] export ${EXPORT_ID}: gone`, at: expect.any(String) },
    });
    expect(ledgerOf(lake).exports[0]).toMatchObject({ state: 'failed', reason: '[EXPORT_INCOMPLETE] gone' });
  });
});
