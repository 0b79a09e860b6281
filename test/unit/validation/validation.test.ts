import { compareDocuments } from '../../../src/validation/compare';
import { reconcileCounts } from '../../../src/validation/counts';
import { Reservoir } from '../../../src/validation/reservoir';
import { sampleQuotas } from '../../../src/migration/sample-quotas';
import { seededRandom } from '../../../tools/sample/random';

describe('sampleQuotas', () => {
  test.each([
    [[100, 100, 0, 300], 50, [10, 10, 0, 30]],
    [[1, 1, 1], 2, [1, 1, 0]],
    [[3, 0], 500, [3, 0]],
    [[0, 0], 500, [0, 0]],
    [[10, 10], 0, [0, 0]],
  ])('%j with %i → %j', (counts, size, expected) => {
    expect(sampleQuotas(counts, size)).toEqual(expected);
  });

  test('always sums to min(size, total) and never exceeds a file', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const counts = Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 50));
      const size = Math.floor(random() * 600);
      const quotas = sampleQuotas(counts, size);
      const total = counts.reduce((a, b) => a + b, 0);
      expect(quotas.reduce((a, b) => a + b, 0)).toBe(Math.min(size, total));
      quotas.forEach((q, i) => expect(q).toBeLessThanOrEqual(counts[i]));
    }
  });
});

describe('Reservoir', () => {
  test('keeps at most capacity and every value has an equal chance', () => {
    const hits = new Array(10).fill(0);
    const random = seededRandom(3);
    for (let round = 0; round < 20000; round++) {
      const reservoir = new Reservoir<number>(2, random);
      for (let v = 0; v < 10; v++) reservoir.offer(v);
      expect(reservoir.items).toHaveLength(2);
      for (const v of reservoir.items) hits[v]++;
    }
    // each value expected 20000 * 2/10 = 4000 times
    for (const h of hits) expect(Math.abs(h - 4000)).toBeLessThan(300);
  });
});

describe('compareDocuments', () => {
  test('ignores system properties and -0 vs 0', () => {
    expect(
      compareDocuments(
        { id: 'a', n: 0 },
        { id: 'a', n: -0, _rid: 'r', _etag: 'e', _ts: 1, _self: 's', _attachments: 'a' },
      ),
    ).toEqual([]);
  });

  test('reports each differing attribute by path', () => {
    const differences = compareDocuments(
      { id: 'a', m: { x: [1, 2] }, s: 'v', gone: true },
      { id: 'a', m: { x: [1, 3] }, s: 'v', extra: 1 },
    );
    expect(differences).toEqual([
      { path: 'm.x[1]', expected: 2, actual: 3 },
      { path: 'gone', expected: true, actual: undefined },
      { path: 'extra', expected: undefined, actual: 1 },
    ]);
  });

  test('type changes are differences (number kept as string is not equal to a number)', () => {
    expect(compareDocuments({ n: '12345678901234567890' }, { n: 12345678901234567000 })).toHaveLength(1);
    expect(compareDocuments({ l: [] }, { l: {} })).toHaveLength(1);
    expect(compareDocuments({ v: null }, { v: {} })).toHaveLength(1);
  });
});

describe('reconcileCounts', () => {
  const base = { expected: 10, read: 10, written: 8, deleted: 0, deadLettered: 2, inFailedFiles: 0 };
  test('reconciles when every record is accounted for', () => {
    expect(reconcileCounts(base).reconciled).toBe(true);
  });
  test.each([
    [{ written: 7 }, /expected 10 = written 7/],
    [{ read: 9 }, /10 records but 9 lines were read/],
    [{ inFailedFiles: 3 }, /3 records are in files that failed/],
  ])('does not reconcile with %j', (change, detail) => {
    const check = reconcileCounts({ ...base, ...change });
    expect(check.reconciled).toBe(false);
    expect(check.detail).toMatch(detail);
  });
});
