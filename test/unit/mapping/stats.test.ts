import {
  commitPendingStats,
  mergeMappingStats,
  MappingStats,
  newMappingStats,
  newPendingStats,
} from '../../../src/mapping';

describe('mapping stats', () => {
  const a: MappingStats = { numbersAsStrings: { big: 2, 'items[].price': 1 }, precisionLost: {}, renames: { id: 1 } };
  const b: MappingStats = { numbersAsStrings: { big: 3 }, precisionLost: { x: 4 }, renames: { _ts: 2, id: 5 } };

  test('start empty', () => {
    expect(newMappingStats()).toEqual({ numbersAsStrings: {}, precisionLost: {}, renames: {} });
  });

  test.each<[string, MappingStats, MappingStats, MappingStats]>([
    ['empty + empty', newMappingStats(), newMappingStats(), newMappingStats()],
    ['a + empty', a, newMappingStats(), a],
    ['empty + b', newMappingStats(), b, b],
    [
      'a + b',
      a,
      b,
      { numbersAsStrings: { big: 5, 'items[].price': 1 }, precisionLost: { x: 4 }, renames: { id: 6, _ts: 2 } },
    ],
  ])('merge %s', (_name, left, right, expected) => {
    const before = JSON.stringify([left, right]);
    expect(mergeMappingStats(left, right)).toEqual(expected);
    expect(JSON.stringify([left, right])).toBe(before);
  });

  test('merging is a fold: per-file stats sum at fan-in, also after a JSON round trip', () => {
    const perFile = [a, b, a].map((stats) => JSON.parse(JSON.stringify(stats)) as MappingStats);
    expect(perFile.reduce(mergeMappingStats, newMappingStats())).toEqual({
      numbersAsStrings: { big: 7, 'items[].price': 2 },
      precisionLost: { x: 4 },
      renames: { id: 7, _ts: 2 },
    });
  });

  test('paths that are also Object.prototype names are ordinary keys', () => {
    const pending = newPendingStats();
    pending.numbersAsStrings.push('__proto__', 'constructor', 'toString', '__proto__');
    const stats = newMappingStats();
    commitPendingStats(pending, stats);
    expect(JSON.stringify(stats.numbersAsStrings)).toBe('{"__proto__":2,"constructor":1,"toString":1}');
    const merged = mergeMappingStats(stats, JSON.parse(JSON.stringify(stats)) as MappingStats);
    expect(JSON.stringify(merged.numbersAsStrings)).toBe('{"__proto__":4,"constructor":2,"toString":2}');
    expect(pending.numbersAsStrings).toEqual([]);
  });
});
