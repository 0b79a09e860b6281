import { createHash } from 'node:crypto';
import {
  AttributeValue,
  canonicalKey,
  documentId,
  DynamoItem,
  encodeIdPart,
  KeySchema,
  MappingErrorCode,
} from '../../../src/mapping';
import { expectMappingError, seeded } from './helpers';

const sha = (text: string): string => `sha256-${createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex')}`;
const PK_ONLY: KeySchema = { partitionKey: 'pk' };
const PK_SK: KeySchema = { partitionKey: 'pk', sortKey: 'sk' };

describe('canonicalKey (mapping.md §3)', () => {
  test.each<[string, unknown, string]>([
    ['S as is', { S: 'CUST#42' }, 'CUST#42'],
    ['S with spaces and non-ASCII', { S: ' Zürich 🔑 ' }, ' Zürich 🔑 '],
    ['N canonical', { N: '1E+2' }, '100'],
    ['N negative fraction', { N: '-0.50' }, '-0.5'],
    ['N -0', { N: '-0' }, '0'],
    ['N 38 digits', { N: '12345678901234567890123456789012345678' }, '12345678901234567890123456789012345678'],
    ['B base64', { B: '3q2+7w==' }, '3q2+7w=='],
    ['B one byte', { B: '/w==' }, '/w=='],
  ])('%s', (_name, av, expected) => {
    expect(canonicalKey(av as AttributeValue)).toBe(expected);
  });

  test.each<[string, unknown, MappingErrorCode]>([
    ['BOOL', { BOOL: true }, 'BAD_KEY_TYPE'],
    ['NULL', { NULL: true }, 'BAD_KEY_TYPE'],
    ['M', { M: {} }, 'BAD_KEY_TYPE'],
    ['L', { L: [] }, 'BAD_KEY_TYPE'],
    ['SS', { SS: ['a'] }, 'BAD_KEY_TYPE'],
    ['NS', { NS: ['1'] }, 'BAD_KEY_TYPE'],
    ['BS', { BS: ['AA=='] }, 'BAD_KEY_TYPE'],
    ['empty S', { S: '' }, 'BAD_KEY_TYPE'],
    ['empty B', { B: '' }, 'BAD_KEY_TYPE'],
    ['unknown descriptor', { Z: 'a' }, 'UNKNOWN_TYPE'],
    ['malformed N', { N: '1e' }, 'BAD_NUMBER'],
    ['S not a string', { S: 5 }, 'BAD_VALUE'],
    ['N as a JSON number', { N: 5 }, 'BAD_VALUE'],
    ['two descriptors', { S: 'a', N: '1' }, 'BAD_VALUE'],
    ['not an object', 'a', 'BAD_VALUE'],
    ['B not standard base64', { B: 'not base64!' }, 'BAD_VALUE'],
    ['B without padding', { B: 'AAE' }, 'BAD_VALUE'],
    ['B with stray bits', { B: 'AB==' }, 'BAD_VALUE'],
    ['B URL-safe alphabet', { B: '_w==' }, 'BAD_VALUE'],
  ])('%s is refused', (_name, av, code) => {
    expectMappingError(() => canonicalKey(av as AttributeValue, 'pk'), code, 'pk');
  });
});

describe('encodeIdPart (mapping.md §4)', () => {
  test.each([
    ['%', '%25'],
    ['/', '%2F'],
    ['\\', '%5C'],
    ['?', '%3F'],
    ['#', '%23'],
    ['|', '%7C'],
    ['a/b\\c?d#e|f%g', 'a%2Fb%5Cc%3Fd%23e%7Cf%25g'],
    ['//', '%2F%2F'],
    ['%25', '%2525'],
    ['CUST#42', 'CUST%2342'],
  ])('%j → %j', (input, expected) => {
    expect(encodeIdPart(input)).toBe(expected);
  });

  test.each([
    ['plain', 'CUSTOMER-42'],
    ['spaces and punctuation', 'a b+c&d=e:f;g,h.i!j*k(l)m[n]o{p}q"r\'s<t>u~v`w^x$y@z'],
    ['non-ASCII', 'naïve café ключ 🔑'],
    ['control characters', '\t\n\u0000'],
    ['digits', '0123456789'],
  ])('%s stays as it is', (_name, input) => {
    expect(encodeIdPart(input)).toBe(input);
  });

  test('is reversible: every % in the output starts an escape', () => {
    const random = seeded(7);
    const alphabet = ['a', 'Z', '0', ' ', '%', '/', '\\', '?', '#', '|', 'é', '🔑', '+', '&', '2', 'F', '5'];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(random() * 12);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const encoded = encodeIdPart(text);
      expect(encoded).not.toMatch(/[/\\?#|]/);
      expect(decodeURIComponent(encoded)).toBe(text);
    }
  });
});

describe('documentId', () => {
  test.each<[string, DynamoItem, KeySchema, string]>([
    ['partition key only', { pk: { S: 'CUST#42' }, other: { S: 'x' } }, PK_ONLY, 'CUST%2342'],
    ['ordinary characters map to themselves', { pk: { S: 'order-42' } }, PK_ONLY, 'order-42'],
    ['sort key joined with |', { pk: { S: 'CUST#42' }, sk: { N: '7' } }, PK_SK, 'CUST%2342|7'],
    ['canonical number keys', { pk: { N: '1E+2' }, sk: { N: '-0.50' } }, PK_SK, '100|-0.5'],
    ['binary keys', { pk: { B: '3q2+7w==' }, sk: { B: 'AAE=' } }, PK_SK, '3q2+7w==|AAE='],
    ['binary key with / is escaped', { pk: { B: '/w==' } }, PK_ONLY, '%2Fw=='],
    [
      '| inside a key is escaped, so the join stays unambiguous',
      { pk: { S: 'a|b' }, sk: { S: 'c' } },
      PK_SK,
      'a%7Cb|c',
    ],
    [
      'other key names',
      { Tenant: { S: 't1' }, 'Order Id': { N: '5' } },
      { partitionKey: 'Tenant', sortKey: 'Order Id' },
      't1|5',
    ],
  ])('%s', (_name, item, keySchema, expected) => {
    expect(documentId(item, keySchema)).toBe(expected);
  });

  test('the two parts are recovered by splitting on | and unescaping', () => {
    const item: DynamoItem = { pk: { S: 'x|y%7C/z' }, sk: { S: '|#?\\' } };
    const [pk, sk] = documentId(item, PK_SK).split('|').map(decodeURIComponent);
    expect([pk, sk]).toEqual(['x|y%7C/z', '|#?\\']);
  });

  test.each<[string, string, boolean]>([
    ['1023 ASCII bytes', 'a'.repeat(1023), false],
    ['1024 ASCII bytes', 'a'.repeat(1024), true],
    ['2048 ASCII bytes (the partition key maximum)', 'a'.repeat(2048), true],
    ['511 × 2-byte é + 1 byte = 1023', 'é'.repeat(511) + 'a', false],
    ['512 × 2-byte é = 1024', 'é'.repeat(512), true],
    ['341 × 3-byte € = 1023', '€'.repeat(341), false],
    ['341 × 3-byte € + 1 byte = 1024', '€'.repeat(341) + 'a', true],
    ['255 × 4-byte 🔑 + 3 bytes = 1023', '🔑'.repeat(255) + 'abc', false],
    ['256 × 4-byte 🔑 = 1024', '🔑'.repeat(256), true],
  ])('%s → hashed: %s', (_name, key, hashed) => {
    const id = documentId({ pk: { S: key } }, PK_ONLY);
    expect(id).toBe(hashed ? sha(key) : key);
    if (hashed) expect(id).toMatch(/^sha256-[0-9a-f]{64}$/);
  });

  test('the limit applies to the escaped, joined id', () => {
    // 341 slashes become 1023 bytes of escapes: kept; one more character tips it over.
    expect(documentId({ pk: { S: '/'.repeat(341) } }, PK_ONLY)).toBe('%2F'.repeat(341));
    expect(documentId({ pk: { S: '/'.repeat(341) + 'a' } }, PK_ONLY)).toBe(sha('%2F'.repeat(341) + 'a'));
    const pk = 'p'.repeat(1000);
    expect(documentId({ pk: { S: pk }, sk: { S: 's'.repeat(22) } }, PK_SK)).toBe(`${pk}|${'s'.repeat(22)}`);
    expect(documentId({ pk: { S: pk }, sk: { S: 's'.repeat(23) } }, PK_SK)).toBe(sha(`${pk}|${'s'.repeat(23)}`));
  });

  test.each<[string, unknown, KeySchema, MappingErrorCode, string]>([
    ['missing partition key', { sk: { N: '1' } }, PK_SK, 'MISSING_KEY', 'pk'],
    ['missing sort key', { pk: { S: 'a' } }, PK_SK, 'MISSING_KEY', 'sk'],
    [
      'inherited name is not an attribute',
      { pk: { S: 'a' } },
      { partitionKey: 'pk', sortKey: 'constructor' },
      'MISSING_KEY',
      'constructor',
    ],
    ['partition key of a non-key type', { pk: { BOOL: true } }, PK_ONLY, 'BAD_KEY_TYPE', 'pk'],
    ['empty sort key', { pk: { S: 'a' }, sk: { S: '' } }, PK_SK, 'BAD_KEY_TYPE', 'sk'],
    ['item not an object', [], PK_ONLY, 'BAD_VALUE', ''],
    ['item null', null, PK_ONLY, 'BAD_VALUE', ''],
  ])('%s', (_name, item, keySchema, code, path) => {
    expectMappingError(() => documentId(item as DynamoItem, keySchema), code, path);
  });
});
