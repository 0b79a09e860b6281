import { createHash } from 'node:crypto';
import { MigrationError } from '../../../src/errors';
import {
  DynamoItem,
  mapItem,
  mapKeys,
  MappingErrorCode,
  MappingOptions,
  MappingStats,
  newMappingStats,
  NumberMode,
  PartitionKeyValue,
} from '../../../src/mapping';
import { expectMappingError } from './helpers';

const OPTIONS: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };
const PK_ONLY: MappingOptions = { keySchema: { partitionKey: 'pk' }, numberMode: 'lossless' };
const HIERARCHICAL: MappingOptions = { ...OPTIONS, hierarchicalPartitionKey: true };

/** A line of the reference document's composed full export (dynamodb-export-format.md §4). */
const EVERY_TYPE_LINE =
  '{"Item":{"pk":{"S":"DEVICE#a1"},"sk":{"N":"20260101"},"name":{"S":"Sensor \\"north\\""},"reading":{"N":"0.000000000000000000000000000000000012"},"big":{"N":"12345678901234567890123456789012345678"},"raw":{"B":"3q2+7w=="},"active":{"BOOL":true},"retired":{"NULL":true},"meta":{"M":{"fw":{"S":"2.1"},"flags":{"L":[{"N":"1"},{"BOOL":false},{"M":{}}]}}},"tags":{"SS":["roof","outdoor"]},"ports":{"NS":["80","443"]},"keys":{"BS":["AAE=","/w=="]}}}';

describe('mapItem', () => {
  test('maps the composed every-type item of the export reference', () => {
    const stats = newMappingStats();
    const item = (JSON.parse(EVERY_TYPE_LINE) as { Item: DynamoItem }).Item;
    expect(mapItem(item, OPTIONS, stats)).toEqual({
      id: 'DEVICE%23a1|20260101',
      partitionKey: 'DEVICE#a1',
      document: {
        id: 'DEVICE%23a1|20260101',
        pk: 'DEVICE#a1',
        sk: 20260101,
        name: 'Sensor "north"',
        reading: 1.2e-35,
        big: '12345678901234567890123456789012345678',
        raw: '3q2+7w==',
        active: true,
        retired: null,
        meta: { fw: '2.1', flags: [1, false, {}] },
        tags: ['roof', 'outdoor'],
        ports: [80, 443],
        keys: ['AAE=', '/w=='],
      },
    });
    expect(stats).toEqual({ numbersAsStrings: { big: 1 }, precisionLost: {}, renames: {} });
  });

  test('adds only id: every attribute is there, nothing else', () => {
    const item: DynamoItem = { pk: { S: 'a' }, sk: { N: '1' }, x: { S: '' }, y: { L: [] } };
    const { document } = mapItem(item, OPTIONS, newMappingStats());
    expect(Object.keys(document).sort()).toEqual(['id', 'pk', 'sk', 'x', 'y']);
    expect(document.id).toBe('a|1');
  });

  test('id over 1023 bytes is hashed; the key attributes stay', () => {
    const pk = 'L'.repeat(1100);
    const mapped = mapItem({ pk: { S: pk }, sk: { N: '4' } }, OPTIONS, newMappingStats());
    const expected = `sha256-${createHash('sha256').update(`${pk}|4`).digest('hex')}`;
    expect(mapped.id).toBe(expected);
    expect(mapped.document).toEqual({ id: expected, pk, sk: 4 });
    expect(mapped.partitionKey).toBe(pk);
  });

  test.each<[NumberMode, PartitionKeyValue, unknown]>([
    ['lossless', 42, 42],
    ['string', '42', '42'],
    ['double', 42, 42],
  ])('a numeric partition key is its mapped value (%s)', (numberMode, partitionKey, pkInDocument) => {
    const mapped = mapItem({ pk: { N: '42.0' } }, { keySchema: { partitionKey: 'pk' }, numberMode }, newMappingStats());
    expect(mapped.id).toBe('42');
    expect(mapped.partitionKey).toEqual(partitionKey);
    expect(mapped.document.pk).toEqual(pkInDocument);
  });

  test('a partition key beyond double precision is a string in lossless mode', () => {
    const mapped = mapItem({ pk: { N: '9007199254740993' } }, PK_ONLY, newMappingStats());
    expect(mapped.partitionKey).toBe('9007199254740993');
    expect(mapped.id).toBe('9007199254740993');
  });

  test.each<[string, DynamoItem, PartitionKeyValue]>([
    ['string keys', { pk: { S: 'CUST#42' }, sk: { S: 'ORDER#7' } }, ['CUST#42', 'ORDER#7']],
    ['number sort key', { pk: { S: 'CUST#42' }, sk: { N: '1E+2' } }, ['CUST#42', 100]],
    ['binary keys', { pk: { B: '3q2+7w==' }, sk: { N: '12345678901234567890' } }, ['3q2+7w==', '12345678901234567890']],
  ])('hierarchical partition key: %s', (_name, item, expected) => {
    expect(mapItem(item, HIERARCHICAL, newMappingStats()).partitionKey).toEqual(expected);
  });

  test('string mode: numbers are canonical strings, counted per path', () => {
    const stats = newMappingStats();
    const mapped = mapItem(
      { pk: { S: 'a' }, sk: { N: '1E+2' }, l: { L: [{ N: '-0' }, { N: '0.50' }] } },
      { ...OPTIONS, numberMode: 'string' },
      stats,
    );
    expect(mapped.document).toEqual({ id: 'a|100', pk: 'a', sk: '100', l: ['0', '0.5'] });
    expect(stats.numbersAsStrings).toEqual({ sk: 1, 'l[]': 2 });
  });

  test('double mode: numbers are doubles, the inexact ones counted', () => {
    const stats = newMappingStats();
    const mapped = mapItem(
      { pk: { S: 'a' }, sk: { N: '1' }, n: { N: '9007199254740993' }, m: { M: { x: { N: '0.1' } } } },
      { ...OPTIONS, numberMode: 'double' },
      stats,
    );
    expect(mapped.document).toEqual({ id: 'a|1', pk: 'a', sk: 1, n: 9007199254740992, m: { x: 0.1 } });
    expect(stats).toEqual({ numbersAsStrings: {}, precisionLost: { n: 1 }, renames: {} });
  });
});

describe('mapItem renames (mapping.md §4)', () => {
  function mapped(
    item: DynamoItem,
    options: MappingOptions = OPTIONS,
  ): { document: Record<string, unknown>; stats: MappingStats } {
    const stats = newMappingStats();
    return { document: mapItem(item, options, stats).document, stats };
  }

  test('id equal to the computed id is not renamed', () => {
    const { document, stats } = mapped({ pk: { S: 'EDGE#id-equal' }, sk: { N: '2' }, id: { S: 'EDGE%23id-equal|2' } });
    expect(document).toEqual({ id: 'EDGE%23id-equal|2', pk: 'EDGE#id-equal', sk: 2 });
    expect(stats.renames).toEqual({});
  });

  test('id different from the computed id is renamed and counted', () => {
    const { document, stats } = mapped({ pk: { S: 'a' }, sk: { N: '1' }, id: { S: 'legacy-7' } });
    expect(document).toEqual({ id: 'a|1', pk: 'a', sk: 1, _ddb_id: 'legacy-7' });
    expect(stats.renames).toEqual({ id: 1 });
  });

  test('id compared with the final, hashed id', () => {
    const pk = 'k'.repeat(1024);
    const hashed = `sha256-${createHash('sha256').update(pk).digest('hex')}`;
    expect(mapped({ pk: { S: pk }, id: { S: hashed } }, PK_ONLY).document).toEqual({ id: hashed, pk });
    expect(mapped({ pk: { S: pk }, id: { S: pk } }, PK_ONLY).document).toEqual({ id: hashed, pk, _ddb_id: pk });
  });

  test('a numeric id is never the id string', () => {
    expect(mapped({ pk: { N: '5' }, id: { N: '5' } }, PK_ONLY).document).toEqual({ id: '5', pk: 5, _ddb_id: 5 });
  });

  test('a partition key attribute named id', () => {
    const options: MappingOptions = { keySchema: { partitionKey: 'id' }, numberMode: 'lossless' };
    expect(mapItem({ id: { S: 'order-1' } }, options, newMappingStats())).toEqual({
      id: 'order-1',
      partitionKey: 'order-1',
      document: { id: 'order-1' },
    });
  });

  test('system property names get the prefix, taken names get it again', () => {
    const { document, stats } = mapped({
      pk: { S: 'EDGE#reserved' },
      sk: { N: '1' },
      id: { S: 'not-the-id' },
      _rid: { S: 'r' },
      _self: { S: 's' },
      _etag: { S: 'e' },
      _attachments: { S: 'a' },
      _ts: { N: '5' },
      _ddb_id: { S: 'taken' },
    });
    expect(document).toEqual({
      id: 'EDGE%23reserved|1',
      pk: 'EDGE#reserved',
      sk: 1,
      _ddb__ddb_id: 'not-the-id',
      _ddb__rid: 'r',
      _ddb__self: 's',
      _ddb__etag: 'e',
      _ddb__attachments: 'a',
      _ddb__ts: 5,
      _ddb_id: 'taken',
    });
    expect(stats.renames).toEqual({ id: 1, _rid: 1, _self: 1, _etag: 1, _attachments: 1, _ts: 1 });
  });

  test('no value is overwritten whatever the attribute order', () => {
    const item = JSON.parse(
      '{"_ddb__ddb_id":{"S":"2"},"_ddb_id":{"S":"1"},"id":{"S":"0"},"pk":{"S":"a"}}',
    ) as DynamoItem;
    expect(mapped(item, PK_ONLY).document).toEqual({
      id: 'a',
      pk: 'a',
      _ddb_id: '1',
      _ddb__ddb_id: '2',
      _ddb__ddb__ddb_id: '0',
    });
  });

  test('nested maps keep id and system names as they are', () => {
    const { document, stats } = mapped({
      pk: { S: 'a' },
      sk: { N: '1' },
      nested: { M: { id: { S: 'nested id kept' }, _ts: { N: '1' }, _etag: { M: { _rid: { S: 'x' } } } } },
      list: { L: [{ M: { id: { S: 'in a list' } } }] },
    });
    expect(document.nested).toEqual({ id: 'nested id kept', _ts: 1, _etag: { _rid: 'x' } });
    expect(document.list).toEqual([{ id: 'in a list' }]);
    expect(stats.renames).toEqual({});
  });

  test('renames are counted per item that maps', () => {
    const stats = newMappingStats();
    for (let i = 0; i < 3; i++) mapItem({ pk: { S: `p${i}` }, _ts: { N: '1' } }, PK_ONLY, stats);
    expect(stats.renames).toEqual({ _ts: 3 });
  });

  test('a top-level attribute named __proto__ is kept', () => {
    const item = JSON.parse('{"pk":{"S":"a"},"__proto__":{"S":"x"}}') as DynamoItem;
    const { document } = mapped(item, PK_ONLY);
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
    expect(JSON.stringify(document)).toBe('{"id":"a","pk":"a","__proto__":"x"}');
  });
});

describe('mapItem errors', () => {
  test.each<[string, unknown, MappingErrorCode, string]>([
    ['missing partition key', { sk: { N: '1' }, x: { S: 'y' } }, 'MISSING_KEY', 'pk'],
    ['missing sort key', { pk: { S: 'a' } }, 'MISSING_KEY', 'sk'],
    ['key of a non-key type', { pk: { SS: ['a'] }, sk: { N: '1' } }, 'BAD_KEY_TYPE', 'pk'],
    ['empty string key', { pk: { S: '' }, sk: { N: '1' } }, 'BAD_KEY_TYPE', 'pk'],
    ['malformed key number', { pk: { S: 'a' }, sk: { N: 'one' } }, 'BAD_NUMBER', 'sk'],
    [
      'malformed number elsewhere',
      { pk: { S: 'a' }, sk: { N: '1' }, meta: { M: { flags: { L: [{ N: '1' }, { N: '2' }, { N: '--3' }] } } } },
      'BAD_NUMBER',
      'meta.flags[2]',
    ],
    ['unknown descriptor', { pk: { S: 'a' }, sk: { N: '1' }, x: { DATE: '2026-01-01' } }, 'UNKNOWN_TYPE', 'x'],
    ['bad descriptor shape', { pk: { S: 'a' }, sk: { N: '1' }, x: { S: 'a', N: '1' } }, 'BAD_VALUE', 'x'],
    ['item not an object', 'x', 'BAD_VALUE', ''],
  ])('%s', (_name, item, code, path) => {
    expectMappingError(() => mapItem(item as DynamoItem, OPTIONS, newMappingStats()), code, path);
  });

  test('an item that fails counts nothing; the next one counts normally', () => {
    const stats = newMappingStats();
    expect(() =>
      mapItem(
        { pk: { S: 'a' }, sk: { N: '1' }, id: { S: 'x' }, big: { N: '12345678901234567890' }, bad: { N: 'x' } },
        OPTIONS,
        stats,
      ),
    ).toThrow();
    expect(stats).toEqual(newMappingStats());
    mapItem({ pk: { S: 'a' }, sk: { N: '1' }, big: { N: '12345678901234567890' } }, OPTIONS, stats);
    expect(stats).toEqual({ numbersAsStrings: { big: 1 }, precisionLost: {}, renames: {} });
  });

  test.each<[string, MappingOptions]>([
    [
      'hierarchical key without a sort key',
      { keySchema: { partitionKey: 'pk' }, numberMode: 'lossless', hierarchicalPartitionKey: true },
    ],
    ['unknown number mode', { keySchema: { partitionKey: 'pk' }, numberMode: 'decimal' as NumberMode }],
    ['inherited name as number mode', { keySchema: { partitionKey: 'pk' }, numberMode: 'toString' as NumberMode }],
  ])('a configuration error is not a line error: %s', (_name, options) => {
    let caught: unknown;
    try {
      mapItem({ pk: { S: 'a' } }, options, newMappingStats());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MigrationError);
    expect((caught as MigrationError).code).toBe('CONFIGURATION');
  });
});

describe('mapKeys (incremental deletes, mapping.md §5)', () => {
  test.each<[string, DynamoItem, MappingOptions]>([
    ['string keys', { pk: { S: 'CUST#8' }, sk: { S: 'a/b' }, tier: { S: 'gold' } }, OPTIONS],
    ['number keys', { pk: { N: '1E+2' }, sk: { N: '9007199254740993' } }, OPTIONS],
    ['binary keys', { pk: { B: '/w==' }, sk: { B: 'AAE=' } }, OPTIONS],
    ['hierarchical', { pk: { S: 'CUST#8' }, sk: { N: '-0.50' }, x: { BOOL: true } }, HIERARCHICAL],
    ['string mode', { pk: { N: '7' }, sk: { N: '1' } }, { ...OPTIONS, numberMode: 'string' }],
    ['no sort key', { pk: { S: 'CUST#9' } }, PK_ONLY],
    ['long key', { pk: { S: 'x'.repeat(2048) }, sk: { N: '1' } }, OPTIONS],
  ])('gives the id and partition key mapItem gives the whole item: %s', (_name, item, options) => {
    const keys: DynamoItem = { pk: item.pk };
    if (options.keySchema.sortKey !== undefined) keys.sk = item.sk;
    const { id, partitionKey } = mapItem(item, options, newMappingStats());
    expect(mapKeys(keys, options)).toEqual({ id, partitionKey });
  });

  test('reads only Keys: other members are ignored, even malformed ones', () => {
    expect(mapKeys({ pk: { S: 'CUST#9' }, sk: { N: '3' }, junk: { X: 1 } as never }, OPTIONS)).toEqual({
      id: 'CUST%239|3',
      partitionKey: 'CUST#9',
    });
  });

  test('hierarchical', () => {
    expect(mapKeys({ pk: { S: 'CUST#9' }, sk: { N: '3' } }, HIERARCHICAL)).toEqual({
      id: 'CUST%239|3',
      partitionKey: ['CUST#9', 3],
    });
  });

  test.each<[string, unknown, MappingErrorCode, string]>([
    ['missing partition key', { sk: { N: '1' } }, 'MISSING_KEY', 'pk'],
    ['missing sort key', { pk: { S: 'a' } }, 'MISSING_KEY', 'sk'],
    ['bad key type', { pk: { L: [] }, sk: { N: '1' } }, 'BAD_KEY_TYPE', 'pk'],
  ])('%s', (_name, keys, code, path) => {
    expectMappingError(() => mapKeys(keys as DynamoItem, OPTIONS), code, path);
  });
});
