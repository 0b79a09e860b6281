import { InvocationContext } from '@azure/functions';
import { leaseRuBudget, RuBudgetLease } from '../src/cosmos/ru-budget';
import { resolveRuCap } from '../src/cosmos/throughput';
import { checkBucket, mappingOf } from '../src/verify/bucket-check';
import { writeContainerRange } from '../src/verify/container-side';
import { writeExpectedUnit } from '../src/verify/expected-side';
import { readPlan } from '../src/verify/plan';
import { unitFolder } from '../src/verify/spill';
import { UnitTotals, VerifyPlan } from '../src/verify/types';
import { Dependencies, DependencySource } from './dependencies';

/** One unit of a verification's fan-out (verify-fan-out.ts): a data file, a feed range or a bucket, by index. */
export interface VerifyUnitInput {
  run: string;
  unit: number;
  /** Units of this kind running at once: each takes that share of the RU cap (ru-budget.ts). */
  parallel: number;
}

/** The verification's RU budget in this process, a running unit's share of the cap (as a migration's loads share it). */
async function leaseFor(deps: Dependencies, plan: VerifyPlan, parallel: number): Promise<RuBudgetLease> {
  const { database, container } = plan.input.target;
  const target = deps.clients.cosmos.database(database).container(container);
  const cap = await resolveRuCap(target, plan.input.maxRequestUnitsPerSecond, deps.settings.cosmosThroughput);
  return leaseRuBudget(`verify:${plan.run}`, cap.requestUnitsPerSecond, parallel);
}

function containerOf(deps: Dependencies, plan: VerifyPlan) {
  return deps.clients.cosmos.database(plan.input.target.database).container(plan.input.target.container);
}

export function verifyExpectedFileActivity(deps: DependencySource) {
  return async (input: VerifyUnitInput): Promise<UnitTotals> => {
    const { clients } = deps();
    const plan = await readPlan(clients.lake, input.run);
    return writeExpectedUnit({
      lake: clients.lake,
      unit: plan.expectedUnits[input.unit],
      mapping: mappingOf(plan),
      buckets: plan.buckets,
      folder: unitFolder(plan.run, 'expected', input.unit),
    });
  };
}

export function verifyContainerRangeActivity(deps: DependencySource) {
  return async (input: VerifyUnitInput, context?: InvocationContext): Promise<UnitTotals> => {
    const resolved = deps();
    const plan = await readPlan(resolved.clients.lake, input.run);
    const lease = await leaseFor(resolved, plan, input.parallel);
    context?.log(`verification ${plan.run}: feed range ${input.unit}, ${Math.round(lease.budget.ratePerSecond)} RU/s`);
    try {
      return await writeContainerRange({
        lake: resolved.clients.lake,
        container: containerOf(resolved, plan),
        plan,
        range: plan.ranges[input.unit],
        folder: unitFolder(plan.run, 'actual', input.unit),
        budget: lease.budget,
      });
    } finally {
      lease.release();
    }
  };
}

export function verifyBucketActivity(deps: DependencySource) {
  return async (input: VerifyUnitInput): Promise<UnitTotals> => {
    const resolved = deps();
    const plan = await readPlan(resolved.clients.lake, input.run);
    const lease = await leaseFor(resolved, plan, input.parallel);
    try {
      const result = await checkBucket({
        lake: resolved.clients.lake,
        container: containerOf(resolved, plan),
        plan,
        bucket: input.unit,
        budget: lease.budget,
      });
      return { records: result.expected, unmappable: 0, requestCharge: result.requestCharge };
    } finally {
      lease.release();
    }
  };
}
