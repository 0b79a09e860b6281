import type { ErrorCode } from '../src/errors';
import { FileOutcome } from '../src/migration/contracts';
import { MappingStats, mergeMappingStats, newMappingStats } from '../src/mapping/stats';

/** Running totals over finished files; what customStatus shows and the report is built from. */
export interface Progress {
  files: { total: number; copied: number; copySkipped: number; loaded: number; failed: number };
  items: {
    expected: number;
    read: number;
    written: number;
    deleted: number;
    deadLettered: number;
    inFailedFiles: number;
  };
  bytesCopied: number;
  requestCharge: number;
  stats: MappingStats;
  failures: { file: string; code: ErrorCode; message: string }[];
  sampleFileIndexes: number[];
}

export function newProgress(totalFiles: number, expectedItems: number): Progress {
  return {
    files: { total: totalFiles, copied: 0, copySkipped: 0, loaded: 0, failed: 0 },
    items: { expected: expectedItems, read: 0, written: 0, deleted: 0, deadLettered: 0, inFailedFiles: 0 },
    bytesCopied: 0,
    requestCharge: 0,
    stats: newMappingStats(),
    failures: [],
    sampleFileIndexes: [],
  };
}

function addLoadCounts(progress: Progress, load: NonNullable<FileOutcome['load']>): void {
  progress.items.read += load.linesRead;
  progress.items.written += load.written;
  progress.items.deleted += load.deleted;
  progress.items.deadLettered += load.deadLettered;
  progress.requestCharge += load.requestCharge;
  progress.stats = mergeMappingStats(progress.stats, load.stats);
}

/** Adds finished files to the totals (mutates and returns `progress`). */
export function addOutcomes(progress: Progress, outcomes: FileOutcome[]): Progress {
  for (const outcome of outcomes) {
    if (outcome.copy) {
      if (outcome.copy.method === 'skipped') progress.files.copySkipped++;
      else progress.files.copied++;
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
    updatedAt: now.toISOString(),
  };
}
