import { setOwnProperty } from './objects';

/**
 * What the mapping did that a user should know about, for the report (mapping.md §2, §4). Plain objects
 * of counts so the stats cross Durable activity boundaries as JSON and can be summed at fan-in.
 */
export interface MappingStats {
  /** Numbers written as strings, per normalised attribute path (`items[].price`). */
  numbersAsStrings: Record<string, number>;
  /** `double` mode only: numbers whose nearest double is not the same decimal value, per normalised path. */
  precisionLost: Record<string, number>;
  /** Top-level attributes renamed with the `_ddb_` prefix, per source name (`id`, `_ts`, …). */
  renames: Record<string, number>;
}

export function newMappingStats(): MappingStats {
  return { numbersAsStrings: {}, precisionLost: {}, renames: {} };
}

/** Adds `by` to `counts[key]`; attribute names such as `constructor` or `__proto__` are ordinary keys here. */
function addCount(counts: Record<string, number>, key: string, by = 1): void {
  const previous = Object.hasOwn(counts, key) ? counts[key] : 0;
  setOwnProperty(counts, key, previous + by);
}

function sumCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(a)) addCount(out, key, a[key]);
  for (const key of Object.keys(b)) addCount(out, key, b[key]);
  return out;
}

/** A new object with the counts of both; neither input changes, so it suits a fan-in `reduce`. */
export function mergeMappingStats(a: MappingStats, b: MappingStats): MappingStats {
  return {
    numbersAsStrings: sumCounts(a.numbersAsStrings, b.numbersAsStrings),
    precisionLost: sumCounts(a.precisionLost, b.precisionLost),
    renames: sumCounts(a.renames, b.renames),
  };
}

/**
 * Counts of the item being mapped, held back until the whole item has mapped so that a line which is
 * dead-lettered half-way adds nothing to the report. One entry per occurrence.
 */
export interface PendingStats {
  numbersAsStrings: string[];
  precisionLost: string[];
  renames: string[];
}

export function newPendingStats(): PendingStats {
  return { numbersAsStrings: [], precisionLost: [], renames: [] };
}

export function clearPendingStats(pending: PendingStats): void {
  emptied(pending.numbersAsStrings);
  emptied(pending.precisionLost);
  emptied(pending.renames);
}

/**
 * Empties `list` by popping: an item counts a few things at most, and `pop` stays in compiled code where setting
 * `length` calls into the runtime (measurable per item when most items keep one number as a string).
 */
function emptied(list: string[]): void {
  while (list.length !== 0) list.pop();
}

/** Adds the held-back counts to `stats` and clears them. */
export function commitPendingStats(pending: PendingStats, stats: MappingStats): void {
  for (let i = 0; i < pending.numbersAsStrings.length; i++)
    addCount(stats.numbersAsStrings, pending.numbersAsStrings[i]);
  for (let i = 0; i < pending.precisionLost.length; i++) addCount(stats.precisionLost, pending.precisionLost[i]);
  for (let i = 0; i < pending.renames.length; i++) addCount(stats.renames, pending.renames[i]);
  clearPendingStats(pending);
}
