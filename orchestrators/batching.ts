import { FileTask, ManifestFile } from '../src/migration/contracts';
import { sampleQuotas } from '../src/migration/sample-quotas';

/** Keeps the parent's history to a few hundred events whatever the number of files. */
const MAX_BATCHES = 200;

export interface BatchPlan {
  batches: FileTask[][];
  /** Sub-orchestrations running at once. */
  parallelBatches: number;
  /** Files running at once inside one sub-orchestration. */
  filesPerBatch: number;
}

/**
 * Groups files into sub-orchestrations. With few files each file gets its own, so progress moves file by
 * file; with thousands, files are grouped so the parent never replays more than MAX_BATCHES completions.
 */
export function planBatches(files: ManifestFile[], sampleSize: number, maxParallelFiles: number): BatchPlan {
  const quotas = sampleQuotas(
    files.map((file) => file.itemCount),
    sampleSize,
  );
  const tasks: FileTask[] = files.map((file, i) => ({ ...file, sampleQuota: quotas[i] }));
  const size = Math.max(1, Math.ceil(tasks.length / MAX_BATCHES));
  const batches: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += size) batches.push(tasks.slice(i, i + size));
  const filesPerBatch = Math.max(1, Math.min(size, maxParallelFiles));
  const parallelBatches = Math.max(1, Math.floor(maxParallelFiles / filesPerBatch));
  return { batches, parallelBatches, filesPerBatch };
}
