/**
 * syncTable replayed by the real durable-functions handler (test/support/replay.ts): plan → migrateExport
 * sub-orchestration → record, one export after another, until planning says done, an export fails, or ten exports
 * were applied and the orchestration continues as new.
 */
import { migrateExport } from '../../../orchestrators/migrate-export';
import { migrateLane } from '../../../orchestrators/migrate-lane';
import { SyncTableInput, SyncTableResult, syncTable } from '../../../orchestrators/sync-table';
import type { MigrationReport } from '../../../src/migration/contracts';
import type { MigrationRequest } from '../../../src/migration/request';
import type { ApplyOutcome, NextStep } from '../../../src/sync/sync-steps';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import {
  ActivityFn,
  callsOf,
  parsedOutput,
  scheduledNames,
  simulate,
  SimulateOptions,
  statusesOf,
} from '../../support/replay';
import { happyActivities, manifest, passedValidation, request } from './fixtures';

const SYNC_ID = 'sync-orders';

function exportRequest(exportId: string): MigrationRequest {
  const base = request();
  return { ...base, source: { ...base.source, exportPrefix: `orders/AWSDynamoDB/${exportId}` } };
}

function applyStep(
  exportId: string,
  extra: { warning?: string; exportType?: 'FULL_EXPORT' | 'INCREMENTAL_EXPORT' } = {},
) {
  return {
    kind: 'apply',
    exportId,
    exportType: extra.exportType ?? 'INCREMENTAL_EXPORT',
    instanceId: `${SYNC_ID}-${exportId}-1`,
    request: exportRequest(exportId),
    ...(extra.warning ? { warning: extra.warning } : {}),
  } satisfies NextStep;
}

function report(exportId: string, passed = true): MigrationReport {
  return {
    exportId,
    validation: { ...passedValidation, passed },
  } as MigrationReport;
}

/** Planning hands out `steps` in order; recording passes an export whose report validated. */
function syncActivities(steps: NextStep[]): Record<string, ActivityFn> {
  const queue = [...steps];
  return {
    planSyncStep: () => queue.shift() ?? { kind: 'done', state: 'up-to-date' },
    recordSyncOutcome: ({ outcome }: { outcome: ApplyOutcome }) =>
      outcome.report?.validation.passed
        ? { status: { state: 'syncing', at: 'x' }, reachedTime: 't' }
        : {
            status: {
              state: 'failed',
              reason: `${outcome.exportId}: ${outcome.error ?? 'validation did not pass'}`,
              at: 'x',
            },
          },
  };
}

const migrations = {
  migrateExport: (input: MigrationRequest) => report(input.source.exportPrefix.split('/').pop() as string),
};

function run(input: SyncTableInput, activities: Record<string, ActivityFn>, options: SimulateOptions = {}) {
  return simulate(syncTable, input, activities, {
    name: 'syncTable',
    instanceId: SYNC_ID,
    subOrchestrations: migrations,
    ...options,
  });
}

describe('syncTable (replayed)', () => {
  test('an unregistered table: one planning step, then the result says so', async () => {
    const result = await run({ table: 'orders' }, syncActivities([{ kind: 'unregistered' }]));

    expect(result.outcome).toBe('completed');
    expect(callsOf(result)).toEqual([
      {
        instanceId: SYNC_ID,
        generation: 0,
        kind: 'activity',
        name: 'planSyncStep',
        input: { table: 'orders', syncInstanceId: SYNC_ID },
      },
    ]);
    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'unregistered',
      reason: 'table orders is not registered',
      applied: [],
      appliedBefore: 0,
    });
    expect(result.customStatus).toEqual({
      phase: 'planning',
      table: 'orders',
      applied: 0,
      updatedAt: '2024-01-01T00:00:00.001Z',
    });
  });

  test('applies the planned exports one after another, recording each, until planning says done', async () => {
    const steps: NextStep[] = [
      applyStep('E1', { exportType: 'FULL_EXPORT' }),
      applyStep('E2', { warning: 'starts 5 min after the point reached' }),
    ];
    const result = await run({ table: 'orders' }, syncActivities(steps));

    expect(result.outcome).toBe('completed');
    expect(scheduledNames(result)).toEqual([
      'planSyncStep',
      'migrateExport',
      'recordSyncOutcome',
      'planSyncStep',
      'migrateExport',
      'recordSyncOutcome',
      'planSyncStep',
    ]);
    const runs = callsOf(result, { kind: 'subOrchestration' });
    expect(runs.map((c) => [c.childInstanceId, c.input])).toEqual([
      ['sync-orders-E1-1', exportRequest('E1')],
      ['sync-orders-E2-1', exportRequest('E2')],
    ]);
    expect(callsOf(result, { name: 'recordSyncOutcome' }).map((c) => c.input)).toEqual([
      { table: 'orders', outcome: { exportId: 'E1', report: report('E1') } },
      { table: 'orders', outcome: { exportId: 'E2', report: report('E2') } },
    ]);
    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'up-to-date',
      applied: [
        { exportId: 'E1', exportType: 'FULL_EXPORT', instanceId: 'sync-orders-E1-1', passed: true },
        { exportId: 'E2', exportType: 'INCREMENTAL_EXPORT', instanceId: 'sync-orders-E2-1', passed: true },
      ],
      appliedBefore: 0,
    });

    const statuses = statusesOf(result) as Record<string, unknown>[];
    expect(statuses.map(({ updatedAt: _u, ...s }) => s)).toEqual([
      { phase: 'planning', table: 'orders', applied: 0 },
      {
        phase: 'applying',
        table: 'orders',
        applied: 0,
        exportId: 'E1',
        exportType: 'FULL_EXPORT',
        migrationInstanceId: 'sync-orders-E1-1',
      },
      { phase: 'planning', table: 'orders', applied: 1 },
      {
        phase: 'applying',
        table: 'orders',
        applied: 1,
        exportId: 'E2',
        exportType: 'INCREMENTAL_EXPORT',
        migrationInstanceId: 'sync-orders-E2-1',
        warning: 'starts 5 min after the point reached',
      },
      { phase: 'planning', table: 'orders', applied: 2 },
    ]);
  });

  test('planning that stops at a gap ends the sync with its state and reason', async () => {
    const result = await run(
      { table: 'orders', appliedBefore: 4 },
      syncActivities([{ kind: 'done', state: 'stopped', reason: 'E7 starts after the point reached' }]),
    );

    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'stopped',
      reason: 'E7 starts after the point reached',
      applied: [],
      appliedBefore: 4,
    });
    // Exports applied by earlier generations count in the status.
    expect((result.customStatus as { applied: number }).applied).toBe(4);
  });

  test('a migration that fails is recorded with its [CODE] message and stops the sync', async () => {
    const message = '[EXPORT_INCOMPLETE] s3://exports/orders/AWSDynamoDB/E1/manifest-summary.json does not exist';
    const result = await run(
      { table: 'orders' },
      {
        ...syncActivities([applyStep('E1'), applyStep('E2')]),
        ...happyActivities(manifest([1])),
        readManifest: () => ({ ok: false, code: 'EXPORT_INCOMPLETE', message }),
      },
      // The real migrateExport runs as the sub-orchestration and fails on the manifest.
      { subOrchestrations: {}, orchestrators: { migrateExport, migrateLane } },
    );

    expect(result.outcome).toBe('completed');
    expect(result.children['sync-orders-E1-1'].outcome).toBe('failed');
    expect(scheduledNames(result)).toEqual(['planSyncStep', 'migrateExport', 'recordSyncOutcome']);
    expect(callsOf(result, { name: 'recordSyncOutcome' })[0].input).toEqual({
      table: 'orders',
      outcome: { exportId: 'E1', error: message },
    });
    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'failed',
      reason: `E1: ${message}`,
      applied: [{ exportId: 'E1', exportType: 'INCREMENTAL_EXPORT', instanceId: 'sync-orders-E1-1', passed: false }],
      appliedBefore: 0,
    });
  });

  test('a migration whose report does not validate stops the sync after recording it', async () => {
    const result = await run({ table: 'orders' }, syncActivities([applyStep('E1'), applyStep('E2')]), {
      subOrchestrations: { migrateExport: () => report('E1', false) },
    });

    expect(scheduledNames(result)).toEqual(['planSyncStep', 'migrateExport', 'recordSyncOutcome']);
    expect(parsedOutput(result)).toMatchObject({
      state: 'failed',
      reason: 'E1: validation did not pass',
      applied: [{ exportId: 'E1', passed: false }],
    });
  });

  test('planning that keeps failing is recorded for the table and ends the sync with one [CODE] line', async () => {
    const result = await run(
      { table: 'orders' },
      {
        ...syncActivities([]),
        planSyncStep: () => {
          throw new Error('ledger unavailable');
        },
      },
    );

    expect(result.outcome).toBe('completed');
    expect(scheduledNames(result)).toEqual([...Array(5).fill('planSyncStep'), 'recordSyncOutcome']);
    const output = parsedOutput(result) as SyncTableResult;
    expect(output).toEqual({ table: 'orders', state: 'failed', reason: output.reason, applied: [], appliedBefore: 0 });
    expect(output.reason).toMatch(
      /^\[INTERNAL\] planning the sync of table orders failed: ledger unavailable \(correlation id [0-9a-f-]{36}\)$/,
    );
    expect(callsOf(result, { name: 'recordSyncOutcome' })[0].input).toEqual({
      table: 'orders',
      outcome: { exportId: '', error: output.reason },
    });
  });

  test('recording that keeps failing ends the sync as failed without planning again', async () => {
    const result = await run(
      { table: 'orders' },
      {
        ...syncActivities([applyStep('E1'), applyStep('E2')]),
        recordSyncOutcome: () => {
          throw new Error('[TRANSIENT] the lake is unavailable');
        },
      },
    );

    expect(scheduledNames(result)).toEqual(['planSyncStep', 'migrateExport', ...Array(5).fill('recordSyncOutcome')]);
    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'failed',
      reason: '[TRANSIENT] the lake is unavailable',
      applied: [],
      appliedBefore: 0,
    });
  });

  test('after ten exports it continues as new with the count, so the history stays small', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `E${i + 1}`);
    const result = await run({ table: 'orders' }, syncActivities(ids.map((id) => applyStep(id))));

    expect(result.outcome).toBe('completed');
    expect(result.inputs).toEqual([{ table: 'orders' }, { table: 'orders', appliedBefore: 10 }]);
    const perGeneration = (generation: number, name: string) =>
      callsOf(result, { name }).filter((c) => c.generation === generation).length;
    expect([0, 1].map((g) => perGeneration(g, 'planSyncStep'))).toEqual([10, 3]);
    expect([0, 1].map((g) => perGeneration(g, 'migrateExport'))).toEqual([10, 2]);
    expect([0, 1].map((g) => perGeneration(g, 'recordSyncOutcome'))).toEqual([10, 2]);
    expect(callsOf(result, { kind: 'subOrchestration' }).map((c) => c.childInstanceId)).toEqual(
      ids.map((id) => `sync-orders-${id}-1`),
    );
    expect(parsedOutput(result)).toEqual({
      table: 'orders',
      state: 'up-to-date',
      applied: [
        { exportId: 'E11', exportType: 'INCREMENTAL_EXPORT', instanceId: 'sync-orders-E11-1', passed: true },
        { exportId: 'E12', exportType: 'INCREMENTAL_EXPORT', instanceId: 'sync-orders-E12-1', passed: true },
      ],
      appliedBefore: 10,
    });
    // The new execution's history starts over with the new input.
    expect(result.history[1]).toMatchObject({
      EventType: EventType.ExecutionStarted,
      Input: JSON.stringify({ table: 'orders', appliedBefore: 10 }),
    });
    expect(result.history.filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated)).toHaveLength(2);
    // The count goes on across generations.
    const applied = (statusesOf(result) as { phase: string; applied: number }[])
      .filter((s) => s.phase === 'planning')
      .map((s) => s.applied);
    expect(applied).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('the execution that continues as new ends with the next input and no output', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `E${i + 1}`);
    const result = await run({ table: 'orders', appliedBefore: 3 }, syncActivities(ids.map((id) => applyStep(id))), {
      maxGenerations: 1,
    });

    expect(result.outcome).toBe('continuedAsNew');
    expect(JSON.parse(result.output as string)).toEqual({ table: 'orders', appliedBefore: 13 });
    expect(result.history.filter((e) => e.EventType === EventType.ContinueAsNew)).toHaveLength(1);
    expect(callsOf(result, { name: 'planSyncStep' })).toHaveLength(10);
  });
});
