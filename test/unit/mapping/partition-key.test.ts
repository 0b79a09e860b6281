import { createHash } from 'node:crypto';
import { MigrationError } from '../../../src/errors';
import {
  defaultPartitionKeyPaths,
  describePartitionKeyPaths,
  DynamoItem,
  KeySchema,
  keyDerivedPaths,
  keyDocumentName,
  mapItem,
  mapKeys,
  MappingOptions,
  newMappingStats,
  NumberMode,
  parsePartitionKeyPath,
  pathOfProperty,
} from '../../../src/mapping';
import { expectMappingError, seeded } from './helpers';

/** The document's value at `path`, read independently of the mapping (plain segments only). */
function valueAt(document: Record<string, unknown>, path: string): unknown {
  return (parsePartitionKeyPath(path) as string[]).reduce<unknown>(
    (value, segment) => (value as Record<string, unknown> | undefined)?.[segment],
    document,
  );
}

function options(keySchema: KeySchema, extra: Partial<MappingOptions> = {}): MappingOptions {
  return { keySchema, numberMode: 'lossless', ...extra };
}

/** Maps `item` and checks the contract's rule: the partition key is the document's own value at the path(s). */
function mapChecked(item: DynamoItem, mapping: MappingOptions) {
  const mapped = mapItem(item, mapping, newMappingStats());
  const paths =
    mapping.partitionKeyPaths ??
    (defaultPartitionKeyPaths(mapping.keySchema, mapping.hierarchicalPartitionKey === true) as string[]);
  const atPaths = paths.map((path) => valueAt(mapped.document, path));
  expect(mapped.partitionKey).toEqual(paths.length === 1 ? atPaths[0] : atPaths);
  expect(mapped.document.id).toBe(mapped.id);
  // An incremental delete of the same item finds the same id and partition key from its Keys alone.
  const keys: DynamoItem = { [mapping.keySchema.partitionKey]: item[mapping.keySchema.partitionKey] };
  if (mapping.keySchema.sortKey) keys[mapping.keySchema.sortKey] = item[mapping.keySchema.sortKey];
  expect(mapKeys(keys, mapping)).toEqual({ id: mapped.id, partitionKey: mapped.partitionKey });
  return mapped;
}

const hashed = (text: string): string => `sha256-${createHash('sha256').update(text).digest('hex')}`;
const AWKWARD = 'a/b#c%d|e?f\\g';
const LONG = 'L'.repeat(1100);

describe('default partition key paths (mapping.md §4)', () => {
  test.each<[string, KeySchema, string[], string[] | undefined]>([
    ['ordinary keys', { partitionKey: 'pk', sortKey: 'sk' }, ['/pk'], ['/pk', '/sk']],
    ['partition key only', { partitionKey: 'pk' }, ['/pk'], undefined],
    ['partition key id, no sort key', { partitionKey: 'id' }, ['/id'], undefined],
    ['partition key id with a sort key', { partitionKey: 'id', sortKey: 'sk' }, ['/_ddb_id'], ['/_ddb_id', '/sk']],
    ['sort key id', { partitionKey: 'pk', sortKey: 'id' }, ['/pk'], ['/pk', '/_ddb_id']],
    ['system names', { partitionKey: '_ts', sortKey: '_rid' }, ['/_ddb__ts'], ['/_ddb__ts', '/_ddb__rid']],
    ['a rename that meets the other key', { partitionKey: 'id', sortKey: '_ddb_id' }, ['/_ddb__ddb_id'], undefined],
    ['a name with a slash', { partitionKey: 'a/b', sortKey: 'c d' }, ['/"a/b"'], ['/"a/b"', '/c d']],
  ])('%s', (_name, keySchema, single, hierarchical) => {
    expect(defaultPartitionKeyPaths(keySchema)).toEqual(single);
    if (hierarchical) expect(defaultPartitionKeyPaths(keySchema, true)).toEqual(hierarchical);
  });

  test('a sort key named _ddb_id next to a partition key id: both levels are distinct', () => {
    expect(defaultPartitionKeyPaths({ partitionKey: 'id', sortKey: '_ddb_id' }, true)).toEqual([
      '/_ddb__ddb_id',
      '/_ddb_id',
    ]);
  });

  test('hierarchical needs a sort key', () => {
    expect(defaultPartitionKeyPaths({ partitionKey: 'pk' }, true)).toBeUndefined();
  });

  test('key document names', () => {
    expect(keyDocumentName({ partitionKey: 'id' }, 'id')).toBe('id');
    expect(keyDocumentName({ partitionKey: 'id', sortKey: 'sk' }, 'id')).toBe('_ddb_id');
    expect(keyDocumentName({ partitionKey: 'pk', sortKey: '_etag' }, '_etag')).toBe('_ddb__etag');
    expect(keyDocumentName({ partitionKey: 'pk', sortKey: 'sk' }, 'pk')).toBe('pk');
  });

  test('paths an incremental delete can determine', () => {
    expect(keyDerivedPaths({ partitionKey: 'pk', sortKey: 'sk' })).toEqual(['/id', '/pk', '/sk']);
    expect(keyDerivedPaths({ partitionKey: 'id' })).toEqual(['/id']);
    expect(keyDerivedPaths({ partitionKey: 'id', sortKey: 'sk' })).toEqual(['/id', '/_ddb_id', '/sk']);
  });

  test('paths are read as the SDK reads them', () => {
    expect(parsePartitionKeyPath('/pk')).toEqual(['pk']);
    expect(parsePartitionKeyPath('/a/b')).toEqual(['a', 'b']);
    expect(parsePartitionKeyPath('/"a/b"')).toEqual(['a/b']);
    expect(parsePartitionKeyPath("/'x'/y")).toEqual(['x', 'y']);
    for (const bad of ['', 'pk', '/', '//a', '/"open']) expect(parsePartitionKeyPath(bad)).toBeUndefined();
    expect(pathOfProperty('pk')).toBe('/pk');
    expect(pathOfProperty('a/b')).toBe('/"a/b"');
    expect(pathOfProperty(' padded')).toBe('/" padded"');
    expect(pathOfProperty('a/"b')).toBeUndefined();
  });

  test('the report says why', () => {
    expect(describePartitionKeyPaths({ partitionKey: 'id', sortKey: 'sk' }, ['/_ddb_id'])).toMatch(
      /^the default for this key schema; \/_ddb_id: the partition key attribute `id`, which every document holds renamed as `_ddb_id` \(the document's `id` is the computed id/,
    );
    expect(describePartitionKeyPaths({ partitionKey: 'id' }, ['/id'])).toMatch(/^the default .*\/id: the document id/);
    expect(describePartitionKeyPaths({ partitionKey: 'pk', sortKey: 'id' }, ['/pk', '/_ddb_id'])).toMatch(
      /^the default hierarchical key for this key schema; \/pk: the partition key attribute `pk`; \/_ddb_id: the sort key attribute `id`/,
    );
    expect(describePartitionKeyPaths({ partitionKey: 'id', sortKey: 'sk' }, ['/id'])).toMatch(
      /^given in target.partitionKeyPath; \/id: the document id \(<pk>\|<sk>, escaped\)/,
    );
  });
});

describe('the partition key is the document’s own value at the path (mapping.md §4)', () => {
  describe('partition key attribute id, no sort key: /id, the computed id', () => {
    const mapping = options({ partitionKey: 'id' });

    test('an ordinary value is its own id, the attribute is not renamed', () => {
      const mapped = mapChecked({ id: { S: 'order-1' }, total: { N: '5' } }, mapping);
      expect(mapped).toEqual({ id: 'order-1', partitionKey: 'order-1', document: { id: 'order-1', total: 5 } });
    });

    test('escaped characters: the partition key is the escaped id; the raw value is kept as _ddb_id', () => {
      const mapped = mapChecked({ id: { S: AWKWARD } }, mapping);
      expect(mapped.partitionKey).toBe('a%2Fb%23c%25d%7Ce%3Ff%5Cg');
      expect(mapped.document).toEqual({ id: 'a%2Fb%23c%25d%7Ce%3Ff%5Cg', _ddb_id: AWKWARD });
    });

    test('over 1,023 bytes: the partition key is the hashed id', () => {
      const mapped = mapChecked({ id: { S: LONG } }, mapping);
      expect(mapped.partitionKey).toBe(hashed(LONG));
      expect(mapped.document).toEqual({ id: hashed(LONG), _ddb_id: LONG });
    });

    test.each<[NumberMode, unknown]>([
      ['lossless', 42],
      ['string', '42'],
    ])('a number key (%s): the id string, whatever the attribute became', (numberMode, inDocument) => {
      const mapped = mapChecked({ id: { N: '42.0' } }, options({ partitionKey: 'id' }, { numberMode }));
      expect(mapped.partitionKey).toBe('42');
      expect(mapped.document._ddb_id ?? mapped.document.id).toEqual(numberMode === 'string' ? '42' : inDocument);
    });

    test('a binary key whose base64 holds a slash', () => {
      const mapped = mapChecked({ id: { B: '/w==' } }, mapping);
      expect(mapped.partitionKey).toBe('%2Fw==');
      expect(mapped.document._ddb_id).toBe('/w==');
    });
  });

  describe('partition key attribute id with a sort key: /_ddb_id, the raw value', () => {
    const mapping = options({ partitionKey: 'id', sortKey: 'sk' });

    test.each<[string, string]>([
      ['ordinary', 'CUST-1'],
      ['escaped characters', AWKWARD],
      ['over 1,023 bytes', LONG],
    ])('%s', (_name, value) => {
      const mapped = mapChecked({ id: { S: value }, sk: { N: '7' }, x: { S: 'y' } }, mapping);
      expect(mapped.partitionKey).toBe(value);
      expect(mapped.document._ddb_id).toBe(value);
      expect(mapped.document.id).not.toBe(value);
    });

    test('items of one partition key share a logical partition', () => {
      const a = mapChecked({ id: { S: 'C#1' }, sk: { N: '1' } }, mapping);
      const b = mapChecked({ id: { S: 'C#1' }, sk: { N: '2' } }, mapping);
      expect(a.partitionKey).toBe(b.partitionKey);
      expect(a.id).not.toBe(b.id);
    });

    test('an item carrying its own _ddb_id is dead-lettered, not put in a wrong logical partition', () => {
      const error = expectMappingError(
        () => mapItem({ id: { S: 'C#1' }, sk: { N: '1' }, _ddb_id: { S: 'other' } }, mapping, newMappingStats()),
        'PARTITION_KEY_CONFLICT',
        '_ddb_id',
      );
      expect(error.message).toMatch(/renamed `_ddb__ddb_id`/);
    });

    test('the explicit path /id reads the computed id', () => {
      const mapped = mapChecked(
        { id: { S: 'C#1' }, sk: { N: '1' } },
        options({ partitionKey: 'id', sortKey: 'sk' }, { partitionKeyPaths: ['/id'] }),
      );
      expect(mapped.partitionKey).toBe('C%231|1');
    });
  });

  describe('hierarchical keys', () => {
    test('sort key id: the second level is the raw sort key at /_ddb_id', () => {
      const mapping = options({ partitionKey: 'pk', sortKey: 'id' }, { hierarchicalPartitionKey: true });
      for (const sk of ['plain', AWKWARD, LONG]) {
        const mapped = mapChecked({ pk: { S: 'T#1' }, id: { S: sk } }, mapping);
        expect(mapped.partitionKey).toEqual(['T#1', sk]);
      }
    });

    test('partition key id: the first level is /_ddb_id', () => {
      const mapping = options({ partitionKey: 'id', sortKey: 'sk' }, { hierarchicalPartitionKey: true });
      expect(mapChecked({ id: { S: AWKWARD }, sk: { N: '-0.50' } }, mapping).partitionKey).toEqual([AWKWARD, -0.5]);
    });

    test('three levels: the key attributes and the id', () => {
      const mapping = options({ partitionKey: 'pk', sortKey: 'sk' }, { partitionKeyPaths: ['/pk', '/sk', '/id'] });
      expect(mapChecked({ pk: { S: 'a' }, sk: { S: 'b/c' } }, mapping).partitionKey).toEqual(['a', 'b/c', 'a|b%2Fc']);
    });
  });

  test.each(['_rid', '_self', '_etag', '_attachments', '_ts'])('a key attribute named %s', (name) => {
    const mapping = options({ partitionKey: name, sortKey: 'id' }, { hierarchicalPartitionKey: true });
    const mapped = mapChecked({ [name]: { S: 'p/1' }, id: { N: '3' } }, mapping);
    expect(mapped.partitionKey).toEqual(['p/1', 3]);
    expect(mapped.document[`_ddb_${name}`]).toBe('p/1');
    expect(mapChecked({ [name]: { S: 'q' } }, options({ partitionKey: name })).partitionKey).toBe('q');
  });

  test('no value at the path is dead-lettered with the reason', () => {
    const mapping = options({ partitionKey: 'pk' }, { partitionKeyPaths: ['/tenant'] });
    const error = expectMappingError(
      () => mapItem({ pk: { S: 'a' } }, mapping, newMappingStats()),
      'NO_PARTITION_KEY',
      'tenant',
    );
    expect(error.message).toBe(
      '[NO_PARTITION_KEY] tenant: the document has no value at the partition key path /tenant',
    );
    expectMappingError(
      () => mapItem({ pk: { S: 'a' }, tenant: { M: {} } }, mapping, newMappingStats()),
      'NO_PARTITION_KEY',
      'tenant',
    );
    expect(mapItem({ pk: { S: 'a' }, tenant: { S: 't' } }, mapping, newMappingStats()).partitionKey).toBe('t');
    expectMappingError(() => mapKeys({ pk: { S: 'a' } }, mapping), 'NO_PARTITION_KEY', 'tenant');
  });

  test('a nested path reads into the document', () => {
    const mapping = options({ partitionKey: 'pk' }, { partitionKeyPaths: ['/address/zip'] });
    const item: DynamoItem = { pk: { S: 'a' }, address: { M: { zip: { N: '1000' } } } };
    expect(mapItem(item, mapping, newMappingStats()).partitionKey).toBe(1000);
  });

  test('a line that fails at the path counts nothing', () => {
    const stats = newMappingStats();
    const mapping = options({ partitionKey: 'id', sortKey: 'sk' });
    expect(() =>
      mapItem({ id: { S: 'a' }, sk: { N: '1' }, _ddb_id: { S: 'x' }, _ts: { N: '1' } }, mapping, stats),
    ).toThrow();
    expect(stats).toEqual(newMappingStats());
  });

  test.each<[string, MappingOptions]>([
    ['no path', options({ partitionKey: 'pk' }, { partitionKeyPaths: [] })],
    ['four levels', options({ partitionKey: 'pk' }, { partitionKeyPaths: ['/a', '/b', '/c', '/d'] })],
    ['not a path', options({ partitionKey: 'pk' }, { partitionKeyPaths: ['pk'] })],
  ])('options with %s are a configuration error', (_name, mapping) => {
    expect(() => mapItem({ pk: { S: 'a' } }, mapping, newMappingStats())).toThrow(MigrationError);
  });

  test('property: random keys of every kind, every schema, full items and Keys agree with the document', () => {
    const random = seeded(12);
    const alphabet = ['a', 'Z', '0', '/', '#', '%', '|', '?', '\\', ' ', 'é', '😀', '-', '_'];
    const text = (): string => {
      const length = random() < 0.1 ? 600 + Math.floor(random() * 600) : 1 + Math.floor(random() * 12);
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
      return out;
    };
    const keyValue = (): DynamoItem[string] =>
      random() < 0.7
        ? { S: text() }
        : random() < 0.5
          ? { N: String(Math.floor(random() * 1e6) / 100) }
          : { B: Buffer.from(text()).toString('base64') };
    const schemas: [KeySchema, boolean][] = [
      [{ partitionKey: 'id' }, false],
      [{ partitionKey: 'id', sortKey: 'sk' }, false],
      [{ partitionKey: 'id', sortKey: 'sk' }, true],
      [{ partitionKey: 'pk', sortKey: 'id' }, true],
      [{ partitionKey: 'pk', sortKey: 'id' }, false],
      [{ partitionKey: '_ts', sortKey: '_etag' }, true],
      [{ partitionKey: 'pk', sortKey: 'sk' }, true],
    ];
    for (let n = 0; n < 2000; n++) {
      const [keySchema, hierarchical] = schemas[n % schemas.length];
      const item: DynamoItem = { [keySchema.partitionKey]: keyValue(), other: { S: 'o' } };
      if (keySchema.sortKey) item[keySchema.sortKey] = keyValue();
      const mapping = options(keySchema, {
        numberMode: (['lossless', 'string', 'double'] as const)[n % 3],
        partitionKeyPaths: defaultPartitionKeyPaths(keySchema, hierarchical),
      });
      mapChecked(item, mapping);
    }
  });
});
