/**
 * The cut-over decision, case by case, from a ledger: ready only after a clean sync and a passing full verification
 * that covers the last applied export; otherwise every missing piece is a reason.
 */
import { cutoverCheck } from '../../../src/sync/cutover';
import type { Ledger, LedgerEntry, VerificationSummary } from '../../../src/sync/types';

const NOW = new Date('2024-03-01T12:00:00.000Z');
const FULL = '01700000000000-aaaaaaaa';
const INCR = '01700000000001-bbbbbbbb';
const NEXT = '01700000000002-cccccccc';

function entry(exportId: string, state: LedgerEntry['state'], extra: Partial<LedgerEntry> = {}): LedgerEntry {
  const full = exportId === FULL;
  return {
    exportId,
    exportPrefix: `t/AWSDynamoDB/${exportId}`,
    exportType: full ? 'FULL_EXPORT' : 'INCREMENTAL_EXPORT',
    tableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/T',
    ...(full
      ? { exportTime: '2024-03-01T10:00:00.000Z' }
      : { fromTime: '2024-03-01T10:00:00.000Z', toTime: '2024-03-01T11:00:00.000Z' }),
    itemCount: 10,
    state,
    attempts: 1,
    instanceId: `sync-t-${exportId}-1`,
    firstSeenAt: '2024-03-01T11:05:00.000Z',
    updatedAt: '2024-03-01T11:10:00.000Z',
    ...(state === 'applied'
      ? {
          report: {
            passed: true,
            written: 10,
            deleted: 0,
            deadLettered: 0,
            failedFiles: 0,
            durationMs: 1,
            report: `${exportId}/report.json`,
          },
        }
      : {}),
    ...extra,
  };
}

function verification(extra: Partial<VerificationSummary> = {}): VerificationSummary {
  return {
    instanceId: 'verify-t-1',
    reachedTime: '2024-03-01T11:00:00.000Z',
    lastExportId: INCR,
    startedAt: '2024-03-01T11:20:00.000Z',
    finishedAt: '2024-03-01T11:30:00.000Z',
    passed: true,
    expected: 20,
    actual: 20,
    matched: 20,
    missingCount: 0,
    unexpectedCount: 0,
    differingCount: 0,
    report: '_verify/t/report.json',
    ...extra,
  };
}

function ledger(extra: Partial<Ledger> = {}): Ledger {
  return {
    table: 't',
    reachedTime: '2024-03-01T11:00:00.000Z',
    status: { state: 'up-to-date', at: '2024-03-01T11:10:00.000Z' },
    exports: [entry(FULL, 'applied'), entry(INCR, 'applied')],
    expectedDocuments: 20,
    lastVerification: verification(),
    ...extra,
  };
}

describe('cutoverCheck', () => {
  test('a clean sync and a passing verification of the last applied export: ready', () => {
    const check = cutoverCheck(ledger(), NOW, 120);
    expect(check).toMatchObject({
      table: 't',
      ready: true,
      reasons: [],
      reachedTime: '2024-03-01T11:00:00.000Z',
      lagMinutes: 60,
      maxLagMinutes: 120,
      lastApplied: { exportId: INCR, exportType: 'INCREMENTAL_EXPORT', report: `${INCR}/report.json` },
      lastVerification: { passed: true, current: true },
      deadLetters: { count: 0, byExport: [] },
      expectedDocuments: 20,
      failedExports: [],
      outstandingExports: [],
    });
  });

  test('nothing applied yet', () => {
    const check = cutoverCheck(
      ledger({ exports: [entry(FULL, 'pending')], reachedTime: undefined, lastVerification: undefined }),
      NOW,
    );
    expect(check.ready).toBe(false);
    expect(check.reasons).toEqual([
      'no export has been applied to the container yet',
      `export ${FULL} is pending: not applied yet`,
    ]);
    expect(check.lagMinutes).toBeUndefined();
  });

  test('an export pending or being applied', () => {
    const pending = cutoverCheck(ledger({ exports: [...ledger().exports, entry(NEXT, 'pending')] }), NOW);
    expect(pending.ready).toBe(false);
    expect(pending.reasons).toEqual([`export ${NEXT} is pending: not applied yet`]);
    expect(pending.outstandingExports).toEqual([{ exportId: NEXT, state: 'pending' }]);
    const applying = cutoverCheck(ledger({ exports: [...ledger().exports, entry(NEXT, 'applying')] }), NOW);
    expect(applying.reasons).toEqual([`export ${NEXT} is being applied`]);
  });

  test('a failed export, with its reason', () => {
    const failed = entry(NEXT, 'failed', { reason: '[VALIDATION_FAILED] counts differ' });
    const check = cutoverCheck(
      ledger({ exports: [...ledger().exports, failed], status: { state: 'failed', at: 'x' } }),
      NOW,
    );
    expect(check.reasons).toEqual([`export ${NEXT} failed: [VALIDATION_FAILED] counts differ`]);
    expect(check.failedExports).toEqual([{ exportId: NEXT, reason: '[VALIDATION_FAILED] counts differ' }]);
  });

  test('a sync that failed before choosing an export', () => {
    const check = cutoverCheck(
      ledger({ status: { state: 'failed', reason: '[EXPORT_NOT_FOUND] no bucket', at: 'x' } }),
      NOW,
    );
    expect(check.reasons).toEqual(['the sync failed: [EXPORT_NOT_FOUND] no bucket']);
  });

  test('a gap', () => {
    const check = cutoverCheck(ledger({ exports: [...ledger().exports, entry(NEXT, 'gap')] }), NOW);
    expect(check.reasons).toEqual([
      `export ${NEXT} starts after the point reached (a gap): the missing window must be exported, or gaps allowed`,
    ]);
  });

  test('no verification at all', () => {
    const check = cutoverCheck(ledger({ lastVerification: undefined }), NOW);
    expect(check.reasons).toEqual(['no full verification has been run (POST /api/tables/{name}/verify)']);
  });

  test('a verification from before the last applied export', () => {
    const check = cutoverCheck(ledger({ lastVerification: verification({ lastExportId: FULL }) }), NOW);
    expect(check.ready).toBe(false);
    expect(check.reasons).toEqual([
      `no full verification since export ${INCR} was applied (the last one covered ${FULL})`,
    ]);
    expect(check.lastVerification?.current).toBe(false);
  });

  test('a verification without an export id is matched by the point in time it reflects', () => {
    const byTime = verification({ lastExportId: undefined });
    expect(cutoverCheck(ledger({ lastVerification: byTime }), NOW).ready).toBe(true);
    const older = verification({ lastExportId: undefined, reachedTime: '2024-03-01T10:00:00.000Z' });
    expect(cutoverCheck(ledger({ lastVerification: older }), NOW).ready).toBe(false);
  });

  test('a failed verification names its counts and report', () => {
    const failed = verification({ passed: false, missingCount: 1, unexpectedCount: 1, differingCount: 1, matched: 18 });
    const check = cutoverCheck(ledger({ lastVerification: failed }), NOW);
    expect(check.reasons).toEqual([
      'the last full verification failed: 1 document missing, 1 unexpected, 1 differing (_verify/t/report.json)',
    ]);
  });

  test('dead letters of the applied chain count; those of a superseded full export do not', () => {
    const dead = (e: LedgerEntry, n: number): LedgerEntry => ({ ...e, report: { ...e.report!, deadLettered: n } });
    const old = { ...dead(entry(FULL, 'applied'), 7), exportId: '01600000000000-00000000' };
    const check = cutoverCheck(
      ledger({ exports: [old, entry(FULL, 'applied'), dead(entry(INCR, 'applied'), 2)] }),
      NOW,
    );
    expect(check.deadLetters).toEqual({
      count: 2,
      byExport: [{ exportId: INCR, count: 2, report: `${INCR}/report.json` }],
    });
    expect(check.reasons).toEqual([
      `2 items of the applied exports were dead-lettered and are not in the container (${INCR}: 2)`,
    ]);
  });

  test('a lag over the threshold, and none checked without one', () => {
    expect(cutoverCheck(ledger(), NOW, 30).reasons).toEqual([
      'the container reflects the table as of 2024-03-01T11:00:00.000Z, 60 minutes ago, more than the 30 allowed',
    ]);
    expect(cutoverCheck(ledger(), NOW).ready).toBe(true);
  });

  test('several problems are all listed', () => {
    const check = cutoverCheck(
      ledger({
        exports: [...ledger().exports, entry(NEXT, 'pending')],
        lastVerification: verification({ passed: false, missingCount: 2 }),
      }),
      NOW,
      10,
    );
    expect(check.reasons).toHaveLength(3);
  });
});
