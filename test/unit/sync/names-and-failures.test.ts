import { S3ServiceException } from '@aws-sdk/client-s3';
import { discoverExports } from '../../../src/sync/discover-exports';
import { planNextStep, recordOutcome } from '../../../src/sync/sync-steps';
import { TableStore } from '../../../src/sync/table-store';
import { syncInstanceId, type Ledger, type TableRegistration } from '../../../src/sync/types';
import { registrationNamesProblem, validateTableRegistration } from '../../../src/sync/validate-registration';
import type { MigrationReport } from '../../../src/migration/contracts';
import { memoryS3, MemoryLake } from './memory-stores';

const NOW = '2026-01-01T00:00:00.000Z';
const valid = {
  source: { bucket: 'acme-exports', exportsPrefix: 'exports/orders' },
  keySchema: { partitionKey: 'pk', sortKey: 'sk' },
  target: { database: 'app', container: 'orders' },
};

function registration(over: Partial<TableRegistration> = {}): TableRegistration {
  return {
    name: 'orders',
    source: { bucket: 'acme-exports', exportsPrefix: 'exports/orders' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'app', container: 'orders', partitionKeyPaths: ['/pk'] },
    options: {
      numberMode: 'lossless',
      sampleSize: 10,
      copyMode: 'auto',
      maxParallelFiles: 1,
      bulkConcurrency: 1,
      allowGaps: false,
    },
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

function registered(value = registration()): MemoryLake {
  const lake = new MemoryLake();
  lake.put(`_sync/tables/${value.name}/registration.json`, JSON.stringify(value));
  return lake;
}

const ledgerOf = (lake: MemoryLake, table = 'orders') => lake.json<Ledger>(`_sync/tables/${table}/ledger.json`);

describe('table registrations: names are data', () => {
  test.each([
    ['exports//orders', 'must not contain empty segments ("a//b")'],
    ['exports/./orders', 'must not contain "." or ".." segments'],
    ['../other/orders', 'must not contain "." or ".." segments'],
    ['x'.repeat(1000), expect.stringMatching(/^must be at most 925 bytes/)],
  ])('exportsPrefix %j is a 400 naming it', (exportsPrefix, message) => {
    const result = validateTableRegistration('orders', { ...valid, source: { ...valid.source, exportsPrefix } });
    expect(result.ok ? [] : result.problems).toEqual([{ field: 'source.exportsPrefix', message }]);
  });

  test.each(['../../lake/_sync/tables/t', './t', 'x/../t', 'ab', 't\u0000t'])('table name %j is a 400', (name) => {
    const result = validateTableRegistration(name, valid);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['(name)']);
  });

  test('a stored registration is checked again before its names become paths', () => {
    expect(registrationNamesProblem(registration())).toBeUndefined();
    expect(
      registrationNamesProblem(
        registration({ target: { database: '..', container: 'c', partitionKeyPaths: ['/pk'] } }),
      ),
    ).toBe('has target.database "..", which must not be "." or ".."');
    expect(
      registrationNamesProblem(registration({ source: { bucket: 'acme-exports', exportsPrefix: 'a/../b' } })),
    ).toBe('has source.exportsPrefix "a/../b", which must not contain "." or ".." segments');
  });
});

describe('the table store: no name reaches a blob path unchecked', () => {
  test('reading, writing or deleting by a path-like name is refused before the lake is asked', async () => {
    const lake = registered();
    const store = new TableStore(lake.asContainer());
    for (const name of ['../../lake/_sync/tables/orders', './orders', 'x/../orders']) {
      await expect(store.getRegistration(name)).rejects.toThrow(
        /^\[CONFIGURATION\] table name .* cannot name a folder of the lake/,
      );
      await expect(store.delete(name)).rejects.toThrow(/CONFIGURATION/);
    }
    expect(lake.requests).toEqual([]);
    expect(await store.getRegistration('orders')).toBeDefined();
  });

  test('folders that are no table name are not listed as tables', async () => {
    const lake = registered();
    lake.put('_sync/tables/..x/registration.json', '{}');
    lake.put('_sync/tables/a b/registration.json', '{}');
    expect(await new TableStore(lake.asContainer()).listNames()).toEqual(['..x', 'orders']);
  });
});

describe('sync steps: failures are [CODE] messages in the ledger', () => {
  test('a bucket that does not exist ends the sync as failed, and the ledger says why', async () => {
    const lake = registered();
    const s3 = memoryS3({}, () =>
      Object.assign(
        new S3ServiceException({
          name: 'NoSuchBucket',
          $fault: 'client',
          $metadata: { httpStatusCode: 404 },
          message: 'gone',
        }),
      ),
    );
    const step = await planNextStep(new TableStore(lake.asContainer()), s3, 'orders', 'sync-orders', NOW);
    const reason =
      '[EXPORT_NOT_FOUND] bucket "acme-exports" does not exist (reading s3://acme-exports/exports/orders/AWSDynamoDB/)';
    expect(step).toEqual({ kind: 'done', state: 'failed', reason });
    expect(ledgerOf(lake)?.status).toEqual({ state: 'failed', reason, at: NOW });
  });

  test('an unknown S3 error is TRANSIENT, naming the prefix, with no stack', async () => {
    const lake = registered();
    const s3 = memoryS3(
      {},
      () => new TypeError('Cannot read properties of undefined (reading "x") at /work/main/node_modules/x.js:1:2'),
    );
    const failure = planNextStep(new TableStore(lake.asContainer()), s3, 'orders', 'sync-orders', NOW);
    await expect(failure).rejects.toThrow(
      '[TRANSIENT] s3://acme-exports/exports/orders/AWSDynamoDB/: the S3 request failed (TypeError: Cannot read properties of undefined (reading "x") at <path>)',
    );
  });

  test('a registration with names from before the rules ends as CONFIGURATION, before S3 or the lake is used for it', async () => {
    const lake = registered(registration({ target: { database: 'app', container: '..', partitionKeyPaths: ['/pk'] } }));
    await expect(
      planNextStep(new TableStore(lake.asContainer()), memoryS3({}), 'orders', 'sync-orders', NOW),
    ).rejects.toThrow(
      '[CONFIGURATION] the registration of table orders has target.container "..", which must not be "." or ".."; register it again',
    );
  });

  test('an export folder named `..` or `` is listed as unreadable, never applied', async () => {
    const s3 = memoryS3({
      'acme-exports/exports/orders/AWSDynamoDB/../manifest-summary.json': '{}',
      'acme-exports/exports/orders/AWSDynamoDB//manifest-summary.json': '{}',
    });
    const discovery = await discoverExports(s3, 'acme-exports', 'exports/orders', new Set());
    expect(discovery.exports).toEqual([]);
    expect(discovery.unreadable.map((u) => u.reason)).toEqual([
      '[MANIFEST_INVALID] export folder "exports/orders/AWSDynamoDB/.." cannot be used: its name must not contain "." or ".." segments',
      '[MANIFEST_INVALID] export folder "exports/orders/AWSDynamoDB/" cannot be used: its name must not contain empty segments ("a//b")',
    ]);
  });

  test('an export whose id is no plain name is listed as unreadable', async () => {
    const summary = JSON.stringify({
      exportArn: 'arn:aws:dynamodb:eu-west-1:1:table/T/export/a?b#c',
      exportTime: NOW,
      manifestFilesS3Key: 'exports/orders/AWSDynamoDB/X/manifest-files.json',
      itemCount: 0,
    });
    const s3 = memoryS3({ 'acme-exports/exports/orders/AWSDynamoDB/X/manifest-summary.json': summary });
    const discovery = await discoverExports(s3, 'acme-exports', 'exports/orders', new Set());
    expect(discovery.exports).toEqual([]);
    expect(discovery.unreadable).toEqual([
      {
        exportPrefix: 'exports/orders/AWSDynamoDB/X',
        reason:
          '[MANIFEST_INVALID] s3://acme-exports/exports/orders/AWSDynamoDB/X/manifest-summary.json: the export id "a?b#c" at the end of exportArn is not one DynamoDB writes',
      },
    ]);
  });

  test('a sync that failed before it chose an export records the reason as the table status', async () => {
    const lake = registered();
    const ledger = await recordOutcome(
      new TableStore(lake.asContainer()),
      'orders',
      { exportId: '', error: '[INTERNAL] planning failed (correlation id x)' },
      NOW,
    );
    expect(ledger.status).toEqual({
      state: 'failed',
      reason: '[INTERNAL] planning failed (correlation id x)',
      at: NOW,
    });
    expect(ledgerOf(lake)?.status.state).toBe('failed');
  });

  test('a table deleted while its sync ran gets no orphan ledger', async () => {
    const lake = new MemoryLake();
    const ledger = await recordOutcome(
      new TableStore(lake.asContainer()),
      'orders',
      { exportId: 'E1', error: '[TRANSIENT] x' },
      NOW,
    );
    expect(ledger.status.reason).toMatch(/^\[CONFIGURATION\] table orders is no longer registered/);
    expect(lake.blobs.size).toBe(0);
  });

  test('a failed or unvalidated export is `[CODE] export <id>: …` in the table status', async () => {
    const lake = registered();
    const entry = {
      exportId: 'E1',
      exportPrefix: 'exports/orders/AWSDynamoDB/E1',
      exportType: 'FULL_EXPORT',
      tableArn: 'arn',
      exportTime: NOW,
      itemCount: 1,
      state: 'applying',
      attempts: 1,
      firstSeenAt: NOW,
      updatedAt: NOW,
    };
    lake.put(
      '_sync/tables/orders/ledger.json',
      JSON.stringify({ table: 'orders', status: { state: 'syncing', at: NOW }, exports: [entry] }),
    );
    const store = new TableStore(lake.asContainer());
    const failed = await recordOutcome(
      store,
      'orders',
      { exportId: 'E1', error: '[EXPORT_INCOMPLETE] s3://b/k does not exist' },
      NOW,
    );
    expect(failed.status.reason).toBe('[EXPORT_INCOMPLETE] export E1: s3://b/k does not exist');
    const report = {
      target: { database: 'app', container: 'orders' },
      validation: { passed: false, countsDetail: '1 records are in files that failed', mismatched: 0 },
      items: { written: 0, deleted: 0, deadLettered: 0 },
      files: { failed: 1 },
      durationMs: 1,
      lake: { report: 'r' },
    } as unknown as MigrationReport;
    const unvalidated = await recordOutcome(store, 'orders', { exportId: 'E1', report }, NOW);
    expect(unvalidated.status.reason).toBe(
      '[VALIDATION_FAILED] export E1: the migration into app/orders did not pass validation (1 records are in files that failed; 0 sampled item(s) differ; 1 file(s) failed)',
    );
  });
});

test('one sync instance id per table, short enough for every instance a sync starts', () => {
  expect(syncInstanceId('orders')).toBe('sync-orders');
  const long = `t${'x'.repeat(254)}`;
  const id = syncInstanceId(long);
  expect(id).toMatch(/^sync-tx{47}-[0-9a-f]{16}$/);
  expect(syncInstanceId(`${long.slice(0, 254)}y`)).not.toBe(id);
  expect(`${id}-01700000000000-abcdef12-99`.length).toBeLessThan(256);
});
