import { isWithin, keyPrefixProblem, normalizeKey, trimTrailingSlashes } from '../../../src/names';

describe('keyPrefixProblem: a prefix a person gives has one spelling or is refused', () => {
  test.each([
    'exports/orders/AWSDynamoDB/01700000000000-abcdef12',
    'a',
    '...',
    'a/.../b',
    'a/.hidden/b',
    'ünïcödé/😀',
    'spaces are fine/ok',
  ])('%j is accepted', (prefix) => {
    expect(keyPrefixProblem(prefix)).toBeUndefined();
  });

  test.each([
    ['/abs', /must not start with "\/"/],
    ['a//b', /empty segments/],
    ['a/./b', /"\." or "\.\." segments/],
    ['a/../b', /"\." or "\.\." segments/],
    ['..', /"\." or "\.\." segments/],
    ['.', /"\." or "\.\." segments/],
    ['../other-bucket/export', /"\." or "\.\." segments/],
    ['a/\u0000b', /control characters \(U\+0000 at position 2\)/],
    ['a\nb', /control characters/],
    ['a\u0085b', /control characters/],
    ['a/\ud800b', /lone UTF-16 surrogate \(U\+D800 at position 2\)/],
    ['a/\udc00', /lone UTF-16 surrogate/],
    ['', /empty segments/],
  ])('%j is refused', (prefix, message) => {
    expect(keyPrefixProblem(prefix)).toMatch(message);
  });

  test('length is counted in UTF-8 bytes and checked before anything else, without echoing the value', () => {
    expect(keyPrefixProblem('a'.repeat(1024))).toBeUndefined();
    expect(keyPrefixProblem('a'.repeat(1025))).toBe(
      'must be at most 1024 bytes in UTF-8 (S3 keys have at most 1024), not 1025',
    );
    expect(keyPrefixProblem('é'.repeat(513))).toMatch(/not 1026$/);
    expect(keyPrefixProblem('x'.repeat(100), 64)).toMatch(/^must be at most 64 bytes/);
    const huge = `../${'a'.repeat(50 * 1024 * 1024)}`;
    const problem = keyPrefixProblem(huge) ?? '';
    expect(problem).toMatch(/^must be at most 1024 bytes/);
    expect(problem.length).toBeLessThan(200);
  });
});

describe('normalizeKey: a key someone else wrote becomes one spelling before any comparison', () => {
  test.each([
    ['data/f.json.gz', 'data/f.json.gz'],
    ['data/./f.json.gz', 'data/f.json.gz'],
    ['data/zz/../f.json.gz', 'data/f.json.gz'],
    ['data//f.json.gz', 'data/f.json.gz'],
    ['/data/f.json.gz/', 'data/f.json.gz'],
    ['a/b/../../c', 'c'],
    ['a/.../b', 'a/.../b'],
  ])('%j → %j', (key, expected) => {
    expect(normalizeKey(key)).toEqual({ ok: true, key: expected });
  });

  test.each([
    ['../x', /climbs above the root/],
    ['a/../../x', /climbs above the root/],
    ['a/..', /names no object/],
    ['', /names no object/],
    ['a/\u0007', /control characters/],
    ['a/\udfff', /lone UTF-16 surrogate/],
    ['k'.repeat(1025), /1025 bytes long; S3 keys have at most 1024/],
  ])('%j is refused', (key, reason) => {
    const result = normalizeKey(key);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  test('a surrogate pair is text, not a lone surrogate', () => {
    expect(normalizeKey('emoji/\ud83d\ude00')).toEqual({ ok: true, key: 'emoji/😀' });
  });
});

describe('isWithin compares segment by segment', () => {
  test.each([
    ['a/b/c', 'a/b', true],
    ['a/b', 'a/b', true],
    ['a/bc', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['anything', '', true],
  ])('%j in %j: %s', (key, folder, expected) => {
    expect(isWithin(key, folder)).toBe(expected);
  });
});

test('trimTrailingSlashes', () => {
  expect(trimTrailingSlashes('a/b//')).toBe('a/b');
  expect(trimTrailingSlashes('a/b')).toBe('a/b');
  expect(trimTrailingSlashes('///')).toBe('');
});
