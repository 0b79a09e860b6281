import { migrationInstanceId } from '../../../src/migration/instance-id';
import { isAllowedSource, validateMigrationRequest } from '../../../src/migration/validate-request';

const valid = {
  source: { bucket: 'acme-exports', exportPrefix: 'exports/t/AWSDynamoDB/01700000000000-abcdef12/' },
  keySchema: { partitionKey: 'pk', sortKey: 'sk' },
  target: { database: 'app', container: 'orders' },
};

describe('validateMigrationRequest', () => {
  test('fills defaults and trims the trailing slash', () => {
    const result = validateMigrationRequest(valid);
    expect(result).toEqual({
      ok: true,
      request: {
        source: { bucket: 'acme-exports', exportPrefix: 'exports/t/AWSDynamoDB/01700000000000-abcdef12' },
        keySchema: { partitionKey: 'pk', sortKey: 'sk' },
        target: { database: 'app', container: 'orders', partitionKeyPaths: ['/pk'] },
        options: {
          numberMode: 'lossless',
          sampleSize: 500,
          copyMode: 'auto',
          maxParallelFiles: 8,
          bulkConcurrency: 4,
          verify: 'sample',
        },
      },
    });
  });

  test('options.verify is sample or full, nothing else', () => {
    const full = validateMigrationRequest({ ...valid, options: { verify: 'full' } });
    expect(full.ok && full.request.options.verify).toBe('full');
    for (const verify of ['all', 'FULL', 1, null]) {
      const refused = validateMigrationRequest({ ...valid, options: { verify } });
      expect(refused).toEqual({
        ok: false,
        problems: [{ field: 'options.verify', message: 'must be one of "sample", "full"' }],
      });
    }
  });

  test('accepts a hierarchical partition key and options', () => {
    const result = validateMigrationRequest({
      ...valid,
      target: { ...valid.target, partitionKeyPath: ['/pk', '/sk'] },
      options: { numberMode: 'string', sampleSize: 10, copyMode: 'stream' },
    });
    expect(result.ok && result.request.target.partitionKeyPaths).toEqual(['/pk', '/sk']);
    expect(result.ok && result.request.options.numberMode).toBe('string');
  });

  test.each([
    [null, '(body)'],
    [{ ...valid, source: undefined }, 'source'],
    [{ ...valid, source: { bucket: 'Bad_Bucket', exportPrefix: 'x' } }, 'source.bucket'],
    [{ ...valid, source: { bucket: 'ok-bucket', exportPrefix: '/abs' } }, 'source.exportPrefix'],
    [{ ...valid, source: { ...valid.source, region: 'x' } }, 'source.region'],
    [{ ...valid, keySchema: { partitionKey: 5 } }, 'keySchema.partitionKey'],
    [{ ...valid, keySchema: { partitionKey: 'pk', sortKey: 'pk' } }, 'keySchema.sortKey'],
    [{ ...valid, target: { database: 'a/b', container: 'c' } }, 'target.database'],
    [{ ...valid, target: { database: 'a', container: '' } }, 'target.container'],
    [{ ...valid, target: { ...valid.target, partitionKeyPath: '/other' } }, 'target.partitionKeyPath'],
    [{ ...valid, options: { numberMode: 'float' } }, 'options.numberMode'],
    [{ ...valid, options: { sampleSize: -1 } }, 'options.sampleSize'],
    [{ ...valid, options: { copyMode: 'fast' } }, 'options.copyMode'],
    [{ ...valid, options: { turbo: true } }, 'options.turbo'],
    [{ ...valid, extra: 1 }, 'extra'],
  ])('names the problem field for %j', (body, field) => {
    const result = validateMigrationRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field)).toContain(field);
  });

  test('reports every problem at once', () => {
    const result = validateMigrationRequest({ source: {}, keySchema: {}, target: {} });
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual([
      'source.bucket',
      'source.exportPrefix',
      'keySchema.partitionKey',
      'target.database',
      'target.container',
    ]);
  });

  test('enforces the allow-list', () => {
    const result = validateMigrationRequest(valid, ['other-bucket']);
    expect(!result.ok && result.problems[0].message).toMatch(/ALLOWED_SOURCES/);
  });
});

describe('target.partitionKeyPath (docs/mapping.md §4)', () => {
  const withKeys = (keySchema: object, partitionKeyPath?: unknown) =>
    validateMigrationRequest({
      ...valid,
      keySchema,
      target: { ...valid.target, ...(partitionKeyPath === undefined ? {} : { partitionKeyPath }) },
    });
  const pathsOf = (result: ReturnType<typeof validateMigrationRequest>) =>
    result.ok ? result.request.target.partitionKeyPaths : result.problems;

  test.each<[string, object, string[]]>([
    ['ordinary keys', { partitionKey: 'pk', sortKey: 'sk' }, ['/pk']],
    ['partition key id alone: the document id', { partitionKey: 'id' }, ['/id']],
    ['partition key id with a sort key: its raw value, renamed', { partitionKey: 'id', sortKey: 'sk' }, ['/_ddb_id']],
    ['sort key id', { partitionKey: 'pk', sortKey: 'id' }, ['/pk']],
    ['a system property name', { partitionKey: '_ts' }, ['/_ddb__ts']],
  ])('default: %s', (_name, keySchema, expected) => {
    expect(pathsOf(withKeys(keySchema))).toEqual(expected);
  });

  test.each<[string, object, unknown]>([
    ['the hierarchical default', { partitionKey: 'pk', sortKey: 'sk' }, ['/pk', '/sk']],
    ['a sort key id in a hierarchical key', { partitionKey: 'pk', sortKey: 'id' }, ['/pk', '/_ddb_id']],
    ['a partition key id in a hierarchical key', { partitionKey: 'id', sortKey: 'sk' }, ['/_ddb_id', '/sk']],
    ['the document id', { partitionKey: 'id', sortKey: 'sk' }, '/id'],
    ['three levels', { partitionKey: 'pk', sortKey: 'sk' }, ['/pk', '/sk', '/id']],
  ])('accepted: %s', (_name, keySchema, partitionKeyPath) => {
    const paths = typeof partitionKeyPath === 'string' ? [partitionKeyPath] : partitionKeyPath;
    expect(pathsOf(withKeys(keySchema, partitionKeyPath))).toEqual(paths);
  });

  test.each<[string, object, unknown]>([
    ['an attribute that is not a key', { partitionKey: 'pk', sortKey: 'sk' }, '/tenant'],
    ['the raw name of a renamed key', { partitionKey: 'id', sortKey: 'sk' }, ['/id', '/sk', '/_ddb_id', '/pk']],
    ['a renamed id that is not always there', { partitionKey: 'id' }, '/_ddb_id'],
    ['a system property name', { partitionKey: '_ts' }, '/_ts'],
    ['a repeated level', { partitionKey: 'pk', sortKey: 'sk' }, ['/pk', '/pk']],
    ['no level', { partitionKey: 'pk', sortKey: 'sk' }, []],
    ['not strings', { partitionKey: 'pk', sortKey: 'sk' }, [1]],
  ])('refused: %s', (_name, keySchema, partitionKeyPath) => {
    const result = withKeys(keySchema, partitionKeyPath);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.field)).toEqual(['target.partitionKeyPath']);
      expect(result.problems[0].message).toMatch(/incremental deletes carry only the key attributes/);
    }
  });

  test('the message names the default and the levels allowed', () => {
    const result = withKeys({ partitionKey: 'id', sortKey: 'sk' }, '/pk');
    expect(!result.ok && result.problems[0].message).toMatch(
      /^must be "\/_ddb_id" or \["\/_ddb_id","\/sk"\] \(hierarchical\), or 1 to 3 distinct levels of "\/id", "\/_ddb_id", "\/sk"/,
    );
  });
});

describe('isAllowedSource', () => {
  test.each([
    [[], true],
    [['acme'], true],
    [['acme/exports'], true],
    [['acme/exports/'], true],
    [['acme/exp'], false],
    [['other'], false],
  ])('%j', (allowed, expected) => {
    expect(isAllowedSource('acme', 'exports/t/AWSDynamoDB/X', allowed)).toBe(expected);
  });
});

describe('migrationInstanceId', () => {
  const a = {
    source: { bucket: 'b', exportPrefix: 'p' },
    target: { database: 'd', container: 'c', partitionKeyPaths: ['/pk'] },
  };
  test('is stable for the same export and container and differs otherwise', () => {
    expect(migrationInstanceId(a)).toBe(migrationInstanceId({ ...a }));
    expect(migrationInstanceId(a)).not.toBe(migrationInstanceId({ ...a, target: { ...a.target, container: 'c2' } }));
    expect(migrationInstanceId(a)).toMatch(/^migrate-[0-9a-f]{32}$/);
  });
});
