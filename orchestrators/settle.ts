import * as df from 'durable-functions';
import { OrchestrationContext } from 'durable-functions';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Most tasks settleInArrivalOrder takes: see why there. */
export const MAX_SETTLED_TOGETHER = 2;

/**
 * Waits for up to two fresh tasks and hands each to `onSettled` in the episode its result arrived in, so
 * `context.df.isReplaying` describes that result (publicFailure logs a failure's details once, in that episode).
 * A failed task is reported, not thrown.
 *
 * Why at most two: durable-functions 3 emits a new WhenAny action, with its children's actions inside, for every
 * compound task it is given, so a second Task.any over tasks already scheduled would schedule them again. One
 * Task.any over the fresh tasks, then the other task yielded alone (an atomic task already scheduled adds no
 * action), collects two tasks in the order they end; a third would have to wait behind one of them.
 */
export function* settleInArrivalOrder<T>(
  context: OrchestrationContext,
  tasks: df.Task[],
  onSettled: (index: number, settled: Settled<T>) => void,
): Generator<df.Task, void, unknown> {
  if (tasks.length === 0) return;
  if (tasks.length > MAX_SETTLED_TOGETHER)
    throw new Error(`settleInArrivalOrder takes at most ${MAX_SETTLED_TOGETHER} tasks`);
  const collect = function* (index: number): Generator<df.Task, void, unknown> {
    let settled: Settled<T>;
    try {
      settled = { ok: true, value: (yield tasks[index]) as T };
    } catch (error) {
      settled = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
    onSettled(index, settled);
  };
  yield context.df.Task.any(tasks);
  const ended = tasks.map((task) => task.isCompleted || task.isFaulted);
  for (let i = 0; i < tasks.length; i++) if (ended[i]) yield* collect(i);
  for (let i = 0; i < tasks.length; i++) if (!ended[i]) yield* collect(i);
}
