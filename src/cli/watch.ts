import { SingleBar, Presets } from 'cli-progress';
import { ApiOptions, getMigration, MigrationStatus } from './api-client';

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls a migration until it ends, drawing a progress bar of records applied out of the manifest's total
 * (the bar falls back to plain lines when stdout is not a terminal, e.g. in CI logs).
 */
export async function watchMigration(
  options: ApiOptions,
  instanceId: string,
  intervalMs = 1000,
): Promise<MigrationStatus> {
  const bar = new SingleBar(
    {
      format: ' {phase} |{bar}| {percentage}% | {value}/{total} items | files {files} | {rate} items/s | ETA {etaText}',
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  try {
    for (;;) {
      const status = await getMigration(options, instanceId);
      const p = status.progress;
      const total = p?.items?.expected ?? 0;
      const done = (p?.items?.written ?? 0) + (p?.items?.deleted ?? 0) + (p?.items?.deadLettered ?? 0);
      const payload = {
        phase: (p?.phase ?? status.runtimeStatus).padEnd(16),
        files: p?.files
          ? `${p.files.loaded}/${p.files.total}${p.files.failed ? ` (${p.files.failed} failed)` : ''}`
          : '-',
        rate: p?.itemsPerSecond ?? 0,
        // The app's own estimate: the bar's would divide by a rate of zero until the first file is done.
        etaText: p?.etaSeconds === undefined ? '-' : `${p.etaSeconds}s`,
      };
      if (!started) {
        bar.start(Math.max(total, 1), done, payload);
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, payload);
      if (TERMINAL.has(status.runtimeStatus)) return status;
      await sleep(intervalMs);
    }
  } finally {
    if (started) bar.stop();
  }
}
