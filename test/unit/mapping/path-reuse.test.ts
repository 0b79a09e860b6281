/**
 * mapItem keeps the path of the value being mapped as an array indexed by depth, reused from item to item and
 * never shortened (src/mapping/attribute-values.ts): what a deeper value of an earlier item left past the
 * current depth must never show in a later error or count.
 */
import { DynamoItem, mapItem, newMappingStats } from '../../../src/mapping';
import { expectMappingError } from './helpers';

const OPTIONS = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };

function deep(levels: number): unknown {
  let av: unknown = { S: 'bottom' };
  for (let i = 0; i < levels; i++) av = i % 2 === 0 ? { L: [av] } : { M: { inner: av } };
  return av;
}

describe('the path of one item never leaks into the next', () => {
  test('an error after a deeply nested item names only its own path', () => {
    mapItem({ pk: { S: 'a' }, sk: { N: '1' }, nest: deep(30) } as unknown as DynamoItem, OPTIONS, newMappingStats());
    expectMappingError(
      () =>
        mapItem(
          { pk: { S: 'a' }, sk: { N: '2' }, flag: { BOOL: 'yes' } } as unknown as DynamoItem,
          OPTIONS,
          newMappingStats(),
        ),
      'BAD_VALUE',
      'flag',
    );
    expectMappingError(
      () =>
        mapItem(
          { pk: { S: 'a' }, sk: { N: '3' }, m: { M: { x: { N: 'x' } } } } as unknown as DynamoItem,
          OPTIONS,
          newMappingStats(),
        ),
      'BAD_NUMBER',
      'm.x',
    );
    expectMappingError(
      () =>
        mapItem(
          { pk: { S: 'a' }, sk: { N: '4' }, s: { SS: ['a', 7] } } as unknown as DynamoItem,
          OPTIONS,
          newMappingStats(),
        ),
      'BAD_VALUE',
      's[1]',
    );
  });

  test('counts after a failed deep item carry only their own path', () => {
    expectMappingError(
      () =>
        mapItem(
          {
            pk: { S: 'a' },
            sk: { N: '1' },
            nest: { L: [{ M: { a: { L: [{ N: '1x' }] } } }] },
          } as unknown as DynamoItem,
          OPTIONS,
          newMappingStats(),
        ),
      'BAD_NUMBER',
      'nest[0].a[0]',
    );
    const stats = newMappingStats();
    mapItem(
      {
        pk: { S: 'a' },
        sk: { N: '2' },
        big: { N: '123456789012345678901' },
        l: { L: [{ N: '98765432109876543210' }] },
      } as unknown as DynamoItem,
      OPTIONS,
      stats,
    );
    expect(stats.numbersAsStrings).toEqual({ big: 1, 'l[]': 1 });
  });

  test('a failed item adds no counts, and the next item maps as if it were the first', () => {
    const stats = newMappingStats();
    expect(() =>
      mapItem(
        { pk: { S: 'a' }, sk: { N: '1' }, big: { N: '123456789012345678901' }, bad: { X: 1 } } as never,
        OPTIONS,
        stats,
      ),
    ).toThrow();
    const mapped = mapItem({ pk: { S: 'a' }, sk: { N: '2' }, n: { NS: ['1', '2'] } }, OPTIONS, stats);
    expect(mapped.document).toEqual({ id: 'a|2', pk: 'a', sk: 2, n: [1, 2] });
    expect(stats.numbersAsStrings).toEqual({});
  });
});
