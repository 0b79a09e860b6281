import { createHash } from 'node:crypto';
import { shapeProblem, singleKey, TYPE_DESCRIPTORS } from './descriptors';
import { MappingError, quoteForMessage } from './errors';
import { canonicalDecimal, isCanonicalInteger } from './numbers';
import { isPlainObject } from './objects';
import { formatPath } from './paths';
import { AttributeValue, DynamoItem, KeySchema } from './types';
import { loneSurrogateAt } from '../names';

/** Cosmos DB's limit on `id`, in UTF-8 bytes (mapping.md §4). */
export const MAX_ID_BYTES = 1023;
const HASH_PREFIX = 'sha256-';

/**
 * The canonical text of a key value (mapping.md §3): S as is, N as canonical decimal, B as its base64.
 * Key attributes can only be S, N or B and never empty, so anything else is refused; `path` names the
 * attribute in the error.
 */
export function canonicalKey(av: AttributeValue, path = ''): string {
  const descriptor = singleKey(av);
  if (descriptor === undefined) throw new MappingError('BAD_VALUE', path, shapeProblem(av));
  const value: unknown = (av as unknown as Record<string, unknown>)[descriptor];
  switch (descriptor) {
    case 'S':
    case 'B':
      if (typeof value !== 'string') {
        throw new MappingError('BAD_VALUE', path, `${descriptor} must hold a string, got ${quoteForMessage(value)}`);
      }
      if (value === '') throw new MappingError('BAD_KEY_TYPE', path, `a key ${descriptor} value cannot be empty`);
      // The id must be a function of the bytes; Node's decoder skips stray characters, so only a
      // string that re-encodes to itself is accepted.
      if (descriptor === 'B' && Buffer.from(value, 'base64').toString('base64') !== value) {
        throw new MappingError('BAD_VALUE', path, `key B value ${quoteForMessage(value)} is not standard base64`);
      }
      return value;
    case 'N':
      if (typeof value !== 'string') {
        throw new MappingError('BAD_VALUE', path, `N must hold a string, got ${quoteForMessage(value)}`);
      }
      return canonicalDecimal(value, path);
    default:
      if (!TYPE_DESCRIPTORS.has(descriptor)) {
        throw new MappingError('UNKNOWN_TYPE', path, `unknown type descriptor ${quoteForMessage(descriptor)}`);
      }
      throw new MappingError('BAD_KEY_TYPE', path, `a key must be S, N or B, not ${descriptor}`);
  }
}

function escapeOf(c: number): string | undefined {
  switch (c) {
    case 0x25:
      return '%25';
    case 0x2f:
      return '%2F';
    case 0x5c:
      return '%5C';
    case 0x3f:
      return '%3F';
    case 0x23:
      return '%23';
    case 0x7c:
      return '%7C';
    default:
      return undefined;
  }
}

/**
 * Percent-escapes exactly `% / \ ? # |` (mapping.md §4). `/ \ ? #` are not allowed in Cosmos ids, `|`
 * separates the key parts and `%` is the escape itself, which keeps the id reversible. Everything else,
 * including non-ASCII, stays, so ordinary keys read the same in both databases.
 */
export function encodeIdPart(s: string): string {
  let out = '';
  let copiedTo = 0;
  for (let i = 0; i < s.length; i++) {
    const escape = escapeOf(s.charCodeAt(i));
    if (escape !== undefined) {
      out += s.slice(copiedTo, i) + escape;
      copiedTo = i + 1;
    }
  }
  return copiedTo === 0 ? s : out + s.slice(copiedTo);
}

/** The canonical text of an `S` key or an `N` key already in canonical integer form, else undefined. */
function simpleCanonicalKey(av: unknown): string | undefined {
  const descriptor = singleKey(av);
  if (descriptor === 'S') {
    const value: unknown = (av as { S: unknown }).S;
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
  if (descriptor === 'N') {
    const value: unknown = (av as { N: unknown }).N;
    return typeof value === 'string' && isCanonicalInteger(value) ? value : undefined;
  }
  return undefined;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A key value with a lone UTF-16 surrogate (JSON can spell one, `"\ud800"`; DynamoDB's UTF-8 strings cannot
 * hold one) is refused, so the line is dead-lettered (docs/mapping.md, "Lone surrogates and special names"):
 * the id would be part of every point read's URL, where it has no encoding (`encodeURI` throws).
 */
function wellFormedKey(text: string, name: string): string {
  if (!SURROGATE.test(text)) return text;
  const at = loneSurrogateAt(text);
  if (at < 0) return text;
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  throw new MappingError(
    'BAD_VALUE',
    formatPath([name], false),
    `the key value holds a lone UTF-16 surrogate (U+${unit} at position ${at}); DynamoDB strings are UTF-8, which cannot hold one, and a Cosmos DB id cannot carry it`,
  );
}

/** The escaped canonical text of key attribute `name`, whose value is `av` unless the item lacks it. */
function keyPart(present: boolean, av: AttributeValue | undefined, name: string): string {
  // The common keys take the short way; everything else, errors included, the full one with the path.
  const simple = present ? simpleCanonicalKey(av) : undefined;
  if (simple !== undefined) return encodeIdPart(wellFormedKey(simple, name));
  const path = formatPath([name], false);
  if (!present) throw new MappingError('MISSING_KEY', path, 'the key attribute is missing');
  return encodeIdPart(wellFormedKey(canonicalKey(av as AttributeValue, path), name));
}

function fitsIdLimit(s: string): boolean {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes, so short ids skip the count.
  return s.length * 3 <= MAX_ID_BYTES || Buffer.byteLength(s, 'utf8') <= MAX_ID_BYTES;
}

/**
 * The document id (mapping.md §4): the escaped canonical partition key, `|` and the escaped canonical sort
 * key when the table has one; if that exceeds 1023 UTF-8 bytes, `sha256-` and the hex SHA-256 of it.
 * Reads only the key attributes, so it serves an item and an incremental record's `Keys` alike.
 */
export function documentId(item: DynamoItem, keySchema: KeySchema): string {
  if (!isPlainObject(item))
    throw new MappingError('BAD_VALUE', '', `the item is not an object: ${quoteForMessage(item)}`);
  const { partitionKey, sortKey } = keySchema;
  const partition = keyPart(Object.hasOwn(item, partitionKey), item[partitionKey], partitionKey);
  return idOfParts(
    partition,
    sortKey === undefined ? undefined : keyPart(Object.hasOwn(item, sortKey), item[sortKey], sortKey),
  );
}

/**
 * `documentId` of an item whose key attributes hold `partition` and `sort` (undefined: the item lacks that
 * attribute), for a reader that has the key values without an item object around them (export/json-item-line.ts).
 */
export function documentIdOfKeys(
  partition: AttributeValue | undefined,
  sort: AttributeValue | undefined,
  keySchema: KeySchema,
): string {
  const { partitionKey, sortKey } = keySchema;
  const part = keyPart(partition !== undefined, partition, partitionKey);
  return idOfParts(part, sortKey === undefined ? undefined : keyPart(sort !== undefined, sort, sortKey));
}

function idOfParts(partition: string, sort: string | undefined): string {
  const id = sort === undefined ? partition : `${partition}|${sort}`;
  if (fitsIdLimit(id)) return id;
  return HASH_PREFIX + createHash('sha256').update(id, 'utf8').digest('hex');
}
