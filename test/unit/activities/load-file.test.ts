/**
 * loadFile on an in-memory lake and a fake container: the request's target, the file, the lake path, the run, the
 * parallel files and the time budget setting reach loadFile and the RU budget, and failures are translated.
 */
import { gzipSync } from 'node:zlib';
import type { OperationInput } from '@azure/cosmos';
import type { InvocationContext } from '@azure/functions';
import { loadFileActivity } from '../../../activities/load-file';
import type { LoadFileInput } from '../../../src/migration/contracts';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeLake } from './fakes';
import { checkpointPath, runFolder, samplePath } from '../../../src/lake/paths';

const FOLDER = 'exports/orders/AWSDynamoDB/01700000000000-abcdef01/_migration/shop/orders';
const KEY = 'orders/AWSDynamoDB/01700000000000-abcdef01/data/aaa.json.gz';
const LAKE_PATH = `exports/${KEY}`;
const LINES = [
  { Item: { pk: { S: 'a' }, sk: { S: '1' }, total: { N: '3' } } },
  { Item: { pk: { S: 'b' }, sk: { S: '2' }, total: { N: '4' } } },
];

// A write the fakes do not answer would be retried for a minute: fail fast instead.
jest.setTimeout(20_000);

let containers = 0;

/**
 * A container whose writes (bulk, or point upserts for a few lines) all succeed at 5 RU each, recorded as
 * `[operation, partition key]`; the database has a shared offer of 1000 RU/s.
 */
function fakeCosmos() {
  const asked: string[] = [];
  const writes: [string, unknown][] = [];
  const url = `dbs/shop/colls/orders-${++containers}`;
  const cosmos = {
    database: (database: string) => ({
      container: (container: string) => {
        asked.push(`${database}/${container}`);
        return {
          url,
          id: container,
          database: { id: database, readOffer: async () => ({ resource: { content: { offerThroughput: 1000 } } }) },
          readOffer: async () => ({ resource: undefined }),
          read: async () => ({ resource: { partitionKey: { paths: ['/pk'] } } }),
          items: {
            executeBulkOperations: async (operations: OperationInput[]) => {
              for (const op of operations) writes.push([op.operationType, op.partitionKey]);
              return operations.map(() => ({ response: { statusCode: 200, requestCharge: 5 } }));
            },
            upsert: async (body: { pk: unknown }) => {
              writes.push(['Upsert', body.pk]);
              return { statusCode: 200, requestCharge: 5 };
            },
          },
        };
      },
    }),
  };
  return { cosmos, asked, writes };
}

function lakeWithFile(): FakeLake {
  const lake = new FakeLake();
  lake.put(LAKE_PATH, gzipSync(LINES.map((line) => JSON.stringify(line)).join('\n') + '\n'));
  return lake;
}

function input(extra: Partial<LoadFileInput> = {}, options: Parameters<typeof request>[0] = {}): LoadFileInput {
  return {
    request: request({ maxRequestUnitsPerSecond: 1200, ...options }),
    incremental: false,
    file: { index: 3, key: KEY, itemCount: 2, md5Checksum: 'x', sampleQuota: 1 },
    lakePath: LAKE_PATH,
    runId: 'mig-1@2024-01-01T00:00:00.001Z',
    parallelFiles: 4,
    ...extra,
  };
}

/** The activity's log line about the RU budget: this process's rate of the migration's cap (then where the cap came from). */
const budget = (rate: number, cap: number) =>
  new RegExp(`^${KEY}: RU budget ${rate} RU/s in this process of ${cap} RU/s \\(`);

function context() {
  const lines: string[] = [];
  return { lines, context: { log: (line: string) => lines.push(line) } as unknown as InvocationContext };
}

describe('loadFile activity', () => {
  test("loads the lake copy into the request target, with its sample and checkpoint in the run's folder", async () => {
    const lake = lakeWithFile();
    const { cosmos, asked, writes } = fakeCosmos();
    const { lines, context: ctx } = context();
    const outcome = await loadFileActivity(dependencies({ lake, cosmos }))(input(), ctx);

    expect(outcome).toEqual({
      ok: true,
      fileIndex: 3,
      linesRead: 2,
      written: 2,
      deleted: 0,
      deadLettered: 0,
      requestCharge: 10,
      retries: 0,
      stats: { numbersAsStrings: {}, precisionLost: {}, renames: {} },
      // The fake container answers every upsert 200: a replace.
      ...{ created: 0, replaced: 2, deletedPresent: 0, deletedAbsent: 0, replacedOnResend: 0, absentOnResend: 0 },
      sampled: 1,
      complete: true,
    });
    expect(asked).toEqual(['shop/orders']);
    expect(writes).toEqual([
      ['Upsert', 'a'],
      ['Upsert', 'b'],
    ]);
    // The cap is the request's, shared by the migration's 4 parallel files.
    expect(lines[0]).toMatch(budget(300, 1200));
    const run = runFolder(FOLDER, 'mig-1@2024-01-01T00:00:00.001Z');
    const checkpoint = JSON.parse(lake.text(checkpointPath(run, 3))!);
    expect(checkpoint).toMatchObject({ runId: 'mig-1@2024-01-01T00:00:00.001Z', lakePath: LAKE_PATH, complete: true });
    expect(lake.text(samplePath(run, 3))!.trim().split('\n')).toHaveLength(1);
  });

  test('the same run loads a finished file once; another run loads it again', async () => {
    const lake = lakeWithFile();
    const { cosmos, writes } = fakeCosmos();
    const activity = loadFileActivity(dependencies({ lake, cosmos }));
    await activity(input());
    const again = await activity(input());
    expect(again).toMatchObject({ ok: true, linesRead: 2, complete: true });
    expect(writes).toHaveLength(2);

    await activity(input({ runId: 'mig-1@2024-02-02T00:00:00.000Z' }));
    expect(writes).toHaveLength(4);
  });

  test('without a requested cap: 80% of the provisioned throughput, over maxParallelFiles when parallelFiles is absent', async () => {
    const { cosmos } = fakeCosmos();
    const { lines, context: ctx } = context();
    await loadFileActivity(dependencies({ lake: lakeWithFile(), cosmos }))(
      input({ parallelFiles: undefined }, { maxRequestUnitsPerSecond: undefined, maxParallelFiles: 8 }),
      ctx,
    );
    expect(lines[0]).toMatch(budget(100, 800));
  });

  test("the app's time budget setting stops the load at a checkpoint: complete is false", async () => {
    const { cosmos } = fakeCosmos();
    const outcome = await loadFileActivity(
      dependencies({ lake: lakeWithFile(), cosmos, settings: { loadTimeBudgetSeconds: 0 } }),
    )(input());
    expect(outcome).toMatchObject({ ok: true, complete: false, linesRead: 1 });
  });

  test('a copy that is not gzip is CORRUPT_GZIP, as data', async () => {
    const lake = new FakeLake();
    lake.put(LAKE_PATH, 'plain text, not gzip');
    const { cosmos } = fakeCosmos();
    const outcome = await loadFileActivity(dependencies({ lake, cosmos }))(input());
    expect(outcome).toMatchObject({ ok: false, code: 'CORRUPT_GZIP' });
    expect((outcome as { message: string }).message).toMatch(/^\[CORRUPT_GZIP\] /);
  });

  test('a missing lake copy is thrown, and the RU budget share is given back', async () => {
    const { cosmos } = fakeCosmos();
    const { lines, context: ctx } = context();
    const activity = loadFileActivity(dependencies({ lake: new FakeLake(), cosmos }));
    await expect(activity(input(), ctx)).rejects.toMatchObject({ statusCode: 404 });
    await expect(activity(input(), ctx)).rejects.toMatchObject({ statusCode: 404 });
    // Had the first lease been kept, the second load would get two shares (600 RU/s).
    const granted = lines.filter((line) => !line.includes('RU budget at'));
    expect(granted).toHaveLength(2);
    expect(granted[0]).toMatch(budget(300, 1200));
    expect(granted[1]).toMatch(budget(300, 1200));
    // Each load says how it leaves the budget.
    expect(lines.filter((line) => line.includes('RU budget at 300 RU/s; 0 operations'))).toHaveLength(2);
  });
});
