import type { RuCap } from '../src/cosmos/throughput';
import type { ChangeCounts, ItemCounts } from '../src/validation/counts';
import { FileCounts, FileFailure, FileOutcome } from '../src/migration/contracts';
import { MappingStats, mergeMappingStats, newMappingStats } from '../src/mapping/stats';

/** Running totals over finished files; what customStatus shows and the report is built from. */
export interface Progress {
  files: FileCounts;
  items: ItemCounts;
  bytesCopied: number;
  requestCharge: number;
  stats: MappingStats;
  failures: FileFailure[];
  sampleFileIndexes: number[];
  /** Progress over time for the dashboard's chart, bounded (recordSample); absent until the first publish. */
  samples?: ProgressSample[];
  /** The migration's RU/s cap and where it came from (prepareTarget); absent in orchestrations started before. */
  ruCap?: RuCap;
}

/** One point of the progress series: [seconds since the migration started, items done, request units charged]. */
export type ProgressSample = [seconds: number, items: number, requestUnits: number];

/** Past this many points the series is thinned to every other one: about 1.5 KB of the 16 KB custom status. */
export const MAX_PROGRESS_SAMPLES = 60;

/**
 * Adds the current totals to `progress.samples` and returns the series. Deterministic: it is called at the same
 * points of every replay with the orchestration clock. Unchanged totals add nothing; a full series keeps its
 * first and last points and every other one between, so it spans the whole run at half the resolution.
 */
export function recordSample(progress: Progress, elapsedMs: number): ProgressSample[] {
  const samples = (progress.samples ??= []);
  const done = progress.items.written + progress.items.deleted + progress.items.deadLettered;
  const sample: ProgressSample = [Math.round(elapsedMs / 100) / 10, done, Math.round(progress.requestCharge)];
  const last = samples[samples.length - 1];
  if (last && last[1] === sample[1] && last[2] === sample[2]) return samples;
  if (last && last[0] === sample[0]) samples[samples.length - 1] = sample;
  else samples.push(sample);
  const kept =
    samples.length > MAX_PROGRESS_SAMPLES ? samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1) : samples;
  progress.samples = kept;
  return kept;
}

export function newProgress(totalFiles: number, expectedItems: number, ruCap?: RuCap): Progress {
  return {
    ...(ruCap ? { ruCap } : {}),
    files: {
      total: totalFiles,
      copied: 0,
      copySkipped: 0,
      copyMethods: { server: 0, stream: 0, skipped: 0 },
      loaded: 0,
      failed: 0,
    },
    items: { expected: expectedItems, read: 0, written: 0, deleted: 0, deadLettered: 0, inFailedFiles: 0 },
    bytesCopied: 0,
    requestCharge: 0,
    stats: newMappingStats(),
    failures: [],
    sampleFileIndexes: [],
  };
}

/** The split of written and deleted by the service's answers (LoadTotals.created…): what the container count needs. */
const CHANGE_COUNTS: readonly (keyof ChangeCounts)[] = [
  'created',
  'replaced',
  'deletedPresent',
  'deletedAbsent',
  'replacedOnResend',
  'absentOnResend',
];

function addLoadCounts(progress: Progress, load: NonNullable<FileOutcome['load']>): void {
  progress.items.read += load.linesRead;
  progress.items.written += load.written;
  progress.items.deleted += load.deleted;
  progress.items.deadLettered += load.deadLettered;
  for (const key of CHANGE_COUNTS) {
    const count = load[key];
    if (count !== undefined) progress.items[key] = (progress.items[key] ?? 0) + count;
  }
  progress.requestCharge += load.requestCharge;
  progress.stats = mergeMappingStats(progress.stats, load.stats);
}

/** Adds finished files to the totals (mutates and returns `progress`). */
export function addOutcomes(progress: Progress, outcomes: FileOutcome[]): Progress {
  for (const outcome of outcomes) {
    if (outcome.copy) {
      if (outcome.copy.method === 'skipped') progress.files.copySkipped++;
      else progress.files.copied++;
      // Progress saved by a run from before copyMethods existed has none yet.
      progress.files.copyMethods ??= { server: 0, stream: 0, skipped: 0 };
      progress.files.copyMethods[outcome.copy.method]++;
      progress.bytesCopied += outcome.copy.bytes;
    }
    if (outcome.error) {
      progress.files.failed++;
      progress.items.inFailedFiles += outcome.itemCount;
      progress.failures.push({ file: outcome.key, code: outcome.error.code, message: outcome.error.message });
      // A file that failed after loading part of it (CORRUPT_GZIP, FILE_POISONED): that part is in the container, so it is counted.
      if (outcome.load) addLoadCounts(progress, outcome.load);
      continue;
    }
    const load = outcome.load;
    if (!load) continue;
    progress.files.loaded++;
    addLoadCounts(progress, load);
    if (load.sampled > 0) progress.sampleFileIndexes.push(outcome.index);
  }
  return progress;
}

export interface CustomStatus {
  phase: 'reading-manifest' | 'preparing-target' | 'loading' | 'validating' | 'reporting' | 'done';
  exportId?: string;
  files?: { total: number; copied: number; loaded: number; failed: number };
  items?: { expected: number; written: number; deleted: number; deadLettered: number };
  bytesCopied?: number;
  itemsPerSecond?: number;
  etaSeconds?: number;
  /** Request units charged by the files loaded so far, and per second since the start. */
  requestCharge?: number;
  requestUnitsPerSecond?: number;
  /** When the migration started (orchestration clock): the samples' seconds count from here. */
  startedAt?: string;
  samples?: ProgressSample[];
  /** The RU/s cap the loads keep to, and its source: `request`, `offer`, `setting`, or `none` with the reason. */
  ruCap?: RuCap;
  updatedAt: string;
}

/** customStatus for the status API; elapsed time comes from the orchestration clock (deterministic). */
export function customStatusOf(
  phase: CustomStatus['phase'],
  progress: Progress | undefined,
  exportId: string | undefined,
  elapsedMs: number,
  now: Date,
): CustomStatus {
  if (!progress) return { phase, exportId, updatedAt: now.toISOString() };
  const done = progress.items.written + progress.items.deleted + progress.items.deadLettered;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = Math.max(0, progress.items.expected - done - progress.items.inFailedFiles);
  return {
    phase,
    exportId,
    files: {
      total: progress.files.total,
      copied: progress.files.copied + progress.files.copySkipped,
      loaded: progress.files.loaded,
      failed: progress.files.failed,
    },
    items: {
      expected: progress.items.expected,
      written: progress.items.written,
      deleted: progress.items.deleted,
      deadLettered: progress.items.deadLettered,
    },
    bytesCopied: progress.bytesCopied,
    itemsPerSecond: Math.round(rate),
    etaSeconds: rate > 0 ? Math.round(left / rate) : undefined,
    requestCharge: Math.round(progress.requestCharge),
    requestUnitsPerSecond: elapsedMs > 0 ? Math.round((progress.requestCharge * 1000) / elapsedMs) : 0,
    startedAt: new Date(now.getTime() - elapsedMs).toISOString(),
    samples: recordSample(progress, elapsedMs),
    ...(progress.ruCap ? { ruCap: progress.ruCap } : {}),
    updatedAt: now.toISOString(),
  };
}
