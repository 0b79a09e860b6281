import { S3Client } from '@aws-sdk/client-s3';
import { MigrationError } from '../errors';
import { MigrationReport } from '../migration/contracts';
import { MigrationRequest } from '../migration/request';
import { discoverExports } from './discover-exports';
import { planSync } from './plan';
import { TableStore } from './table-store';
import { emptyLedger, Ledger, LedgerEntry, ReportSummary, requestFor } from './types';
import { registrationNamesProblem } from './validate-registration';

/** The next export of a table to apply, already marked `applying` in the ledger. */
export type NextStep =
  | {
      kind: 'apply';
      exportId: string;
      exportType: LedgerEntry['exportType'];
      instanceId: string;
      request: MigrationRequest;
      warning?: string;
    }
  | { kind: 'done'; state: Ledger['status']['state']; reason?: string }
  | { kind: 'unregistered' };

/**
 * One planning step of a table's sync: finds new complete exports, records them, decides the next one
 * (src/sync/plan.ts) and marks it `applying` under a fresh migration instance id. Its attempt number is in
 * the id, so a retried export never reuses the instance of an earlier attempt.
 */
export async function planNextStep(
  store: TableStore,
  s3: S3Client,
  table: string,
  syncInstanceId: string,
  now: string,
): Promise<NextStep> {
  const registration = await store.getRegistration(table);
  if (!registration) return { kind: 'unregistered' };
  // A registration stored before today's name rules were enforced must not turn into paths either.
  const invalid = registrationNamesProblem(registration.value);
  if (invalid)
    throw new MigrationError('CONFIGURATION', `the registration of table ${table} ${invalid}; register it again`);
  const { source, options } = registration.value;
  let step: NextStep = { kind: 'done', state: 'up-to-date' };
  const current = await store.getLedger(table, now);
  const known = new Set(current.value.exports.map((e) => e.exportPrefix));
  let discovery: Awaited<ReturnType<typeof discoverExports>>;
  try {
    discovery = await discoverExports(s3, source.bucket, source.exportsPrefix, known);
  } catch (error) {
    // A bucket that does not exist, access denied: the ledger says so, and the sync ends as failed.
    if (!(error instanceof MigrationError) || error.retryable) throw error;
    await recordFailure(store, table, error.message, now);
    return { kind: 'done', state: 'failed', reason: error.message };
  }
  await store.updateLedger(table, now, (ledger) => {
    const plan = planSync(ledger, discovery.exports, options.allowGaps, now);
    const next = plan.next;
    const planned: Ledger = { ...plan.ledger, unreadable: discovery.unreadable };
    if (!next) {
      step = { kind: 'done', state: planned.status.state, reason: planned.status.reason };
      return planned;
    }
    next.attempts += 1;
    next.state = 'applying';
    next.reason = undefined;
    next.instanceId = `${syncInstanceId}-${next.exportId}-${next.attempts}`;
    next.updatedAt = now;
    planned.status = { state: 'syncing', reason: `applying ${next.exportId}`, at: now };
    step = {
      kind: 'apply',
      exportId: next.exportId,
      exportType: next.exportType,
      instanceId: next.instanceId,
      request: withDocumentsBefore(requestFor(registration.value, next), planned.expectedDocuments),
      warning: next.warning,
    };
    return planned;
  });
  return step;
}

/** The ledger's count hands the export's validation what the container should hold before it (container-count.ts). */
function withDocumentsBefore(request: MigrationRequest, expected: number | undefined): MigrationRequest {
  return expected === undefined ? request : { ...request, documentsBefore: expected };
}

/**
 * What the container should hold once this export's outcome is recorded. A count that reconciled is the count
 * itself (it is within what the export allowed); one that did not is what the export says the table holds, so
 * the next export is compared with the table again, not with the unexpected documents. A migration that ended
 * without a report, or an incremental export whose count before was not known, leaves the count unknown: what
 * such a run changed was not counted, and the next full export starts a new one.
 */
export function expectedAfter(report: MigrationReport | undefined): number | undefined {
  const container = report?.validation.container;
  if (!container) return undefined;
  return container.reconciled && container.expected !== undefined ? container.actual : container.expected;
}

function summarise(report: MigrationReport): ReportSummary {
  return {
    passed: report.validation.passed,
    written: report.items.written,
    deleted: report.items.deleted,
    deadLettered: report.items.deadLettered,
    failedFiles: report.files.failed,
    durationMs: report.durationMs,
    report: report.lake.report,
  };
}

/** What applying one export came to: its report, or the reason (`[CODE] message`) its migration failed. */
export interface ApplyOutcome {
  /** Empty when the sync failed before it chose an export (its planning failed): `error` is the table's. */
  exportId: string;
  report?: MigrationReport;
  error?: string;
}

function containerProblem(report: MigrationReport | undefined): string {
  const container = report?.validation.container;
  return container && !container.reconciled ? `; ${container.detail}` : '';
}

/** `[CODE] message` about export `exportId`: `[CODE] export <id>: message`. */
function aboutExport(exportId: string, reason: string): string {
  const code = /^\[[A-Z_]+\] /.exec(reason);
  return code ? `${code[0]}export ${exportId}: ${reason.slice(code[0].length)}` : `export ${exportId}: ${reason}`;
}

/**
 * Records that the table's sync failed as a whole (`reason` is `[CODE] message`), unless the table is no longer
 * registered: a sync must not bring back the ledger of a table deleted while it ran.
 */
async function recordFailure(store: TableStore, table: string, reason: string, now: string): Promise<Ledger> {
  if (!(await store.getRegistration(table))) return unregisteredLedger(table, now);
  return store.updateLedger(table, now, (ledger) => ({ ...ledger, status: { state: 'failed', reason, at: now } }));
}

function unregisteredLedger(table: string, now: string): Ledger {
  return {
    ...emptyLedger(table, now),
    status: {
      state: 'failed',
      reason: `[CONFIGURATION] table ${table} is no longer registered (it was deleted while its sync ran); nothing was recorded`,
      at: now,
    },
  };
}

/**
 * Records the outcome of one export in the ledger. An export counts as applied only when its report
 * validates: anything else is `failed`, the table's sync stops there, and the next sync tries it again
 * (re-applying an export is harmless: upserts and deletes by deterministic id).
 */
export async function recordOutcome(
  store: TableStore,
  table: string,
  outcome: ApplyOutcome,
  now: string,
): Promise<Ledger> {
  if (outcome.exportId === '') return recordFailure(store, table, outcome.error ?? '[INTERNAL] the sync failed', now);
  if (!(await store.getRegistration(table))) return unregisteredLedger(table, now);
  return store.updateLedger(table, now, (ledger) => {
    const entry = ledger.exports.find((e) => e.exportId === outcome.exportId);
    if (!entry) return ledger;
    entry.updatedAt = now;
    if (outcome.report) entry.report = summarise(outcome.report);
    const passed = outcome.report?.validation.passed === true;
    entry.state = passed ? 'applied' : 'failed';
    entry.reason = passed
      ? undefined
      : (outcome.error ??
        `[VALIDATION_FAILED] the migration into ${outcome.report?.target.database}/${outcome.report?.target.container} did not pass validation (${outcome.report?.validation.countsDetail}; ${outcome.report?.validation.mismatched} sampled item(s) differ; ${outcome.report?.files.failed} file(s) failed${containerProblem(outcome.report)})`);
    const reached = passed
      ? entry.exportType === 'FULL_EXPORT'
        ? entry.exportTime
        : entry.toTime
      : ledger.reachedTime;
    return {
      ...ledger,
      reachedTime: reached,
      expectedDocuments: expectedAfter(outcome.report),
      status: passed
        ? { state: 'syncing', at: now }
        : { state: 'failed', reason: aboutExport(entry.exportId, entry.reason ?? ''), at: now },
    };
  });
}
