import { Ledger, LedgerEntry, VerificationSummary } from './types';

/** What the cut-over check answers for a synced table (`GET /api/tables/{name}/cutover`). */
export interface CutoverCheck {
  table: string;
  /** True only when `reasons` is empty. */
  ready: boolean;
  /** Everything that stands in the way, one sentence each; empty when ready. */
  reasons: string[];
  checkedAt: string;
  /** The point in time the container reflects (the ledger's), and how far behind `checkedAt` that is. */
  reachedTime?: string;
  lagMinutes?: number;
  /** The threshold the lag was held to (`?maxLagMinutes=`); absent when none was given. */
  maxLagMinutes?: number;
  sync: Ledger['status'];
  lastApplied?: Pick<LedgerEntry, 'exportId' | 'exportType' | 'exportTime' | 'fromTime' | 'toTime' | 'instanceId'> & {
    report?: string;
  };
  /** The last full verification, and whether it covers the last applied export. */
  lastVerification?: VerificationSummary & { current: boolean };
  /** Items dead-lettered by the exports the container's state is built from (the base full export onwards). */
  deadLetters: { count: number; byExport: { exportId: string; count: number; report?: string }[] };
  /** Container documents expected by the ledger (carried from the full export through every incremental). */
  expectedDocuments?: number;
  failedExports: { exportId: string; reason?: string }[];
  /** Exports still to be applied: pending, applying, or stopped at a gap. */
  outstandingExports: { exportId: string; state: LedgerEntry['state'] }[];
}

function lastApplied(ledger: Ledger): LedgerEntry | undefined {
  for (let i = ledger.exports.length - 1; i >= 0; i--)
    if (ledger.exports[i].state === 'applied') return ledger.exports[i];
  return undefined;
}

/** The applied exports the container's state is built from: the last applied full export and the ones after it. */
function appliedChain(ledger: Ledger): LedgerEntry[] {
  const applied = ledger.exports.filter((e) => e.state === 'applied');
  let base = -1;
  applied.forEach((e, i) => {
    if (e.exportType === 'FULL_EXPORT') base = i;
  });
  return base < 0 ? applied : applied.slice(base);
}

/** Whether the verification's expected state included the last applied export (and so everything before it). */
function covers(verification: VerificationSummary, applied: LedgerEntry, reachedTime: string | undefined): boolean {
  if (verification.lastExportId !== undefined) return verification.lastExportId === applied.exportId;
  return verification.reachedTime !== undefined && verification.reachedTime === reachedTime;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Whether a synced table's container can take over from the table, from its ledger alone: pure, so every case is
 * a unit test. Ready means an export has been applied, nothing is pending, applying, failed or stopped at a gap,
 * the sync itself has not failed, a full verification covering the last applied export passed, no item of the
 * applied exports was dead-lettered, and (when `maxLagMinutes` is given) the point reached is recent enough.
 */
export function cutoverCheck(ledger: Ledger, now: Date, maxLagMinutes?: number): CutoverCheck {
  const reasons: string[] = [];
  const applied = lastApplied(ledger);
  const chain = appliedChain(ledger);
  const outstanding = ledger.exports.filter(
    (e) => e.state === 'pending' || e.state === 'applying' || e.state === 'gap',
  );
  const failed = ledger.exports.filter((e) => e.state === 'failed');

  if (!applied) reasons.push('no export has been applied to the container yet');
  for (const e of outstanding) {
    reasons.push(
      e.state === 'gap'
        ? `export ${e.exportId} starts after the point reached (a gap): the missing window must be exported, or gaps allowed`
        : `export ${e.exportId} is ${e.state === 'pending' ? 'pending: not applied yet' : 'being applied'}`,
    );
  }
  for (const e of failed) reasons.push(`export ${e.exportId} failed${e.reason ? `: ${e.reason}` : ''}`);
  if (ledger.status.state === 'failed' && failed.length === 0)
    reasons.push(`the sync failed${ledger.status.reason ? `: ${ledger.status.reason}` : ''}`);

  const verification = ledger.lastVerification;
  const current =
    verification !== undefined && applied !== undefined && covers(verification, applied, ledger.reachedTime);
  if (applied) {
    if (!verification) reasons.push('no full verification has been run (POST /api/tables/{name}/verify)');
    else if (!current)
      reasons.push(
        `no full verification since export ${applied.exportId} was applied (the last one covered ${verification.lastExportId ?? verification.reachedTime ?? 'an earlier state'})`,
      );
  }
  if (verification && !verification.passed) {
    reasons.push(
      `the last full verification failed: ${plural(verification.missingCount, 'document')} missing, ${verification.unexpectedCount} unexpected, ${verification.differingCount} differing (${verification.report})`,
    );
  }

  const byExport = chain
    .filter((e) => (e.report?.deadLettered ?? 0) > 0)
    .map((e) => ({ exportId: e.exportId, count: e.report?.deadLettered ?? 0, report: e.report?.report }));
  const deadLettered = byExport.reduce((sum, e) => sum + e.count, 0);
  if (deadLettered > 0)
    reasons.push(
      `${plural(deadLettered, 'item')} of the applied exports ${deadLettered === 1 ? 'was' : 'were'} dead-lettered and ${deadLettered === 1 ? 'is' : 'are'} not in the container (${byExport.map((e) => `${e.exportId}: ${e.count}`).join(', ')})`,
    );

  const reached = ledger.reachedTime ? Date.parse(ledger.reachedTime) : NaN;
  const lagMinutes = Number.isNaN(reached) ? undefined : Math.max(0, Math.round((now.getTime() - reached) / 6000) / 10);
  if (maxLagMinutes !== undefined && lagMinutes !== undefined && lagMinutes > maxLagMinutes)
    reasons.push(
      `the container reflects the table as of ${ledger.reachedTime}, ${lagMinutes} minutes ago, more than the ${maxLagMinutes} allowed`,
    );

  return {
    table: ledger.table,
    ready: reasons.length === 0,
    reasons,
    checkedAt: now.toISOString(),
    ...(ledger.reachedTime ? { reachedTime: ledger.reachedTime } : {}),
    ...(lagMinutes !== undefined ? { lagMinutes } : {}),
    ...(maxLagMinutes !== undefined ? { maxLagMinutes } : {}),
    sync: ledger.status,
    ...(applied
      ? {
          lastApplied: {
            exportId: applied.exportId,
            exportType: applied.exportType,
            exportTime: applied.exportTime,
            fromTime: applied.fromTime,
            toTime: applied.toTime,
            instanceId: applied.instanceId,
            report: applied.report?.report,
          },
        }
      : {}),
    ...(verification ? { lastVerification: { ...verification, current } } : {}),
    deadLetters: { count: deadLettered, byExport },
    ...(ledger.expectedDocuments !== undefined ? { expectedDocuments: ledger.expectedDocuments } : {}),
    failedExports: failed.map((e) => ({ exportId: e.exportId, reason: e.reason })),
    outstandingExports: outstanding.map((e) => ({ exportId: e.exportId, state: e.state })),
  };
}
