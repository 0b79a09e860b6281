import {
  canonicalPartitionKey,
  checkAddressedId,
  checkWrite,
  jsonBytes,
  measureDocument,
  parsePartitionKeyHeader,
  type PartitionKeyDefinition,
} from '../../../tools/localstack/strict-cosmos/document-rules';

const byPk: PartitionKeyDefinition = { paths: ['/pk'], version: 2 };
const hierarchical: PartitionKeyDefinition = { paths: ['/tenant', '/user'], kind: 'MultiHash', version: 2 };

function write(document: unknown, partitionKey: unknown[] | undefined, definition = byPk) {
  return checkWrite({ document, bytes: jsonBytes(document), definition, partitionKey });
}

describe('per-item rules', () => {
  test('the partition key sent must be the document’s own value at the path: 400, substatus 1001', () => {
    expect(write({ id: 'a', pk: 'p' }, ['p'])).toBeUndefined();
    expect(write({ id: 'a', pk: 'p' }, ['q'])).toMatchObject({ status: 400, substatus: 1001 });
    expect(write({ id: 'a', pk: 1 }, ['1'])).toMatchObject({ status: 400, substatus: 1001 });
    expect(write({ id: 'a', pk: 1 }, [1])).toBeUndefined();
    // An absent value is "none", which the SDK sends as [{}].
    expect(write({ id: 'a' }, [{}])).toBeUndefined();
    expect(write({ id: 'a' }, ['a'])).toMatchObject({ substatus: 1001 });
    expect(write({ id: 'a', pk: null }, [null])).toBeUndefined();
  });

  test('hierarchical keys compare every level; nested paths are followed', () => {
    expect(write({ id: 'a', tenant: 't', user: 'u' }, ['t', 'u'], hierarchical)).toBeUndefined();
    expect(write({ id: 'a', tenant: 't', user: 'u' }, ['t', 'x'], hierarchical)).toMatchObject({ substatus: 1001 });
    expect(write({ id: 'a', tenant: 't', user: 'u' }, ['t'], hierarchical)).toMatchObject({ substatus: 1001 });
    const nested: PartitionKeyDefinition = { paths: ['/a/b'], version: 2 };
    expect(write({ id: 'x', a: { b: 'v' } }, ['v'], nested)).toBeUndefined();
  });

  test('ids: a non-empty string of at most 1,023 UTF-8 bytes', () => {
    expect(write({ id: 'x'.repeat(1023), pk: 'p' }, ['p'])).toBeUndefined();
    expect(write({ id: 'x'.repeat(1024), pk: 'p' }, ['p'])).toMatchObject({ status: 400 });
    expect(write({ id: 'é'.repeat(512), pk: 'p' }, ['p'])).toMatchObject({ status: 400 }); // 1,024 bytes
    expect(write({ id: 7, pk: 'p' }, ['p'])).toMatchObject({ status: 400 });
    expect(write({ pk: 'p' }, ['p'])).toMatchObject({ status: 400 });
  });

  test('items over 2 MB get 413', () => {
    const big = { id: 'a', pk: 'p', data: 'x'.repeat(2 * 1024 * 1024) };
    expect(write(big, ['p'])).toMatchObject({ status: 413 });
    const fits = { id: 'a', pk: 'p', data: 'x'.repeat(2 * 1024 * 1024 - 100) };
    expect(write(fits, ['p'])).toBeUndefined();
  });

  test('partition key values: 2,048 bytes with large keys (version 2), 101 bytes without', () => {
    expect(write({ id: 'a', pk: 'k'.repeat(2048) }, ['k'.repeat(2048)])).toBeUndefined();
    expect(write({ id: 'a', pk: 'k'.repeat(2049) }, ['k'.repeat(2049)])).toMatchObject({ status: 400 });
    const v1: PartitionKeyDefinition = { paths: ['/pk'] };
    expect(write({ id: 'a', pk: 'k'.repeat(101) }, ['k'.repeat(101)], v1)).toBeUndefined();
    expect(write({ id: 'a', pk: 'k'.repeat(102) }, ['k'.repeat(102)], v1)).toMatchObject({ status: 400 });
  });

  test('objects and arrays nest at most 128 levels', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { n: nest(levels - 1) });
    expect(measureDocument({ a: nest(3) }).depth).toBe(4);
    expect(write({ id: 'a', pk: 'p', deep: nest(127) }, ['p'])).toBeUndefined();
    expect(write({ id: 'a', pk: 'p', deep: nest(128) }, ['p'])).toMatchObject({ status: 400 });
  });

  test('ids with / \\ ? # cannot address an item: 404 when / split the URL, 400 otherwise and in bulk', () => {
    expect(checkAddressedId('plain', 'url')).toBeUndefined();
    expect(checkAddressedId('a/b', 'url')).toMatchObject({ status: 404 });
    for (const id of ['a\\b', 'a?b', 'a#b']) expect(checkAddressedId(id, 'url')).toMatchObject({ status: 400 });
    for (const id of ['a/b', 'a\\b', 'a?b', 'a#b']) expect(checkAddressedId(id, 'bulk')).toMatchObject({ status: 400 });
  });

  test('partition key headers and their canonical form', () => {
    expect(parsePartitionKeyHeader('["p"]')).toEqual(['p']);
    expect(parsePartitionKeyHeader('"p"')).toEqual(['p']);
    expect(parsePartitionKeyHeader('[{}]')).toEqual([{}]);
    expect(parsePartitionKeyHeader(undefined)).toBeUndefined();
    expect(parsePartitionKeyHeader('not json')).toBeUndefined();
    expect(canonicalPartitionKey([undefined])).toBe(canonicalPartitionKey([{}]));
    expect(canonicalPartitionKey(['1'])).not.toBe(canonicalPartitionKey([1]));
  });
});
