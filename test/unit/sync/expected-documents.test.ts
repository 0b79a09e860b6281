/**
 * The ledger carries what the container should hold from one export to the next: the count of a validation that
 * reconciled, the export's own expectation when it did not, nothing when no count was made; the next export's
 * migration request hands it to validation as documentsBefore, and a failed count is named in the ledger's reason.
 */
import { recordOutcome, expectedAfter, planNextStep } from '../../../src/sync/sync-steps';
import { TableStore } from '../../../src/sync/table-store';
import type { MigrationReport } from '../../../src/migration/contracts';
import type { ContainerCheck } from '../../../src/validation/container-count';
import type { Ledger, TableRegistration } from '../../../src/sync/types';
import { passedValidation, request } from '../orchestrators/fixtures';
import { FakeLake, FakeS3 } from '../activities/fakes';

const NOW = '2024-02-01T00:00:00.000Z';
const FULL = '01700000000000-aaaaaaaa';
const INCR = '01700000000001-bbbbbbbb';

function reportWith(container: ContainerCheck | undefined, exportId = FULL): MigrationReport {
  const passed = container?.reconciled ?? true;
  return {
    exportId,
    validation: { ...passedValidation, passed, ...(container ? { container } : {}) },
    items: { expected: 0, read: 0, written: 0, deleted: 0, deadLettered: 0 },
    files: { total: 0, copied: 0, copySkipped: 0, loaded: 0, failed: 0, failures: [] },
    target: request().target,
    durationMs: 1,
    lake: { container: 'lake', folder: 'f', report: 'f/report.json', deadLetters: 'f/deadletter/' },
  } as unknown as MigrationReport;
}

const check = (expected: number | undefined, actual: number, reconciled: boolean): ContainerCheck => ({
  ...(expected === undefined ? {} : { expected }),
  actual,
  reconciled,
  detail: reconciled ? 'fine' : `the container holds ${actual} documents but ${expected} were expected`,
  requestCharge: 1,
});

describe('expectedAfter', () => {
  test('a count that reconciled is carried as counted, even inside wider bounds', () => {
    expect(expectedAfter(reportWith({ ...check(10, 11, true), expectedAtLeast: 10, expectedAtMost: 12 }))).toBe(11);
  });
  test("a count that did not reconcile carries the export's expectation, not the container's extra documents", () => {
    expect(expectedAfter(reportWith(check(10, 11, false)))).toBe(10);
  });
  test('no report, no container check, or no expectation: unknown', () => {
    expect(expectedAfter(undefined)).toBeUndefined();
    expect(expectedAfter(reportWith(undefined))).toBeUndefined();
    expect(expectedAfter(reportWith(check(undefined, 7, true)))).toBeUndefined();
  });
});

function registration(): TableRegistration {
  const base = request();
  return {
    name: 'orders',
    source: { bucket: 'exports', exportsPrefix: 'orders' },
    keySchema: base.keySchema,
    target: base.target,
    options: { ...base.options, allowGaps: false },
    createdAt: NOW,
    updatedAt: NOW,
  };
}

function summary(exportId: string, incremental: boolean): string {
  const folder = `orders/AWSDynamoDB/${exportId}`;
  return JSON.stringify({
    exportArn: `arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/${exportId}`,
    manifestFilesS3Key: `${folder}/manifest-files.json`,
    itemCount: 0,
    outputFormat: 'DYNAMODB_JSON',
    ...(incremental
      ? {
          exportType: 'INCREMENTAL_EXPORT',
          exportFromTime: '2023-12-31T00:00:00.000Z',
          exportToTime: '2024-01-01T00:00:00.000Z',
        }
      : { exportTime: '2023-12-31T00:00:00.000Z' }),
  });
}

describe('a synced table carries the count', () => {
  test('full export counted → ledger → the next export is validated against it; a failed count is named', async () => {
    const lake = new FakeLake();
    lake.put('_sync/tables/orders/registration.json', JSON.stringify(registration()));
    const s3 = new FakeS3();
    s3.put('exports', `orders/AWSDynamoDB/${FULL}/manifest-summary.json`, summary(FULL, false));
    const store = new TableStore(lake as never);

    const first = await planNextStep(store, s3 as never, 'orders', 'sync-orders', NOW);
    expect(first).toMatchObject({ kind: 'apply', exportId: FULL });
    expect(first.kind === 'apply' && first.request.documentsBefore).toBeUndefined();
    let ledger: Ledger = await recordOutcome(
      store,
      'orders',
      { exportId: FULL, report: reportWith(check(5, 5, true)) },
      NOW,
    );
    expect(ledger.expectedDocuments).toBe(5);

    s3.put('exports', `orders/AWSDynamoDB/${INCR}/manifest-summary.json`, summary(INCR, true));
    const second = await planNextStep(store, s3 as never, 'orders', 'sync-orders', NOW);
    expect(second).toMatchObject({ kind: 'apply', exportId: INCR, request: { documentsBefore: 5 } });

    ledger = await recordOutcome(
      store,
      'orders',
      { exportId: INCR, report: reportWith(check(7, 8, false), INCR) },
      NOW,
    );
    expect(ledger.expectedDocuments).toBe(7);
    expect(ledger.status.state).toBe('failed');
    expect(ledger.status.reason).toContain('the container holds 8 documents but 7 were expected');
  });
});
