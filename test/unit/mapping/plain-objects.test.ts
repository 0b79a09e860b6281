import { mapItem, newMappingStats } from '../../../src/mapping';
import { sampleItem } from '../../../tools/sample/items';

/** Documents are built with a constructor for speed (objects.ts); nobody may be able to tell them from literals. */
describe('the objects the mapping builds', () => {
  const options = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };

  test('are plain objects, strictly equal to literals, and serialise with id first', () => {
    const { document } = mapItem(
      { pk: { S: 'a' }, sk: { N: '1' }, m: { M: { x: { N: '2' } } } },
      options,
      newMappingStats(),
    );
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(document.m)).toBe(Object.prototype);
    expect(document.constructor).toBe(Object);
    expect(document).toStrictEqual({ id: 'a|1', pk: 'a', sk: 1, m: { x: 2 } });
    expect(JSON.stringify(document)).toBe('{"id":"a|1","pk":"a","sk":1,"m":{"x":2}}');
  });

  test('a document equals its JSON round trip, for many sample items', () => {
    for (let n = 0; n < 500; n++) {
      const { document } = mapItem(sampleItem(3, n), options, newMappingStats());
      expect(document).toStrictEqual(JSON.parse(JSON.stringify(document)));
    }
  });
});
