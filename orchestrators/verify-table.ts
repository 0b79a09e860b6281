import { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { Outcome } from '../src/migration/contracts';
import { runStamp } from '../src/migration/instance-id';
import { addTotals, NO_TOTALS } from '../src/verify/inputs';
import { PlanSummary, UnitTotals, Verification, VerifyInput, VerifyNames } from '../src/verify/types';
import { FanOutInput, FanOutKind } from './verify-fan-out';
import { publicFailure } from './failures';
import { transientRetry } from './retry-policy';
import type { VerifyStatus } from '../src/verify/types';

/** Units per sub-orchestration: its history holds this many activity calls at most. */
export const GROUP_SIZE = 100;
/** Groups of the verification run side by side (the expected side's and the container's overlap). */
const PARALLEL_GROUPS = 2;
const DEFAULT_PARALLELISM = 4;

function groupsOf(kind: FanOutKind, total: number, run: string, parallel: number): FanOutInput[] {
  const groups: FanOutInput[] = [];
  for (let from = 0; from < total; from += GROUP_SIZE)
    groups.push({ run, kind, from, to: Math.min(total, from + GROUP_SIZE), parallel });
  return groups;
}

/**
 * A full verification (src/verify/): plan, then the expected side (every export data file, mapped) and the
 * container side (every feed range) written as records per hash bucket, then every bucket compared, then the
 * report. Each step is an activity whose output is a fixed place in the run's folder, so after the host is killed
 * Durable replays this and runs again only what had not finished. Groups of GROUP_SIZE units go to
 * sub-orchestrations, so no history grows with the table.
 */
export const verifyTable: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as VerifyInput;
  try {
    return yield* verify(context, input);
  } catch (error) {
    const what = `verifying ${input.target.database}/${input.target.container}`;
    // eslint-disable-next-line preserve-caught-error
    throw new Error(publicFailure(context, error, what).message);
  }
};

function* verify(context: OrchestrationContext, input: VerifyInput): Generator<Task, Verification, unknown> {
  const startedAt = context.df.currentUtcDateTime;
  const status: VerifyStatus = { phase: 'planning' };
  const publish = (changes: Partial<VerifyStatus>): void => {
    Object.assign(status, changes);
    context.df.setCustomStatus(status);
  };
  publish({});
  const planned = (yield context.df.callActivityWithRetry(VerifyNames.verifyPlan, transientRetry(), {
    verify: input,
    stamp: runStamp(startedAt),
  })) as Outcome<PlanSummary>;
  if (!planned.ok)
    throw new Error(planned.message.startsWith('[') ? planned.message : `[${planned.code}] ${planned.message}`);
  const { run, buckets } = planned;
  const parallel = input.parallelism ?? DEFAULT_PARALLELISM;

  let expectedSide = NO_TOTALS;
  let containerSide = NO_TOTALS;
  const expectedFiles = { done: 0, total: planned.expectedUnits };
  const ranges = { done: 0, total: planned.ranges };
  publish({ phase: 'reading', run, buckets, expectedFiles, ranges, expectedRecords: 0, containerDocuments: 0 });
  // Expected files and feed ranges interleaved, so both sides progress from the start.
  const expectedGroups = groupsOf('expected', planned.expectedUnits, run, parallel);
  const rangeGroups = groupsOf('actual', planned.ranges, run, parallel);
  const reading: FanOutInput[] = [];
  for (let i = 0; i < Math.max(expectedGroups.length, rangeGroups.length); i++) {
    if (i < rangeGroups.length) reading.push(rangeGroups[i]);
    if (i < expectedGroups.length) reading.push(expectedGroups[i]);
  }
  const childId = (group: FanOutInput): string => `${context.df.instanceId}:verify-${group.kind}-${group.from}`;
  for (let start = 0; start < reading.length; start += PARALLEL_GROUPS) {
    const wave = reading.slice(start, start + PARALLEL_GROUPS);
    const results = (yield context.df.Task.all(
      wave.map((group) => context.df.callSubOrchestrator(VerifyNames.verifyFanOut, group, childId(group))),
    )) as UnitTotals[];
    wave.forEach((group, i) => {
      const done = group.to - group.from;
      if (group.kind === 'expected') {
        expectedSide = addTotals(expectedSide, results[i]);
        expectedFiles.done += done;
      } else {
        containerSide = addTotals(containerSide, results[i]);
        ranges.done += done;
      }
    });
    publish({
      expectedRecords: expectedSide.records,
      containerDocuments: containerSide.records,
      requestCharge: Math.round(containerSide.requestCharge),
    });
  }

  publish({ phase: 'comparing', bucketsChecked: 0 });
  let bucketSide = NO_TOTALS;
  const bucketGroups = groupsOf('bucket', buckets, run, parallel);
  for (let start = 0; start < bucketGroups.length; start += PARALLEL_GROUPS) {
    const wave = bucketGroups.slice(start, start + PARALLEL_GROUPS);
    const results = (yield context.df.Task.all(
      wave.map((group) => context.df.callSubOrchestrator(VerifyNames.verifyFanOut, group, childId(group))),
    )) as UnitTotals[];
    for (const result of results) bucketSide = addTotals(bucketSide, result);
    publish({
      bucketsChecked: wave[wave.length - 1].to,
      requestCharge: Math.round(containerSide.requestCharge + bucketSide.requestCharge),
    });
  }

  publish({ phase: 'reporting' });
  const verification = (yield context.df.callActivityWithRetry(VerifyNames.verifyReport, transientRetry(), {
    run,
    buckets,
    expectedSide,
    containerSide,
    bucketCharge: bucketSide.requestCharge,
    startedAt: startedAt.toISOString(),
    finishedAt: context.df.currentUtcDateTime.toISOString(),
    instanceId: context.df.instanceId,
    table: input.table,
  })) as Verification;
  publish({ phase: 'done' });
  return verification;
}
