import { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { MigrationReport, Names } from '../src/migration/contracts';
import type { ApplyOutcome, NextStep } from '../src/sync/sync-steps';
import type { Ledger } from '../src/sync/types';
import { publicFailure } from './failures';
import { transientRetry } from './retry-policy';

export interface SyncTableInput {
  table: string;
  /** Exports applied by earlier generations of this run (continue-as-new). */
  appliedBefore?: number;
}

export interface SyncTableResult {
  table: string;
  state: Ledger['status']['state'] | 'unregistered';
  reason?: string;
  applied: { exportId: string; exportType: string; instanceId: string; passed: boolean }[];
  appliedBefore: number;
}

/** Exports applied per generation before continuing as new, so a long backlog keeps the history small. */
const EXPORTS_PER_GENERATION = 10;

/**
 * A table's sync, one instance per table (`sync-<table>`), so at most one runs at a time: plan the next
 * export (an activity finds new exports and decides, src/sync/plan.ts), apply it as a `migrateExport`
 * sub-orchestration, record the outcome in the ledger, repeat until nothing is left, a gap stops the table,
 * or an export fails. Exports are applied strictly one after another, in time order.
 */
export const syncTable: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as SyncTableInput;
  const result: SyncTableResult = {
    table: input.table,
    state: 'syncing',
    applied: [],
    appliedBefore: input.appliedBefore ?? 0,
  };
  const publish = (phase: 'planning' | 'applying', extra: object = {}): void =>
    context.df.setCustomStatus({
      phase,
      table: input.table,
      applied: result.appliedBefore + result.applied.length,
      ...extra,
      updatedAt: context.df.currentUtcDateTime.toISOString(),
    });

  // What the ledger and the output show of a failure: `[CODE] message`, never Durable's details (a stack trace).
  const failed = function* (reason: string): Generator<Task, SyncTableResult, unknown> {
    try {
      yield context.df.callActivityWithRetry(Names.recordSyncOutcome, transientRetry(), {
        table: input.table,
        outcome: { exportId: '', error: reason },
      });
    } catch (error) {
      publicFailure(context, error, `recording the failed sync of table ${input.table}`);
    }
    return { ...result, state: 'failed', reason };
  };

  for (;;) {
    publish('planning');
    let step: NextStep;
    try {
      step = (yield context.df.callActivityWithRetry(Names.planSyncStep, transientRetry(), {
        table: input.table,
        syncInstanceId: context.df.instanceId,
      })) as NextStep;
    } catch (error) {
      return yield* failed(publicFailure(context, error, `planning the sync of table ${input.table}`).message);
    }
    if (step.kind === 'unregistered')
      return { ...result, state: 'unregistered', reason: `table ${input.table} is not registered` };
    if (step.kind === 'done') return { ...result, state: step.state, reason: step.reason };

    publish('applying', {
      exportId: step.exportId,
      exportType: step.exportType,
      migrationInstanceId: step.instanceId,
      warning: step.warning,
    });
    let outcome: ApplyOutcome;
    try {
      const report = (yield context.df.callSubOrchestrator(
        Names.migrateExport,
        step.request,
        step.instanceId,
      )) as MigrationReport;
      outcome = { exportId: step.exportId, report };
    } catch (error) {
      outcome = {
        exportId: step.exportId,
        error: publicFailure(context, error, `applying export ${step.exportId}`).message,
      };
    }
    let recorded: Pick<Ledger, 'status'>;
    try {
      recorded = (yield context.df.callActivityWithRetry(Names.recordSyncOutcome, transientRetry(), {
        table: input.table,
        outcome,
      })) as Pick<Ledger, 'status'>;
    } catch (error) {
      const reason = publicFailure(context, error, `recording export ${step.exportId} of table ${input.table}`).message;
      return { ...result, state: 'failed', reason } satisfies SyncTableResult;
    }
    const passed = recorded.status.state !== 'failed';
    result.applied.push({ exportId: step.exportId, exportType: step.exportType, instanceId: step.instanceId, passed });
    if (!passed) return { ...result, state: 'failed', reason: recorded.status.reason };

    if (result.applied.length >= EXPORTS_PER_GENERATION) {
      context.df.continueAsNew({
        table: input.table,
        appliedBefore: result.appliedBefore + result.applied.length,
      } satisfies SyncTableInput);
      return undefined;
    }
  }
};
