import { MigrationError } from '../src/errors';
import { NextStep, planNextStep } from '../src/sync/sync-steps';
import { TableStore } from '../src/sync/table-store';
import { DependencySource } from './dependencies';

export interface PlanSyncInput {
  table: string;
  syncInstanceId: string;
}

/**
 * A permanent failure (a missing app setting, an export the app may not read) ends the sync as failed with its
 * code at once; anything else is thrown, so Durable's retry policy tries again.
 */
export function planSyncStepActivity(deps: DependencySource) {
  return async (input: PlanSyncInput): Promise<NextStep> => {
    try {
      const { clients } = deps();
      return await planNextStep(
        new TableStore(clients.lake),
        clients.s3,
        input.table,
        input.syncInstanceId,
        new Date().toISOString(),
      );
    } catch (error) {
      if (error instanceof MigrationError && !error.retryable) {
        return { kind: 'done', state: 'failed', reason: error.message };
      }
      throw error;
    }
  };
}
