import { DiscoveredExport, Ledger, LedgerEntry } from './types';

export interface SyncPlan {
  ledger: Ledger;
  /** The one export to apply now, if any; everything after it waits for the next plan. */
  next?: LedgerEntry;
}

const RETRYABLE = new Set(['pending', 'failed', 'gap', 'applying']);

/** Where an applied export leaves the container in time. */
function coverageEnd(entry: LedgerEntry): string | undefined {
  return entry.exportType === 'FULL_EXPORT' ? entry.exportTime : entry.toTime;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function byTime(a: LedgerEntry, b: LedgerEntry): number {
  const key = (e: LedgerEntry): [number, number] =>
    e.exportType === 'FULL_EXPORT'
      ? [Date.parse(e.exportTime ?? ''), 0]
      : [Date.parse(e.fromTime ?? ''), Date.parse(e.toTime ?? '')];
  const [a1, a2] = key(a);
  const [b1, b2] = key(b);
  return a1 - b1 || a2 - b2 || a.exportId.localeCompare(b.exportId);
}

function mark(entry: LedgerEntry, state: LedgerEntry['state'], reason: string | undefined, now: string): void {
  if (entry.state === state && entry.reason === reason) return;
  entry.state = state;
  entry.reason = reason;
  entry.updatedAt = now;
}

/** Adds exports seen for the first time to the ledger as `pending`; known ones keep their state. */
export function mergeDiscovered(ledger: Ledger, discovered: DiscoveredExport[], now: string): Ledger {
  const known = new Set(ledger.exports.map((e) => e.exportId));
  const added: LedgerEntry[] = discovered
    .filter((d) => !known.has(d.exportId))
    .map((d) => ({ ...d, state: 'pending', attempts: 0, firstSeenAt: now, updatedAt: now }));
  return { ...ledger, exports: [...ledger.exports, ...added].sort(byTime) };
}

/**
 * Decides which export a table's sync applies next (mapping.md §5, strictly in time order):
 * - none applied yet: the latest full export is the base; older full exports and incrementals that end
 *   before it are skipped;
 * - then incrementals in window order; one that ends at or before the point reached is skipped (applying
 *   it would take items back in time), one that overlaps it is applied, one that starts after it is a
 *   gap: the sync stops there with the reason, unless `allowGaps`, which applies it with a warning.
 * A full export after the base is skipped: it carries no deletes, so it cannot bring a synced container
 * up to date. Exports of another table (different tableArn) are skipped.
 */
export function planSync(ledger: Ledger, discovered: DiscoveredExport[], allowGaps: boolean, now: string): SyncPlan {
  const merged = mergeDiscovered(ledger, discovered, now);
  const entries = merged.exports;
  const result = (
    next: LedgerEntry | undefined,
    state: Ledger['status']['state'],
    reason?: string,
    reached?: string,
  ): SyncPlan => ({
    ledger: {
      ...merged,
      reachedTime: reached,
      status: { state: next ? 'syncing' : state, reason: next ? undefined : reason, at: now },
    },
    next,
  });

  let base = entries.find((e) => e.exportType === 'FULL_EXPORT' && e.state === 'applied');
  if (!base) {
    const fulls = entries.filter((e) => e.exportType === 'FULL_EXPORT' && RETRYABLE.has(e.state));
    if (fulls.length === 0) {
      const reason = entries.length
        ? 'no full export found: a sync starts from a full export of the table (Export to S3, type FULL_EXPORT, same S3 prefix)'
        : 'no completed export found under the prefix yet';
      return result(undefined, 'waiting', reason);
    }
    base = fulls[fulls.length - 1];
    for (const older of fulls.slice(0, -1))
      mark(older, 'skipped', `a later full export (${base.exportId}) is the base`, now);
    if (base.state === 'gap') mark(base, 'pending', undefined, now);
    return result(base, 'syncing');
  }

  let reached = coverageEnd(base);
  for (const e of entries)
    if (e.state === 'applied' && e.exportType === 'INCREMENTAL_EXPORT') reached = later(reached, coverageEnd(e));
  const baseTime = Date.parse(base.exportTime ?? '');

  for (const entry of entries) {
    if (!RETRYABLE.has(entry.state)) continue;
    if (entry.tableArn !== base.tableArn) {
      mark(entry, 'skipped', `belongs to ${entry.tableArn}, not ${base.tableArn}`, now);
    } else if (entry.exportType === 'FULL_EXPORT') {
      const when = Date.parse(entry.exportTime ?? '') > baseTime ? 'after' : 'before';
      mark(
        entry,
        'skipped',
        `a full export ${when} the base full export ${base.exportId}; only incremental exports are applied on top of it`,
        now,
      );
    } else if (Date.parse(entry.toTime ?? '') <= Date.parse(reached ?? '')) {
      mark(
        entry,
        'skipped',
        `its window ends at ${entry.toTime}, not after ${reached}, the point already applied`,
        now,
      );
    }
  }

  const candidates = entries.filter((e) => RETRYABLE.has(e.state) && e.exportType === 'INCREMENTAL_EXPORT');
  if (candidates.length === 0) return result(undefined, 'up-to-date', undefined, reached);
  const next = candidates[0];
  for (const waiting of candidates.slice(1)) if (waiting.state === 'gap') mark(waiting, 'pending', undefined, now);
  if (Date.parse(next.fromTime ?? '') > Date.parse(reached ?? '')) {
    const missing = `changes from ${reached} to ${next.fromTime} are in no export`;
    if (!allowGaps) {
      const reason = `${missing}: export that window (incremental, ExportFromTime ${reached}, ExportToTime ${next.fromTime}) to the same prefix, or set options.allowGaps to apply ${next.exportId} anyway`;
      mark(next, 'gap', reason, now);
      return result(undefined, 'stopped', `gap before ${next.exportId}: ${reason}`, reached);
    }
    next.warning = `${missing}; applied anyway because options.allowGaps is set`;
  }
  if (next.state === 'gap') mark(next, 'pending', undefined, now);
  return result(next, 'syncing', undefined, reached);
}
