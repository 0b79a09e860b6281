import { isInstanceConflict, migrationInstanceId } from '../../../src/migration/instance-id';
import { validateMigrationRequest } from '../../../src/migration/validate-request';

const valid = {
  source: { bucket: 'acme-exports', exportPrefix: 'exports/t/AWSDynamoDB/01700000000000-abcdef12' },
  keySchema: { partitionKey: 'pk', sortKey: 'sk' },
  target: { database: 'app', container: 'orders' },
};

function problems(body: unknown, allowed: string[] = []): Record<string, string> {
  const result = validateMigrationRequest(body, allowed);
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.field, p.message]));
}

describe('names in a migration request are data, never paths', () => {
  test.each([
    ['a//b', 'must not contain empty segments ("a//b")'],
    ['exports/./t/AWSDynamoDB/X', 'must not contain "." or ".." segments'],
    ['exports/x/../t/AWSDynamoDB/X', 'must not contain "." or ".." segments'],
    ['../other-bucket/exports/AWSDynamoDB/X', 'must not contain "." or ".." segments'],
    ['exports/\u0000/X', 'must not contain control characters (U+0000 at position 8)'],
    ['exports/\ud800/X', expect.stringMatching(/^must not contain a lone UTF-16 surrogate \(U\+D800 at position 8\)/)],
    ['/abs', 'is a key prefix and must not start with "/"'],
  ])('exportPrefix %j: 400 naming the field', (exportPrefix, message) => {
    expect(problems({ ...valid, source: { ...valid.source, exportPrefix } })).toEqual({
      'source.exportPrefix': message,
    });
  });

  test('a 50 MiB exportPrefix is refused by its length, without echoing it', () => {
    const huge = 'a/'.repeat(25 * 1024 * 1024);
    const result = validateMigrationRequest({ ...valid, source: { ...valid.source, exportPrefix: huge } }, [
      'acme-exports/a',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        field: 'source.exportPrefix',
        message: 'must be at most 1002 bytes in UTF-8 (S3 keys have at most 1024), not 52428799',
      },
    ]);
  });

  test('the prefix leaves room for /manifest-summary.json within an S3 key', () => {
    expect(problems({ ...valid, source: { ...valid.source, exportPrefix: 'p'.repeat(1002) } })).toEqual({});
    expect(Object.keys(problems({ ...valid, source: { ...valid.source, exportPrefix: 'p'.repeat(1003) } }))).toEqual([
      'source.exportPrefix',
    ]);
  });

  test.each([
    ['..', 'must not be "." or ".."'],
    ['.', 'must not be "." or ".."'],
    ['a\u0001', 'must not contain control characters (U+0001 at position 1)'],
    ['x\udfff', expect.stringMatching(/lone UTF-16 surrogate/)],
    ['a/b', 'must not contain / \\ # ? or end with a space'],
    ['x'.repeat(256), 'must be at most 255 characters'],
  ])('database and container %j: 400 naming each', (name, message) => {
    expect(problems({ ...valid, target: { database: name, container: name } })).toEqual({
      'target.database': message,
      'target.container': message,
    });
  });

  test.each([
    ['ab', /3 to 63/],
    ['a..b', /two adjacent periods/],
    ['10.0.0.1', /IP address/],
    ['../lake', /3 to 63/],
  ])('bucket %j: 400', (bucket, message) => {
    expect(problems({ ...valid, source: { ...valid.source, bucket } })['source.bucket']).toMatch(message);
  });

  test('key schema names are bounded like DynamoDB key names and must have a UTF-8 form', () => {
    expect(problems({ ...valid, keySchema: { partitionKey: 'k'.repeat(256) } })).toEqual({
      'keySchema.partitionKey': "must be at most 255 bytes in UTF-8 (DynamoDB's limit for key names)",
    });
    expect(problems({ ...valid, keySchema: { partitionKey: 'pk', sortKey: 's\ud800' } })['keySchema.sortKey']).toMatch(
      /lone UTF-16 surrogate/,
    );
  });

  test('ALLOWED_SOURCES cannot be passed with dot segments: the prefix is refused before it is compared', () => {
    const body = {
      ...valid,
      source: { bucket: 'acme-exports', exportPrefix: 'allowed/prefix/../../other/AWSDynamoDB/X' },
    };
    expect(problems(body, ['acme-exports/allowed/prefix'])).toEqual({
      'source.exportPrefix': 'must not contain "." or ".." segments',
    });
    expect(
      problems({ ...valid, source: { ...valid.source, exportPrefix: 'allowed/prefixes/X' } }, [
        'acme-exports/allowed/prefix',
      ]),
    ).toEqual({
      source: "s3://acme-exports/allowed/prefixes/X is not in the app's ALLOWED_SOURCES; ask the operator to add it",
    });
  });
});

describe('one migration per export and container', () => {
  const at = (exportPrefix: string) =>
    migrationInstanceId({
      source: { bucket: 'b', exportPrefix },
      target: { database: 'd', container: 'c', partitionKeyPaths: ['/pk'] },
    });

  test('every spelling of one export folder is one instance id', () => {
    const id = at('a/b');
    expect(['a/b/', 'a//b', 'a/./b', 'a/x/../b', 'a/b//'].map(at)).toEqual(Array(5).fill(id));
    expect(at('a/bc')).not.toBe(id);
  });

  test('the id of a canonical prefix is what it always was', () => {
    expect(at('p')).toBe('migrate-7b7d8010496f0c05506ea1976cc9cd33');
  });

  test("a start that lost the race to an identical one is recognised by Durable's answer", () => {
    expect(
      isInstanceConflict(
        new Error(
          'The operation failed with an unexpected status code: 409. Details: {"Message":"An Orchestration instance with the ID migrate-1 already exists."}',
        ),
      ),
    ).toBe(true);
    expect(isInstanceConflict(new Error('An Orchestration instance with the ID x already exists.'))).toBe(true);
    expect(isInstanceConflict(new Error('The operation failed with an unexpected status code: 500.'))).toBe(false);
  });
});
