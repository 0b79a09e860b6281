import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ErrorInfo } from '../src/errors';
import type { CopyResult } from '../src/lake/copy-to-lake';
import type { LoadFileResult, LoadOutcome } from '../src/load/load-file';
import { BatchInput, FileOutcome, FileTask, Names, Outcome } from '../src/migration/contracts';
import { publicFailure } from './failures';
import { settleAll, Settled } from './fan-out';
import { transientRetry } from './retry-policy';

/**
 * A file's failure as the report shows it: a returned Failure as it is; a thrown one (Durable's retries ran
 * out) as `[CODE] message` from its code on, or, without a code, `RETRIES_EXHAUSTED` with a correlation id
 * whose details (Durable's stack trace) go to the log only.
 */
function failure<T>(
  context: OrchestrationContext,
  settled: Settled<Outcome<T>>,
  step: string,
  file: FileTask,
): ErrorInfo | undefined {
  if (!settled.ok) return publicFailure(context, settled.error, `${step} ${file.key}`, 'RETRIES_EXHAUSTED');
  return settled.value.ok ? undefined : { code: settled.value.code, message: settled.value.message };
}

/**
 * Sub-orchestration over a slice of the export's files, `filesPerBatch` at a time: each wave copies its
 * files to the lake, then loads the ones that copied (again, for a load that stopped at its time budget,
 * until it is complete). A failed file is recorded on its outcome and the rest carry on; this
 * orchestration itself never fails because of one file.
 */
export const migrateFileBatch: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as BatchInput & { filesPerBatch: number };
  const outcomes: FileOutcome[] = [];
  const width = Math.max(1, input.filesPerBatch);
  for (let start = 0; start < input.files.length; start += width) {
    const wave = input.files.slice(start, start + width);
    const waveOutcomes: FileOutcome[] = wave.map((file) => ({
      index: file.index,
      key: file.key,
      itemCount: file.itemCount,
    }));

    // Failures are worked out as each task is collected (settleAll's callback), while `context.df.isReplaying`
    // still describes that task: a failure is logged once, in the episode where it arrived.
    const copyErrors: (ErrorInfo | undefined)[] = [];
    const copies = (yield* settleAll<Outcome<CopyResult>>(
      context,
      wave.map((file) =>
        context.df.callActivityWithRetry(Names.copyFile, transientRetry(), { request: input.request, file }),
      ),
      (i, settled) => {
        copyErrors[i] = failure(context, settled, 'copying', wave[i]);
      },
    )) as Settled<Outcome<CopyResult>>[];
    const toLoad: number[] = [];
    copies.forEach((settled, i) => {
      const error = copyErrors[i];
      if (error) waveOutcomes[i].error = error;
      else if (settled.ok && settled.value.ok) {
        const { lakePath, bytes, method } = settled.value;
        waveOutcomes[i].copy = { lakePath, bytes, method };
        toLoad.push(i);
      }
    });

    // A load that used up its time budget stopped at a checkpoint; loading it again continues from there.
    let loading = toLoad;
    while (loading.length > 0) {
      const loadErrors: (ErrorInfo | undefined)[] = [];
      const loads = (yield* settleAll<Outcome<LoadFileResult>>(
        context,
        loading.map((i) =>
          context.df.callActivityWithRetry(Names.loadFile, transientRetry(), {
            request: input.request,
            incremental: input.incremental,
            file: wave[i],
            lakePath: waveOutcomes[i].copy?.lakePath,
            runId: input.runId,
            parallelFiles: input.parallelFiles,
          }),
        ),
        (k, settled) => {
          loadErrors[k] = failure(context, settled, 'loading', wave[loading[k]]);
        },
      )) as Settled<Outcome<LoadFileResult>>[];
      const unfinished: number[] = [];
      loads.forEach((settled, k) => {
        const i = loading[k];
        const error = loadErrors[k];
        if (error) {
          waveOutcomes[i].error = error;
          // A load that failed for good after loading part of the file returns that part (LoadFailure): it is counted.
          const loaded = settled.ok ? (settled.value as LoadOutcome & { loaded?: LoadFileResult }).loaded : undefined;
          if (loaded) waveOutcomes[i].load = loaded;
        } else if (settled.ok && settled.value.ok) {
          const { ok: _ok, ...load } = settled.value;
          if (load.complete) waveOutcomes[i].load = load;
          else unfinished.push(i);
        }
      });
      loading = unfinished;
    }
    outcomes.push(...waveOutcomes);
  }
  return outcomes;
};
