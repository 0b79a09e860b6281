import { DynamoItem, mapItem, MappingError, newMappingStats } from '../../../src/mapping';
import { compareDocuments } from '../../../src/validation/compare';

const MAPPING = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };

/** What Cosmos DB gives back: the JSON of the stored document plus system properties, parsed. */
function readBack(document: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...document, _rid: 'r', _etag: '"e"', _ts: 1 })) as Record<string, unknown>;
}

function item(json: string): DynamoItem {
  return (JSON.parse(json) as { Item: DynamoItem }).Item;
}

describe('special attribute names are compared as own properties', () => {
  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a top-level %s survives mapping, storing and reading back without a false mismatch',
    (name) => {
      const mapped = mapItem(
        item(`{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},${JSON.stringify(name)}:{"M":{"x":{"S":"y"}}}}}`),
        MAPPING,
        newMappingStats(),
      );
      expect(Object.hasOwn(mapped.document, name)).toBe(true);
      const stored = readBack(mapped.document);
      expect(compareDocuments(mapped.document, stored)).toEqual([]);
    },
  );

  test('a special name that differs, or is missing, is still reported', () => {
    const mapped = mapItem(
      item('{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"__proto__":{"S":"v"}}}'),
      MAPPING,
      newMappingStats(),
    );
    const stored = readBack(mapped.document);
    Object.defineProperty(stored, '__proto__', { value: 'w', enumerable: true, writable: true, configurable: true });
    expect(compareDocuments(mapped.document, stored)).toEqual([{ path: '__proto__', expected: 'v', actual: 'w' }]);
    const missing = readBack({ id: mapped.document.id, pk: 'a', sk: 1 });
    expect(compareDocuments(mapped.document, missing)).toEqual([
      { path: '__proto__', expected: 'v', actual: undefined },
    ]);
  });

  test('an attribute only the stored document has is found even when it is named like a prototype member', () => {
    const expected = { id: 'a|1', pk: 'a', sk: 1 };
    expect(compareDocuments(expected, readBack({ ...expected, toString: 1, constructor: 2 }))).toEqual([
      { path: 'toString', expected: undefined, actual: 1 },
      { path: 'constructor', expected: undefined, actual: 2 },
    ]);
    expect(compareDocuments({ ...expected, m: { constructor: 1 } }, readBack({ ...expected, m: {} }))).toEqual([
      { path: 'm.constructor', expected: 1, actual: undefined },
    ]);
  });
});

describe('lone surrogates in key values are dead-lettered at mapping time', () => {
  test.each([
    [
      'the partition key',
      '{"Item":{"pk":{"S":"a\\ud800"},"sk":{"N":"1"}}}',
      /^\[BAD_VALUE\] pk: the key value holds a lone UTF-16 surrogate \(U\+D800 at position 1\)/,
    ],
    [
      'the sort key',
      '{"Item":{"pk":{"S":"a"},"sk":{"S":"\\udc00b"}}}',
      /^\[BAD_VALUE\] sk: the key value holds a lone UTF-16 surrogate \(U\+DC00 at position 0\)/,
    ],
  ])('in %s', (_where, line, message) => {
    expect(() => mapItem(item(line), MAPPING, newMappingStats())).toThrow(MappingError);
    expect(() => mapItem(item(line), MAPPING, newMappingStats())).toThrow(message);
  });

  test('a surrogate pair is an ordinary character, and a lone surrogate outside the keys is written as it is', () => {
    const mapped = mapItem(
      item('{"Item":{"pk":{"S":"\\ud83d\\ude00"},"sk":{"N":"1"},"note":{"S":"x\\ud800"}}}'),
      MAPPING,
      newMappingStats(),
    );
    expect(mapped.id).toBe('😀|1');
    expect(mapped.document.note).toBe('x\ud800');
    expect(compareDocuments(mapped.document, readBack(mapped.document))).toEqual([]);
  });
});
