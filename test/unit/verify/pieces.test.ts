import { bucketCountFor, bucketOf, documentKey, TARGET_BUCKET_SIZE } from '../../../src/verify/buckets';
import { canonicalJson, contentHash } from '../../../src/verify/canonical';
import { SetDigest } from '../../../src/verify/digest';
import { diffBucket } from '../../../src/verify/diff';
import { applyInOrder, ExpectedRecord, expectedLine, parseExpectedLine } from '../../../src/verify/records';
import { addBucket, emptyTotals } from '../../../src/verify/report';
import { BucketResult } from '../../../src/verify/types';

describe('bucket assignment', () => {
  test('the bucket count keeps each bucket near the target size', () => {
    expect(bucketCountFor(0)).toBe(1);
    expect(bucketCountFor(TARGET_BUCKET_SIZE)).toBe(1);
    expect(bucketCountFor(TARGET_BUCKET_SIZE + 1)).toBe(2);
    expect(bucketCountFor(1_000_000)).toBe(50);
    expect(bucketCountFor(1e12)).toBe(65_536);
  });

  test('a key always lands in the same bucket, within range, spread evenly', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const key = documentKey(`id-${i}`, JSON.stringify(`pk-${i % 97}`));
      const bucket = bucketOf(key, 16);
      expect(bucketOf(key, 16)).toBe(bucket);
      counts[bucket]++;
    }
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
    expect(bucketOf('anything', 1)).toBe(0);
  });

  test('the same id under two partition key values is two keys', () => {
    expect(documentKey('a', '"x"')).not.toBe(documentKey('a', '"y"'));
    expect(documentKey('a', '["x","b"]')).not.toBe(documentKey('a', '"x"'));
  });
});

describe('content hash', () => {
  test('property order does not matter, at any depth', () => {
    const a = { id: '1', b: { y: 1, x: [1, { q: 2, p: 3 }] }, a: 'z' };
    const b = { a: 'z', b: { x: [1, { p: 3, q: 2 }], y: 1 }, id: '1' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentHash(a)).toBe(contentHash(b));
  });

  test('system properties are left out at the top level only', () => {
    const stored = { id: '1', v: 2, _rid: 'r', _self: 's', _etag: '"e"', _attachments: 'a/', _ts: 17, _lsn: 4 };
    expect(contentHash(stored)).toBe(contentHash({ id: '1', v: 2 }));
    expect(contentHash({ id: '1', m: { _ts: 1 } })).not.toBe(contentHash({ id: '1', m: {} }));
  });

  test('values, array order and types count; -0 is 0 as in the comparison', () => {
    expect(contentHash({ id: '1', v: 1 })).not.toBe(contentHash({ id: '1', v: '1' }));
    expect(contentHash({ id: '1', l: [1, 2] })).not.toBe(contentHash({ id: '1', l: [2, 1] }));
    expect(contentHash({ id: '1', v: -0 })).toBe(contentHash({ id: '1', v: 0 }));
    expect(contentHash({ id: '1', v: null })).not.toBe(contentHash({ id: '1' }));
  });

  test('an attribute named __proto__ is content like any other', () => {
    const withProto = JSON.parse('{"id":"1","__proto__":{"x":1}}') as Record<string, unknown>;
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"x":1},"id":"1"}');
    expect(contentHash(withProto)).not.toBe(contentHash({ id: '1' }));
  });
});

describe('set digest', () => {
  const digest = (pairs: [string, string][]): SetDigest => {
    const d = new SetDigest();
    for (const [key, hash] of pairs) d.add(key, hash);
    return d;
  };
  test('does not depend on order, and tells sets apart', () => {
    const pairs: [string, string][] = Array.from({ length: 50 }, (_, i) => [`k${i}`, `h${i}`]);
    expect(digest(pairs).value).toBe(digest([...pairs].reverse()).value);
    expect(digest(pairs).equals(digest(pairs.slice(1)))).toBe(false);
    const changed = pairs.map(([k, h], i): [string, string] => [k, i === 7 ? 'other' : h]);
    expect(digest(pairs).equals(digest(changed))).toBe(false);
  });
  test('a pair twice does not cancel out', () => {
    expect(
      digest([
        ['a', '1'],
        ['a', '1'],
      ]).equals(digest([])),
    ).toBe(false);
  });
});

function put(id: string, hash: string, seq: number, fileIndex = 0, line = 1, pk = `"${id}"`): ExpectedRecord {
  return { id, pk, hash, seq, fileIndex, line, op: 'put' };
}
function del(id: string, seq: number, fileIndex = 0, line = 1, pk = `"${id}"`): ExpectedRecord {
  return { id, pk, hash: '', seq, fileIndex, line, op: 'delete' };
}

describe('applying the expected side in order', () => {
  test('the later export decides, whatever order the records arrive in', () => {
    const state = applyInOrder([del('a', 2), put('a', 'h1', 0), put('a', 'h2', 1, 5, 9), put('b', 'x', 1)]);
    expect(state.get(documentKey('a', '"a"'))?.op).toBe('delete');
    const again = applyInOrder([put('a', 'h3', 3), del('a', 2), put('a', 'h1', 0)]);
    expect(again.get(documentKey('a', '"a"'))?.hash).toBe('h3');
  });

  test('within one export, file then line order', () => {
    const state = applyInOrder([put('a', 'late', 1, 2, 1), put('a', 'early', 1, 1, 900)]);
    expect(state.get(documentKey('a', '"a"'))?.hash).toBe('late');
  });

  test('records survive their line form', () => {
    const record = put('id "quoted"\n', 'hash', 3, 4, 5, '["x",1]');
    expect(parseExpectedLine(expectedLine(record))).toEqual(record);
    expect(parseExpectedLine(expectedLine(del('gone', 2)))).toEqual(del('gone', 2));
  });
});

describe('diffing a bucket', () => {
  const actual = (id: string, hash: string, pk = `"${id}"`) => ({ id, pk, hash });

  test('equal sets match on their digests alone', () => {
    const diff = diffBucket(
      applyInOrder([put('a', '1', 0), put('b', '2', 0)]),
      [actual('b', '2'), actual('a', '1')],
      'container',
      10,
    );
    expect(diff).toEqual(expect.objectContaining({ digestsMatched: true, expected: 2, actual: 2, matched: 2 }));
  });

  test('missing, unexpected (foreign or deleted) and differing documents, each counted and named', () => {
    const expected = applyInOrder([
      put('a', '1', 0),
      put('b', '2', 0),
      put('c', '3', 0),
      del('c', 1),
      put('d', '4', 0),
    ]);
    const diff = diffBucket(
      expected,
      [actual('b', 'changed'), actual('c', '3'), actual('d', '4'), actual('z', '9')],
      'container',
      10,
    );
    expect(diff).toEqual(
      expect.objectContaining({
        digestsMatched: false,
        expected: 3,
        actual: 4,
        matched: 1,
        missingCount: 1,
        unexpectedCount: 2,
        differingCount: 1,
      }),
    );
    expect(diff.missing.map((r) => r.id)).toEqual(['a']);
    expect(diff.unexpected.map((r) => r.id)).toEqual(['c', 'z']);
    expect(diff.differing.map((d) => [d.expected.id, d.actual.hash])).toEqual([['b', 'changed']]);
  });

  test('the same id in another partition is another document', () => {
    const diff = diffBucket(
      applyInOrder([put('a', '1', 0, 0, 1, '"p1"')]),
      [actual('a', '1', '"p2"')],
      'container',
      10,
    );
    expect([diff.missingCount, diff.unexpectedCount, diff.matched]).toEqual([1, 1, 0]);
  });

  test('export-keys leaves documents the export never touched alone', () => {
    const expected = applyInOrder([put('a', '1', 0), del('b', 0)]);
    const diff = diffBucket(expected, [actual('a', '1'), actual('b', '2'), actual('other', '3')], 'export-keys', 10);
    expect([diff.expected, diff.actual, diff.matched, diff.unexpectedCount]).toEqual([1, 2, 1, 1]);
    expect(diff.unexpected.map((r) => r.id)).toEqual(['b']);
  });

  test('lists are capped, counts are not', () => {
    const expected = applyInOrder(Array.from({ length: 30 }, (_, i) => put(`m${i}`, 'h', 0)));
    const diff = diffBucket(expected, [], 'container', 5);
    expect(diff.missingCount).toBe(30);
    expect(diff.missing).toHaveLength(5);
  });
});

describe('summing bucket results', () => {
  test('counts add up and each list stops at the cap across buckets', () => {
    const bucket = (n: number): BucketResult => ({
      bucket: n,
      expected: 700,
      actual: 700,
      matched: 0,
      missingCount: 700,
      unexpectedCount: 700,
      differingCount: 0,
      digestsMatched: false,
      missing: Array.from({ length: 700 }, (_, i) => ({ id: `m${n}-${i}` })),
      unexpected: Array.from({ length: 700 }, (_, i) => ({ id: `u${n}-${i}` })),
      differing: [],
      requestCharge: 1,
    });
    const total = emptyTotals();
    addBucket(total, bucket(0));
    addBucket(total, bucket(1));
    expect([total.missingCount, total.unexpectedCount, total.expected]).toEqual([1400, 1400, 1400]);
    expect(total.missing).toHaveLength(1000);
    expect(total.missing[999]).toEqual({ id: 'm1-299' });
  });
});
