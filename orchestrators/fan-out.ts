import * as df from 'durable-functions';
import { OrchestrationContext } from 'durable-functions';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Starts every task at once, then collects them one by one in order, calling `onSettled` as each is
 * collected so the caller can publish progress. A failed task is reported, not thrown.
 *
 * Why not a sliding window with repeated Task.any: durable-functions emits a new WhenAny action for every
 * compound task it is given, with the child actions inside it, so re-yielding already scheduled tasks in a
 * fresh Task.any asks the host to schedule them again. Yielding one Task.any over fresh tasks schedules
 * them exactly once; yielding the (already scheduled) atomic tasks afterwards adds no action.
 */
export function* settleAll<T>(
  context: OrchestrationContext,
  tasks: df.Task[],
  onSettled?: (index: number, settled: Settled<T>) => void,
): Generator<df.Task, Settled<T>[], unknown> {
  const results: Settled<T>[] = [];
  if (tasks.length === 0) return results;
  yield context.df.Task.any(tasks);
  for (let i = 0; i < tasks.length; i++) {
    let settled: Settled<T>;
    try {
      settled = { ok: true, value: (yield tasks[i]) as T };
    } catch (error) {
      settled = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
    results.push(settled);
    onSettled?.(i, settled);
  }
  return results;
}
