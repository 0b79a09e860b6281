import { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { addTotals, NO_TOTALS } from '../src/verify/inputs';
import { UnitTotals, VerifyNames } from '../src/verify/types';
import { transientRetry } from './retry-policy';

export type FanOutKind = 'expected' | 'actual' | 'bucket';

/** One group of a verification's units: indexes `[from, to)` of one kind, `parallel` activities at a time. */
export interface FanOutInput {
  run: string;
  kind: FanOutKind;
  from: number;
  to: number;
  parallel: number;
}

const ACTIVITY: Record<FanOutKind, string> = {
  expected: VerifyNames.verifyExpectedFile,
  actual: VerifyNames.verifyContainerRange,
  bucket: VerifyNames.verifyBucket,
};

/**
 * Runs one group of a verification's activities in waves and returns their totals summed. A group is at most
 * GROUP_SIZE units (verify-table.ts), so this history stays small whatever the table's size; an activity that
 * still fails after its retries fails the group, and so the verification (its output says which).
 */
export const verifyFanOut: OrchestrationHandler = function* (
  context: OrchestrationContext,
): Generator<Task, UnitTotals, unknown> {
  const input = context.df.getInput() as FanOutInput;
  let totals = NO_TOTALS;
  const parallel = Math.max(1, input.parallel);
  for (let start = input.from; start < input.to; start += parallel) {
    const wave: Task[] = [];
    for (let unit = start; unit < Math.min(input.to, start + parallel); unit++)
      wave.push(
        context.df.callActivityWithRetry(ACTIVITY[input.kind], transientRetry(), { run: input.run, unit, parallel }),
      );
    const results = (yield context.df.Task.all(wave)) as UnitTotals[];
    for (const result of results) totals = addTotals(totals, result);
  }
  return totals;
};
