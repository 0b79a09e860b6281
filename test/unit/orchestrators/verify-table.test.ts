/**
 * verifyTable and its groups (verifyFanOut) replayed by the real durable-functions handler (test/support/replay.ts):
 * plan, the two sides in groups of sub-orchestrations, the buckets, the report; a history that does not grow with
 * the table; a plan that fails for good; and a migration's `options.verify` step.
 */
import { OrchestrationContext } from 'durable-functions';
import { verifyFanOut } from '../../../orchestrators/verify-fan-out';
import { verifyTable, GROUP_SIZE } from '../../../orchestrators/verify-table';
import { withFullVerification } from '../../../orchestrators/verify-step';
import type { ValidationResult } from '../../../src/migration/contracts';
import type { VerifyInput } from '../../../src/verify/types';
import { ActivityFn, callsOf, parsedOutput, simulate, statusesOf } from '../../support/replay';
import { request } from './fixtures';

const input: VerifyInput = {
  folder: '_sync/tables/orders/verify',
  keySchema: { partitionKey: 'pk', sortKey: 'sk' },
  numberMode: 'lossless',
  target: { database: 'shop', container: 'orders', partitionKeyPaths: ['/pk'] },
  exports: [{ bucket: 'b', exportPrefix: 'p/AWSDynamoDB/1', incremental: false }],
  scope: 'container',
  table: { name: 'orders', lastExportId: '1' },
};

function activities(plan: { expectedUnits: number; ranges: number; buckets: number }): Record<string, ActivityFn> {
  return {
    verifyPlan: ({ stamp }: { stamp: string }) => ({
      ok: true,
      run: `${input.folder}/${stamp}`,
      expectedRecords: plan.expectedUnits * 10,
      ...plan,
    }),
    verifyExpectedFile: () => ({ records: 10, unmappable: 1, requestCharge: 0 }),
    verifyContainerRange: () => ({ records: 7, unmappable: 0, requestCharge: 2.5 }),
    verifyBucket: () => ({ records: 3, unmappable: 0, requestCharge: 0.5 }),
    verifyReport: (report: Record<string, unknown>) => ({ passed: true, report }),
  };
}

async function run(plan: { expectedUnits: number; ranges: number; buckets: number }) {
  return simulate(verifyTable, input, activities(plan), {
    name: 'verifyTable',
    instanceId: 'verify-orders',
    orchestrators: { verifyFanOut },
  });
}

test('plans, reads both sides in groups, checks every bucket, reports with the sums', async () => {
  const result = await run({ expectedUnits: 250, ranges: 3, buckets: 120 });
  expect(result.outcome).toBe('completed');
  const children = callsOf(result, { kind: 'subOrchestration', instanceId: 'verify-orders' });
  expect(children.map((c) => c.childInstanceId)).toEqual([
    'verify-orders:verify-actual-0',
    'verify-orders:verify-expected-0',
    'verify-orders:verify-expected-100',
    'verify-orders:verify-expected-200',
    'verify-orders:verify-bucket-0',
    'verify-orders:verify-bucket-100',
  ]);
  expect(children[3].input).toEqual(expect.objectContaining({ kind: 'expected', from: 200, to: 250, parallel: 4 }));
  // Every unit once, by index, in waves of `parallel`.
  const units = (name: string) => callsOf(result, { kind: 'activity', name }).map((c) => (c.input as any).unit);
  expect(units('verifyExpectedFile')).toEqual(Array.from({ length: 250 }, (_, i) => i));
  expect(units('verifyContainerRange')).toEqual([0, 1, 2]);
  expect(units('verifyBucket')).toEqual(Array.from({ length: 120 }, (_, i) => i));

  const report = (parsedOutput(result) as { report: any }).report;
  expect(report).toEqual(
    expect.objectContaining({
      run: '_sync/tables/orders/verify/20240101T000000001Z',
      buckets: 120,
      expectedSide: { records: 2500, unmappable: 250, requestCharge: 0 },
      containerSide: { records: 21, unmappable: 0, requestCharge: 7.5 },
      bucketCharge: 60,
      instanceId: 'verify-orders',
      table: input.table,
      startedAt: '2024-01-01T00:00:00.001Z',
    }),
  );
  const statuses = statusesOf(result) as any[];
  expect(statuses[0]).toEqual({ phase: 'planning' });
  expect(statuses.at(-1)).toEqual(
    expect.objectContaining({
      phase: 'done',
      buckets: 120,
      bucketsChecked: 120,
      expectedFiles: { done: 250, total: 250 },
      ranges: { done: 3, total: 3 },
      expectedRecords: 2500,
      containerDocuments: 21,
    }),
  );
});

test("the parent's history grows with groups, not units, and a group's stays within GROUP_SIZE calls", async () => {
  const small = await run({ expectedUnits: GROUP_SIZE, ranges: 1, buckets: GROUP_SIZE });
  const large = await run({ expectedUnits: GROUP_SIZE * 4, ranges: 1, buckets: GROUP_SIZE * 4 });
  expect(large.historyLengths[0]).toBeLessThan(small.historyLengths[0] * 4);
  for (const child of Object.values(large.children))
    expect(callsOf(child, { kind: 'activity', instanceId: child.instanceId }).length).toBeLessThanOrEqual(GROUP_SIZE);
});

test('a plan that fails for good fails the verification with its code, and nothing is read', async () => {
  const result = await simulate(
    verifyTable,
    input,
    {
      ...activities({ expectedUnits: 1, ranges: 1, buckets: 1 }),
      verifyPlan: () => ({
        ok: false,
        code: 'MANIFEST_MISSING',
        message: '[MANIFEST_MISSING] s3://b/p/AWSDynamoDB/1/manifest-summary.json does not exist',
      }),
    },
    { name: 'verifyTable', instanceId: 'verify-orders', orchestrators: { verifyFanOut } },
  );
  expect(result.outcome).toBe('failed');
  expect(String(result.output)).toContain('[MANIFEST_MISSING] s3://b/p/AWSDynamoDB/1/manifest-summary.json');
  expect(callsOf(result, { kind: 'subOrchestration' })).toEqual([]);
});

describe("a migration's options.verify", () => {
  const validation = { passed: true, countsReconciled: true, sampled: 4, mismatched: 0 } as ValidationResult;
  const migration = (incremental: boolean) =>
    function* (context: OrchestrationContext) {
      const req = context.df.getInput() as ReturnType<typeof request>;
      return yield* withFullVerification(context, req, context.df.currentUtcDateTime, 'exp-1', incremental, validation);
    };

  test('sample (the default) adds nothing', async () => {
    const result = await simulate(migration(false), request(), {}, { instanceId: 'migrate-1' });
    expect(parsedOutput(result)).toEqual(validation);
    expect(result.calls).toEqual([]);
  });

  test('full runs verifyTable for the export as a child of the run; both must pass', async () => {
    const result = await simulate(
      migration(true),
      request({ verify: 'full' }),
      {},
      {
        instanceId: 'migrate-1',
        subOrchestrations: { verifyTable: () => ({ passed: false, missingCount: 1 }) },
      },
    );
    const [child] = callsOf(result, { kind: 'subOrchestration' });
    expect(child.childInstanceId).toBe('migrate-1:20240101T000000001Z:verify');
    expect(child.input).toEqual(
      expect.objectContaining({
        scope: 'export-keys',
        exports: [
          {
            bucket: 'exports',
            exportPrefix: 'orders/AWSDynamoDB/01700000000000-abcdef01',
            exportId: 'exp-1',
            incremental: true,
          },
        ],
      }),
    );
    expect(parsedOutput(result)).toEqual({
      ...validation,
      passed: false,
      verification: { passed: false, missingCount: 1 },
    });
  });
});
