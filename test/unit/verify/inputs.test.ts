import { documentRef } from '../../../src/verify/bucket-check';
import { isTransientRead, partitionKeyJsonOf } from '../../../src/verify/container-side';
import { migrationVerifyInput } from '../../../src/verify/inputs';
import { tableVerifyInput, verifyInstanceId } from '../../../src/verify/table-input';
import type { Ledger, LedgerEntry, TableRegistration } from '../../../src/sync/types';
import { request } from '../orchestrators/fixtures';

describe('the partition key a stored document holds', () => {
  test('one path, nested paths, hierarchical keys, and none', () => {
    expect(partitionKeyJsonOf({ id: 'a', pk: 'x', _rid: 'r' }, ['/pk'])).toBe('"x"');
    expect(partitionKeyJsonOf({ id: 'a', a: { b: 7 } }, ['/a/b'])).toBe('7');
    expect(partitionKeyJsonOf({ id: 'a', pk: 'x', _ddb_id: 3 }, ['/pk', '/_ddb_id'])).toBe('["x",3]');
    expect(partitionKeyJsonOf({ id: 'a' }, ['/pk'])).toBe('{}');
    expect(partitionKeyJsonOf({ id: 'a', 'x/y': 1 }, ['/"x/y"'])).toBe('1');
  });

  test('a document is named with its partition key unless that is its id', () => {
    expect(documentRef('a|1', '"a"', ['/pk'])).toEqual({ id: 'a|1', partitionKey: 'a' });
    expect(documentRef('a', '"a"', ['/id'])).toEqual({ id: 'a' });
    expect(documentRef('a', '["a",1]', ['/pk', '/sk'])).toEqual({ id: 'a', partitionKey: ['a', 1] });
  });
});

test('timeouts, throttling and dropped connections are worth a second read; a bad request is not', () => {
  expect(isTransientRead(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
  for (const code of [408, 429, 503, 'ECONNRESET']) expect(isTransientRead({ code })).toBe(true);
  for (const code of [400, 403, 404]) expect(isTransientRead({ code })).toBe(false);
  expect(isTransientRead(undefined)).toBe(false);
});

describe('what a verification compares', () => {
  test("a migration's: its export; the whole container for a full export, its keys for an incremental one", () => {
    const full = migrationVerifyInput(request({ maxRequestUnitsPerSecond: 900 }), 'e1', false);
    expect(full).toEqual(
      expect.objectContaining({
        scope: 'container',
        maxRequestUnitsPerSecond: 900,
        exports: [expect.objectContaining({ exportId: 'e1', incremental: false })],
      }),
    );
    expect(full.folder).toBeUndefined();
    expect(migrationVerifyInput(request(), 'e2', true).scope).toBe('export-keys');
  });

  const entry = (
    exportId: string,
    exportType: LedgerEntry['exportType'],
    state: LedgerEntry['state'],
  ): LedgerEntry => ({
    exportId,
    exportPrefix: `t/AWSDynamoDB/${exportId}`,
    exportType,
    tableArn: 'arn',
    itemCount: 1,
    state,
    attempts: 1,
    firstSeenAt: 'x',
    updatedAt: 'x',
  });
  const registration = {
    name: 'orders',
    source: { bucket: 'b', exportsPrefix: 't' },
    keySchema: { partitionKey: 'pk' },
    target: { database: 'd', container: 'c', partitionKeyPaths: ['/pk'] },
    options: { numberMode: 'lossless', allowGaps: false },
  } as unknown as TableRegistration;

  test("a table's: the last applied full export and the incrementals applied after it, in order", () => {
    const ledger: Ledger = {
      table: 'orders',
      reachedTime: 'T',
      status: { state: 'up-to-date', at: 'x' },
      exports: [
        entry('old-full', 'FULL_EXPORT', 'applied'),
        entry('i0', 'INCREMENTAL_EXPORT', 'applied'),
        entry('full', 'FULL_EXPORT', 'applied'),
        entry('i1', 'INCREMENTAL_EXPORT', 'applied'),
        entry('i2', 'INCREMENTAL_EXPORT', 'failed'),
        entry('i3', 'INCREMENTAL_EXPORT', 'applied'),
        entry('i4', 'INCREMENTAL_EXPORT', 'pending'),
      ],
    };
    const input = tableVerifyInput(registration, ledger);
    expect(input?.exports.map((e) => [e.exportId, e.incremental])).toEqual([
      ['full', false],
      ['i1', true],
      ['i3', true],
    ]);
    expect(input).toEqual(
      expect.objectContaining({
        folder: '_sync/tables/orders/verify',
        scope: 'container',
        table: { name: 'orders', reachedTime: 'T', lastExportId: 'i3' },
      }),
    );
  });

  test('nothing to verify before a full export is applied', () => {
    const ledger: Ledger = {
      table: 'orders',
      status: { state: 'syncing', at: 'x' },
      exports: [entry('f', 'FULL_EXPORT', 'failed')],
    };
    expect(tableVerifyInput(registration, ledger)).toBeUndefined();
  });

  test('one verification instance per table, as short as its sync id', () => {
    expect(verifyInstanceId('orders')).toBe('verify-orders');
    const long = 'x'.repeat(255);
    expect(verifyInstanceId(long)).toMatch(/^verify-x{48}-[0-9a-f]{16}$/);
  });
});
