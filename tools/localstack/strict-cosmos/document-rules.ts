/**
 * Pure checks of one document operation against Cosmos DB's documented per-item rules (limits.ts), and the measures
 * the charge model needs (indexed terms, size). No I/O: the layer feeds them parsed requests.
 */
import {
  ILLEGAL_ID_CHARACTERS,
  MAX_ID_BYTES,
  MAX_ITEM_BYTES,
  MAX_NESTING_DEPTH,
  MAX_PARTITION_KEY_BYTES_V1,
  MAX_PARTITION_KEY_BYTES_V2,
} from './limits';

/** An answer the layer gives instead of the server: status, `x-ms-substatus`, and the body's code and message. */
export interface Rejection {
  status: number;
  substatus?: number;
  code: string;
  message: string;
}

export interface PartitionKeyDefinition {
  paths: string[];
  kind?: string;
  version?: number;
}

export interface IndexingPolicy {
  indexingMode?: string;
  automatic?: boolean;
  includedPaths?: { path: string }[];
  excludedPaths?: { path: string }[];
}

/** Properties the service adds to every item; never user data, never counted. */
const SYSTEM_PROPERTIES = new Set(['_rid', '_self', '_etag', '_ts', '_attachments']);

/** Stands for an absent partition key value, as the SDK sends it (`[{}]`). */
const NONE = '{}';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function segmentsOf(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => (segment.startsWith('"') && segment.endsWith('"') ? segment.slice(1, -1) : segment));
}

/** The value at a partition key path such as `/pk` or `/a/b`; undefined when absent. */
export function valueAtPath(document: unknown, path: string): unknown {
  let value = document;
  for (const segment of segmentsOf(path)) {
    if (!isPlainObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

/** The document's own partition key, one component per path of the definition. */
export function documentPartitionKey(document: unknown, definition: PartitionKeyDefinition): unknown[] {
  return definition.paths.map((path) => valueAtPath(document, path));
}

/** `x-ms-documentdb-partitionkey` (and a bulk operation's `partitionKey`): a JSON array, `[{}]` for "none". */
export function parsePartitionKeyHeader(header: string | undefined): unknown[] | undefined {
  if (header === undefined || header === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(header);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return undefined;
  }
}

/** A canonical string of a partition key value, equal for equal keys (absent components as `{}`). */
export function canonicalPartitionKey(components: readonly unknown[]): string {
  return `[${components.map((c) => (c === undefined || isPlainObject(c) ? NONE : JSON.stringify(c))).join(',')}]`;
}

/** Leaf-path patterns of an indexing policy: `/*` a subtree, `/a/?` one scalar path, `[]` any array element. */
interface PathRule {
  segments: string[];
  subtree: boolean;
  included: boolean;
}

function rulesOf(policy: IndexingPolicy | undefined): PathRule[] | 'none' {
  if (policy && (policy.indexingMode?.toLowerCase() === 'none' || policy.automatic === false)) return 'none';
  const rule = (path: string, included: boolean): PathRule => {
    const segments = segmentsOf(path);
    const last = segments[segments.length - 1];
    const subtree = last === '*';
    if (last === '*' || last === '?') segments.pop();
    return { segments, subtree, included };
  };
  const included = policy?.includedPaths?.length ? policy.includedPaths.map((p) => rule(p.path, true)) : [];
  // The default policy indexes everything but /"_etag"/? (https://learn.microsoft.com/azure/cosmos-db/index-policy).
  if (included.length === 0) included.push(rule('/*', true));
  const excluded = (policy?.excludedPaths ?? []).map((p) => rule(p.path, false));
  return [...included, ...excluded];
}

function matches(rule: PathRule, leaf: string[]): boolean {
  if (rule.subtree ? leaf.length < rule.segments.length : leaf.length !== rule.segments.length) return false;
  return rule.segments.every((segment, i) => segment === leaf[i]);
}

/** Whether a leaf path is indexed: the most specific matching pattern decides (index-policy#precedence). */
function indexed(rules: PathRule[], leaf: string[]): boolean {
  let best: PathRule | undefined;
  for (const rule of rules) {
    if (!matches(rule, leaf)) continue;
    const better =
      !best ||
      rule.segments.length > best.segments.length ||
      (rule.segments.length === best.segments.length && !rule.subtree && best.subtree);
    if (better) best = rule;
  }
  return best?.included ?? false;
}

export interface DocumentMeasure {
  /** Objects and arrays on the deepest path, the item itself included ({} is 1, {"a": {}} is 2). */
  depth: number;
  /** Leaf values (strings, numbers, booleans, nulls, array elements each) the indexing policy indexes. */
  indexedTerms: number;
}

/** One walk over the item: its nesting depth and its indexed terms, system properties left out. */
export function measureDocument(document: unknown, policy?: IndexingPolicy): DocumentMeasure {
  const rules = rulesOf(policy);
  const everything = rules !== 'none' && rules.length === 1 && rules[0].subtree && rules[0].segments.length === 0;
  let depth = 0;
  let indexedTerms = 0;
  const path: string[] = [];
  const visit = (value: unknown, level: number): void => {
    if (value !== null && typeof value === 'object') {
      if (level > depth) depth = level;
      if (level > MAX_NESTING_DEPTH + 1) return;
      if (Array.isArray(value)) {
        value.forEach((element) => {
          path.push('[]');
          visit(element, level + 1);
          path.pop();
        });
      } else {
        for (const [key, child] of Object.entries(value)) {
          if (level === 1 && SYSTEM_PROPERTIES.has(key)) continue;
          path.push(key);
          visit(child, level + 1);
          path.pop();
        }
      }
      return;
    }
    if (value === undefined || rules === 'none') return;
    if (everything || indexed(rules, path)) indexedTerms++;
  };
  visit(document, 1);
  return { depth, indexedTerms };
}

/** UTF-8 length of a value's JSON, what the 2 MB item limit counts. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

function badRequest(message: string, substatus?: number): Rejection {
  return { status: 400, substatus, code: 'BadRequest', message };
}

export interface WriteCheck {
  /** The item as sent (create, upsert, replace). */
  document: unknown;
  /** UTF-8 bytes of the item's JSON. */
  bytes: number;
  definition: PartitionKeyDefinition | undefined;
  /** The partition key sent with the operation (header, or the bulk operation's own), parsed. */
  partitionKey: unknown[] | undefined;
}

/** The documented per-item rules, in the order the service reports them; undefined when the write may go on. */
export function checkWrite({ document, bytes, definition, partitionKey }: WriteCheck): Rejection | undefined {
  if (bytes > MAX_ITEM_BYTES) {
    return {
      status: 413,
      code: 'RequestEntityTooLarge',
      message: `Request size is too large: the item is ${bytes} bytes, over the 2 MB (${MAX_ITEM_BYTES} bytes) item limit (strict local layer)`,
    };
  }
  if (!isPlainObject(document)) return badRequest('The request body is not a JSON object (strict local layer)');
  const id = document.id;
  if (typeof id !== 'string' || id === '') {
    return badRequest("The input content is invalid: 'id' must be a non-empty string (strict local layer)");
  }
  const idBytes = Buffer.byteLength(id, 'utf8');
  if (idBytes > MAX_ID_BYTES) {
    return badRequest(
      `The id is ${idBytes} bytes long; Cosmos DB allows at most ${MAX_ID_BYTES} bytes (strict local layer)`,
    );
  }
  const { depth } = measureDocument(document, { indexingMode: 'none' });
  if (depth > MAX_NESTING_DEPTH) {
    return badRequest(
      `The item nests objects or arrays ${depth} levels deep; Cosmos DB allows at most ${MAX_NESTING_DEPTH} (strict local layer)`,
    );
  }
  if (!definition || definition.paths.length === 0) return undefined;
  const own = documentPartitionKey(document, definition);
  if (partitionKey !== undefined && canonicalPartitionKey(partitionKey) !== canonicalPartitionKey(own)) {
    return badRequest(
      `PartitionKey extracted from the document (${canonicalPartitionKey(own)} at ${definition.paths.join(', ')}) does not match the one sent with the request (${canonicalPartitionKey(partitionKey)}) (strict local layer)`,
      1001,
    );
  }
  const large = definition.version === 2 || definition.kind === 'MultiHash';
  const limit = large ? MAX_PARTITION_KEY_BYTES_V2 : MAX_PARTITION_KEY_BYTES_V1;
  for (const component of own) {
    if (typeof component === 'string' && Buffer.byteLength(component, 'utf8') > limit) {
      return badRequest(
        `The partition key value is ${Buffer.byteLength(component, 'utf8')} bytes; this container (partition key version ${large ? 2 : 1}) allows ${limit} (strict local layer)`,
      );
    }
  }
  return undefined;
}

/**
 * An id used to address an item (read, replace, delete, patch). Ids with `/ \ ? #` are stored but cannot be
 * addressed: a `/` in the URL splits the path, so the service looks for another resource (404,
 * Azure/azure-cosmos-dotnet-v3#2606, #2970); the others are refused (400 "illegal characters",
 * Azure/azure-cosmos-dotnet-v3#4129, #4636), as are all four inside a bulk operation (400, #3456).
 */
export function checkAddressedId(id: unknown, via: 'url' | 'bulk'): Rejection | undefined {
  if (typeof id !== 'string' || !ILLEGAL_ID_CHARACTERS.test(id)) return undefined;
  if (via === 'url' && id.includes('/')) {
    return {
      status: 404,
      code: 'NotFound',
      message: `The id '${id}' contains '/', which splits the resource path: no such resource (strict local layer)`,
    };
  }
  return badRequest(
    `Illegal characters ['/', '\\', '?', '#'] in the id '${id}': an item stored with such an id cannot be addressed by it (strict local layer)`,
  );
}
