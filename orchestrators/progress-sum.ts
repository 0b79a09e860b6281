import { mergeMappingStats } from '../src/mapping/stats';
import { Progress } from './progress';

type Counts = Record<string, unknown>;

function isCounts(value: unknown): value is Counts {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds every number of `add` into the same place of `into`, nested counts alike; what `into` lacks is copied. */
function addNumbers(into: Counts, add: Counts): void {
  for (const [key, value] of Object.entries(add)) {
    const current = into[key];
    if (typeof value === 'number') into[key] = (typeof current === 'number' ? current : 0) + value;
    else if (isCounts(value)) {
      if (!isCounts(current)) into[key] = {};
      addNumbers(into[key] as Counts, value);
    }
  }
}

/**
 * Adds one lane's totals to the migration's (mutates and returns `into`). Every count is summed by name, so a
 * count added to Progress later is summed without a change here; the failures, sampled files and mapping
 * statistics are joined; the RU cap and the progress series stay the migration's own.
 */
export function addProgress(into: Progress, add: Partial<Progress>): Progress {
  const { stats, failures, sampleFileIndexes, samples: _samples, ruCap: _ruCap, ...counts } = add;
  addNumbers(into as unknown as Counts, counts as Counts);
  if (stats) into.stats = mergeMappingStats(into.stats, stats);
  if (failures) into.failures.push(...failures);
  if (sampleFileIndexes) into.sampleFileIndexes.push(...sampleFileIndexes);
  return into;
}
