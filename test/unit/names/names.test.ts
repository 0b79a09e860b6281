import {
  bucketProblem,
  cosmosNameProblem,
  isAllowedSource,
  loneSurrogateAt,
  quoteName,
  tableNameProblem,
  textProblem,
} from '../../../src/names';

describe('bucketProblem: S3 bucket naming rules', () => {
  test.each(['acme-exports', 'source-exports', 'a.b.c', 'abc', 'x'.repeat(63), 'my-ap-abc-s3alias'])(
    '%j is a bucket name',
    (bucket) => {
      expect(bucketProblem(bucket)).toBeUndefined();
    },
  );

  test.each([
    ['ab', /3 to 63/],
    ['x'.repeat(64), /3 to 63/],
    ['Bad_Bucket', /3 to 63/],
    ['-abc', /starting and ending/],
    ['abc.', /starting and ending/],
    ['a..b', /two adjacent periods/],
    ['192.168.5.4', /IP address/],
    ['xn--abc', /prefix "xn--" is reserved/],
    ['..', /3 to 63/],
    ['a/b', /3 to 63/],
  ])('%j is refused', (bucket, message) => {
    expect(bucketProblem(bucket)).toMatch(message);
  });
});

describe('cosmosNameProblem: Cosmos DB resource names that are also lake folders', () => {
  test.each(['app', 'orders', 'with space', 'ünïcödé', '...', '.hidden', 'x'.repeat(255), 'a.b'])(
    '%j is a name',
    (name) => {
      expect(cosmosNameProblem(name)).toBeUndefined();
    },
  );

  test.each([
    ['x'.repeat(256), /at most 255 characters/],
    ['a/b', /must not contain \/ \\ # \?/],
    ['a\\b', /must not contain/],
    ['a#b', /must not contain/],
    ['a?b', /must not contain/],
    ['trailing ', /end with a space/],
    ['.', /must not be "\." or "\.\."/],
    ['..', /must not be "\." or "\.\."/],
    ['tab\there', /control characters/],
    ['\u007f', /control characters/],
    ['lone\ud800', /lone UTF-16 surrogate/],
  ])('%j is refused', (name, message) => {
    expect(cosmosNameProblem(name)).toMatch(message);
  });
});

describe('tableNameProblem: DynamoDB table names', () => {
  test.each(['orders', 'Orders_2024', 'a.b-c', '...', 'x'.repeat(255)])('%j is a table name', (name) => {
    expect(tableNameProblem(name)).toBeUndefined();
  });

  test.each(['ab', '../t', './t', 'x/../t', '../../lake/_sync/tables/t', 't\u0000', 'x'.repeat(256), 'tab le', ''])(
    '%j is refused',
    (name) => {
      expect(tableNameProblem(name)).toBe('must be a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -');
    },
  );
});

describe('isAllowedSource: normalised keys, compared segment by segment', () => {
  const allowed = ['acme/exports/orders', 'open-bucket', 'trailing/slash/'];
  test.each([
    ['acme', 'exports/orders/AWSDynamoDB/X', true],
    ['acme', 'exports/orders', true],
    ['acme', 'exports/ordersx/AWSDynamoDB/X', false],
    ['acme', 'exports/orders/../../other/AWSDynamoDB/X', false],
    ['acme', 'exports/orders/../orders/AWSDynamoDB/X', true],
    ['acme', 'exports/./orders//AWSDynamoDB/X', true],
    ['acme', '../exports/orders/X', false],
    ['acme', 'exports', false],
    ['open-bucket', 'anything/at/all', true],
    ['open-bucket', '', true],
    ['trailing', 'slash/x', true],
    ['other', 'exports/orders/X', false],
  ])('s3://%s/%s: %s', (bucket, prefix, expected) => {
    expect(isAllowedSource(bucket, prefix, allowed)).toBe(expected);
  });

  test('an empty list allows everything; an entry that climbs out allows nothing', () => {
    expect(isAllowedSource('acme', 'x', [])).toBe(true);
    expect(isAllowedSource('acme', 'x', ['acme/a/../../x'])).toBe(false);
    expect(isAllowedSource('acme', 'a/x', ['acme/a/b/../'])).toBe(true);
  });
});

describe('text checks', () => {
  test('lone surrogates are found, pairs are not', () => {
    expect(loneSurrogateAt('ok')).toBe(-1);
    expect(loneSurrogateAt('😀')).toBe(-1);
    expect(loneSurrogateAt('a\ud83d')).toBe(1);
    expect(loneSurrogateAt('\ude00a')).toBe(0);
    expect(loneSurrogateAt('\ud83d\ud83d\ude00')).toBe(0);
  });

  test('textProblem names the character and where it is', () => {
    expect(textProblem('fine')).toBeUndefined();
    expect(textProblem('a\u001fb')).toBe('must not contain control characters (U+001F at position 1)');
  });

  test('quoteName escapes and cuts a hostile name short', () => {
    expect(quoteName('a\u0000\ud800')).toBe('"a\\u0000\\ud800"');
    expect(quoteName('x'.repeat(10_000))).toMatch(/^"x{80}"… \(10000 characters\)$/);
  });
});
