import { NextStep, planNextStep } from '../src/sync/sync-steps';
import { TableStore } from '../src/sync/table-store';
import { DependencySource } from './dependencies';

export interface PlanSyncInput {
  table: string;
  syncInstanceId: string;
}

export function planSyncStepActivity(deps: DependencySource) {
  return async (input: PlanSyncInput): Promise<NextStep> => {
    const { clients } = deps();
    return planNextStep(
      new TableStore(clients.lake),
      clients.s3,
      input.table,
      input.syncInstanceId,
      new Date().toISOString(),
    );
  };
}
