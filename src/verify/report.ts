import { ContainerClient } from '@azure/storage-blob';
import { TableStore } from '../sync/table-store';
import { VerificationSummary } from '../sync/types';
import { readJson, writeJson } from './lake-json';
import { bucketResultPath, verificationReportPath } from './paths';
import { BucketResult, LIST_CAP, UnitTotals, Verification } from './types';

const READ_CONCURRENCY = 16;

export interface ReportInput {
  run: string;
  buckets: number;
  expectedSide: UnitTotals;
  containerSide: UnitTotals;
  bucketCharge: number;
  startedAt: string;
  finishedAt: string;
}

type Totals = Pick<
  Verification,
  | 'expected'
  | 'actual'
  | 'matched'
  | 'missingCount'
  | 'unexpectedCount'
  | 'differingCount'
  | 'missing'
  | 'unexpected'
  | 'differing'
>;

export function emptyTotals(): Totals {
  return {
    expected: 0,
    actual: 0,
    matched: 0,
    missingCount: 0,
    unexpectedCount: 0,
    differingCount: 0,
    missing: [],
    unexpected: [],
    differing: [],
  };
}

/** Adds one bucket's result (buckets are added in order): counts summed, each list filled up to LIST_CAP. */
export function addBucket(total: Totals, r: BucketResult): void {
  total.expected += r.expected;
  total.actual += r.actual;
  total.matched += r.matched;
  total.missingCount += r.missingCount;
  total.unexpectedCount += r.unexpectedCount;
  total.differingCount += r.differingCount;
  total.missing.push(...r.missing.slice(0, LIST_CAP - total.missing.length));
  total.unexpected.push(...r.unexpected.slice(0, LIST_CAP - total.unexpected.length));
  total.differing.push(...r.differing.slice(0, LIST_CAP - total.differing.length));
}

/**
 * The verification's report: every bucket's result read back from the lake (they are not in the orchestration's
 * history, which stays small), a few at a time and in bucket order, summed, written to `<run>/report.json`. It
 * passes when every expected document is in the container as expected and nothing else is.
 */
export async function writeVerificationReport(lake: ContainerClient, input: ReportInput): Promise<Verification> {
  const total = emptyTotals();
  for (let from = 0; from < input.buckets; from += READ_CONCURRENCY) {
    const window = Array.from({ length: Math.min(READ_CONCURRENCY, input.buckets - from) }, (_, i) =>
      readJson<BucketResult>(lake, bucketResultPath(input.run, from + i)),
    );
    for (const result of await Promise.all(window)) addBucket(total, result);
  }
  const verification: Verification = {
    passed: total.missingCount === 0 && total.unexpectedCount === 0 && total.differingCount === 0,
    ...total,
    unmappable: input.expectedSide.unmappable,
    buckets: input.buckets,
    requestCharge: Math.round((input.containerSide.requestCharge + input.bucketCharge) * 100) / 100,
    report: verificationReportPath(input.run),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationMs: Date.parse(input.finishedAt) - Date.parse(input.startedAt),
  };
  await writeJson(lake, verification.report, verification);
  return verification;
}

/** The ledger's `lastVerification` (what the cut-over check reads), written with the table store's ETag retries. */
export async function recordTableVerification(
  lake: ContainerClient,
  table: string,
  summary: VerificationSummary,
): Promise<void> {
  await new TableStore(lake).updateLedger(table, new Date().toISOString(), (ledger) => ({
    ...ledger,
    lastVerification: summary,
  }));
}

export function summaryOf(
  verification: Verification,
  instanceId: string,
  table: { reachedTime?: string; lastExportId?: string },
): VerificationSummary {
  return {
    instanceId,
    reachedTime: table.reachedTime,
    lastExportId: table.lastExportId,
    startedAt: verification.startedAt,
    finishedAt: verification.finishedAt,
    passed: verification.passed,
    expected: verification.expected,
    actual: verification.actual,
    matched: verification.matched,
    missingCount: verification.missingCount,
    unexpectedCount: verification.unexpectedCount,
    differingCount: verification.differingCount,
    report: verification.report,
  };
}
