import { FileTask, ManifestFile } from '../src/migration/contracts';
import { sampleQuotas } from '../src/migration/sample-quotas';

/**
 * Shares the files out over `maxParallelFiles` lanes (fewer when there are fewer files): the largest file first,
 * each to the lane with the fewest items so far, so the lanes end close together even when file sizes are skewed
 * (longest-processing-time-first). Each lane takes its files largest first; the small ones fill in at the end.
 */
export function planLanes(files: ManifestFile[], sampleSize: number, maxParallelFiles: number): FileTask[][] {
  const quotas = sampleQuotas(
    files.map((file) => file.itemCount),
    sampleSize,
  );
  const tasks: FileTask[] = files.map((file, i) => ({ ...file, sampleQuota: quotas[i] }));
  const count = Math.max(0, Math.min(Math.floor(maxParallelFiles) || 1, tasks.length));
  const lanes: FileTask[][] = Array.from({ length: count }, () => []);
  const items = new Array<number>(count).fill(0);
  const bySize = [...tasks].sort((a, b) => b.itemCount - a.itemCount || a.index - b.index);
  for (const task of bySize) {
    let lightest = 0;
    for (let n = 1; n < count; n++) if (items[n] < items[lightest]) lightest = n;
    lanes[lightest].push(task);
    // An empty file still costs a copy and a load.
    items[lightest] += Math.max(1, task.itemCount);
  }
  return lanes;
}
