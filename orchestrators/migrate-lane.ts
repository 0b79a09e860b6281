import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ErrorInfo } from '../src/errors';
import type { CopyResult } from '../src/lake/copy-to-lake';
import type { LoadFileResult, LoadOutcome } from '../src/load/load-file';
import { CopyFileInput, FileOutcome, LoadFileInput, Names, Outcome } from '../src/migration/contracts';
import { publicFailure } from './failures';
import { LaneEndedInput, LaneFileRecord, LaneInput, LaneOutput, LaneStatus, LaneWork } from './lane-contracts';
import { addOutcomes } from './progress';
import { transientRetry } from './retry-policy';
import { settleInArrivalOrder, Settled } from './settle';

/**
 * Durable keeps an execution's whole history and replays it on every wake-up; past this many events the lane
 * continues as new. Every task the lane waits for costs at most EVENTS_PER_TASK: its TaskScheduled (TimerCreated),
 * its result (TimerFired), and the OrchestratorStarted/Completed of the episode it wakes. An execution also has its
 * ExecutionStarted, its first episode's pair and its ContinueAsNew or ExecutionCompleted. So the count is an upper
 * bound known before each step, and no execution of a lane passes 250 events at any number of files.
 */
export const HISTORY_BUDGET = 240;
export const EVENTS_PER_TASK = 4;
export const EVENTS_PER_EXECUTION = 4;

type Step = { work: LaneWork; kind: 'copy' | 'load' | 'wait' };

/** What each work item does next: the head copies then loads, the one behind it copies while the head loads. */
function stepsOf(state: LaneInput): Step[] {
  const steps: Step[] = [];
  state.active.forEach((work, position) => {
    if (work.retryAt) steps.push({ work, kind: 'wait' });
    else if (!work.copy) steps.push({ work, kind: 'copy' });
    else if (position === 0) steps.push({ work, kind: 'load' });
  });
  return steps;
}

function taskOf(context: OrchestrationContext, state: LaneInput, { work, kind }: Step): df.Task {
  if (kind === 'wait') return context.df.createTimer(new Date(work.retryAt as string));
  const { request, incremental, runId, parallelFiles } = state;
  if (kind === 'copy') {
    work.runs.copy++;
    return context.df.callActivity(Names.copyFile, { request, file: work.file } satisfies CopyFileInput);
  }
  work.runs.load++;
  const lakePath = (work.copy as CopyResult).lakePath;
  return context.df.callActivity(Names.loadFile, {
    request,
    incremental,
    file: work.file,
    lakePath,
    runId,
    parallelFiles,
  } satisfies LoadFileInput);
}

/** When a failed try is tried again, by the project's retry policy (orchestrators/retry-policy.ts). */
function retryDelayMs(failedTries: number): number {
  const policy = transientRetry();
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(policy.backoffCoefficient ?? 1, failedTries - 1);
  return Math.min(delay, policy.maxRetryIntervalInMilliseconds || delay);
}

/** Ends a file: its outcome into the lane's totals and its record. `tries`: of its last step, when not one more. */
function finish(
  state: LaneInput,
  work: LaneWork,
  end: { load?: LoadFileResult; error?: ErrorInfo; tries?: number },
): void {
  state.active = state.active.filter((w) => w !== work);
  const { index, key, itemCount } = work.file;
  const outcome: FileOutcome = { index, key, itemCount, copy: work.copy, load: end.load, error: end.error };
  addOutcomes(state.progress, [outcome]);
  const attempts = end.tries ?? work.failedTries + 1;
  const record: LaneFileRecord = { index, key, itemCount, attempts, runs: work.runs };
  if (end.load) {
    const { linesRead, written, deleted, deadLettered, requestCharge } = end.load;
    record.load = { linesRead, written, deleted, deadLettered, requestCharge };
  }
  if (end.error) record.error = end.error;
  state.records.push(record);
}

/**
 * One step's result. A permanent failure (returned as data) ends the file; a thrown one (the activity's own
 * retries ran out) is tried again after a back-off, up to the retry policy's tries, then ends the file as
 * RETRIES_EXHAUSTED with its details logged under a correlation id. A load that used up its time budget stopped at
 * a checkpoint; the next step loads it again from there.
 */
function apply(context: OrchestrationContext, state: LaneInput, { work, kind }: Step, settled: Settled<unknown>): void {
  if (kind === 'wait') {
    work.retryAt = undefined;
    return;
  }
  if (!settled.ok) {
    work.failedTries++;
    if (work.failedTries >= transientRetry().maxNumberOfAttempts) {
      const what = `${kind === 'copy' ? 'copying' : 'loading'} ${work.file.key}`;
      const error = publicFailure(context, settled.error, what, 'RETRIES_EXHAUSTED');
      finish(state, work, { error, tries: work.failedTries });
    } else {
      const at = context.df.currentUtcDateTime.getTime() + retryDelayMs(work.failedTries);
      work.retryAt = new Date(at).toISOString();
    }
    return;
  }
  if (kind === 'copy') {
    const copy = settled.value as Outcome<CopyResult>;
    if (!copy.ok) return finish(state, work, { error: { code: copy.code, message: copy.message } });
    const { lakePath, bytes, method } = copy;
    work.copy = { lakePath, bytes, method };
    work.failedTries = 0;
    return;
  }
  const load = settled.value as LoadOutcome;
  if (!load.ok) {
    // A load that failed for good after loading part of the file returns that part (LoadFailure): it is counted.
    const loaded = (load as LoadOutcome & { loaded?: LoadFileResult }).loaded;
    return finish(state, work, { load: loaded, error: { code: load.code, message: load.message } });
  }
  const { ok: _ok, ...result } = load;
  if (result.complete) return finish(state, work, { load: result });
  work.failedTries = 0;
}

function statusOf(state: LaneInput): LaneStatus {
  const { files, items, bytesCopied, requestCharge } = state.progress;
  const head = state.active[0];
  const loading = head?.copy && !head.retryAt ? { index: head.file.index, key: head.file.key } : undefined;
  return {
    lane: state.lane,
    generation: state.generation,
    files: { total: state.records.length + state.active.length + state.queue.length, done: state.records.length },
    progress: { files, items, bytesCopied, requestCharge },
    ...(loading ? { loading } : {}),
  };
}

/**
 * One lane of a migration: works through its share of the files, copying the next file to the lake while the
 * current one loads, so a slow, failing or retrying file holds up this lane only. Its custom status carries its
 * totals after every step (the migration's orchestration sums the lanes'); it continues as new before its history
 * would pass HISTORY_BUDGET, with its state as the input. The output is its totals and a record per file. A file's
 * failure is on its record; the lane itself never fails because of one file.
 */
export const migrateLane: OrchestrationHandler = function* (context: OrchestrationContext) {
  const state = context.df.getInput() as LaneInput;
  let events = EVENTS_PER_EXECUTION;
  context.df.setCustomStatus(statusOf(state));
  for (;;) {
    while (state.active.length < 2 && state.queue.length > 0) {
      state.active.push({ file: state.queue.shift()!, failedTries: 0, runs: { copy: 0, load: 0 } });
    }
    const steps = stepsOf(state);
    if (steps.length === 0) break;
    if (events + steps.length * EVENTS_PER_TASK > HISTORY_BUDGET) {
      context.df.continueAsNew({ ...state, generation: state.generation + 1 } satisfies LaneInput);
      return undefined;
    }
    events += steps.length * EVENTS_PER_TASK;
    const tasks = steps.map((step) => taskOf(context, state, step));
    yield* settleInArrivalOrder(context, tasks, (i, settled) => {
      apply(context, state, steps[i], settled);
      context.df.setCustomStatus(statusOf(state));
    });
  }
  if (state.parent && events + EVENTS_PER_TASK <= HISTORY_BUDGET) {
    try {
      yield context.df.callActivity(Names.laneEnded, {
        parent: state.parent,
        lane: context.df.instanceId,
      } satisfies LaneEndedInput);
    } catch {
      // Only a hint: the migration's poll sees the lane's end anyway.
    }
  }
  const output: LaneOutput = { progress: state.progress, records: state.records };
  return output;
};
