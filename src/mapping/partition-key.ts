/**
 * The container's partition key paths and the value a document holds at them (mapping.md §4).
 *
 * The value sent with a write, a point read or a delete is always read from the mapped document itself at the
 * container's path, after the id and the renames: Cosmos DB refuses a write whose partition key disagrees with
 * the document (400, substatus 1001), and a delete or read by a wrong key answers 404. The default paths follow
 * the names the key attributes have in every document: a lone partition key attribute named `id` is the
 * document's `id` (`/id`); with a sort key, an `id` key attribute is always renamed (the document's `id` is
 * `<pk>|<sk>`), so its level is `/_ddb_id`; the system property names (`_ts`, …) are always renamed too.
 */
import { MappingError } from './errors';
import { formatPath } from './paths';
import { isSystemPropertyName, RENAME_PREFIX } from './reserved-names';
import { KeySchema, PartitionKeyPart, PartitionKeyValue } from './types';

/** Cosmos DB allows up to three levels in a hierarchical partition key. */
export const MAX_PARTITION_KEY_LEVELS = 3;

/**
 * The segments of a partition key path, the way the Cosmos SDK reads them when it takes a partition key from a
 * document (`parsePath` of @azure/cosmos): `/a/b` is `a` then `b`; a segment in double or single quotes may hold
 * `/` (`/"a/b"`). Undefined for a path that is not of that form or names nothing.
 */
export function parsePartitionKeyPath(path: string): string[] | undefined {
  const segments: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== '/') return undefined;
    i++;
    if (i === path.length) return undefined;
    const quote = path[i];
    if (quote === '"' || quote === "'") {
      let end = i + 1;
      for (;;) {
        end = path.indexOf(quote, end);
        if (end < 0) return undefined;
        if (path[end - 1] !== '\\') break;
        end++;
      }
      segments.push(path.slice(i + 1, end));
      i = end + 1;
    } else {
      const end = path.indexOf('/', i);
      const segment = path.slice(i, end < 0 ? path.length : end).trim();
      if (segment === '') return undefined;
      segments.push(segment);
      i = end < 0 ? path.length : end;
    }
  }
  return segments.length > 0 ? segments : undefined;
}

/**
 * The partition key path of top-level property `name`: `/name`, or `/"name"` when the name holds `/`, starts
 * with a quote or has surrounding spaces. Undefined when no path can name it (a quote inside such a name).
 */
export function pathOfProperty(name: string): string | undefined {
  if (name === '') return undefined;
  const plain = !name.includes('/') && name[0] !== '"' && name[0] !== "'" && name.trim() === name;
  if (plain) return `/${name}`;
  if (name.includes('"') || name.endsWith('\\')) return undefined;
  return `/"${name}"`;
}

/**
 * The name key attribute `name` has in every document of a table with `keySchema` (mapping.md §4): `id` for a
 * lone partition key attribute named `id` (the document's `id` is then its computed id, so the level reads the
 * id), `_ddb_id` for an `id` key attribute next to another key (never the computed `<pk>|<sk>`), `_ddb_<name>`
 * for a system property name, prefixed again while that names the other key attribute; else `name` itself.
 */
export function keyDocumentName(keySchema: KeySchema, name: string): string {
  const lone = keySchema.sortKey === undefined;
  if (name === 'id' ? lone : !isSystemPropertyName(name)) return name;
  const other = name === keySchema.partitionKey ? keySchema.sortKey : keySchema.partitionKey;
  let target = RENAME_PREFIX + name;
  while (target === other) target = RENAME_PREFIX + target;
  return target;
}

/** The path of key attribute `name` as the document holds it (see `keyDocumentName`). */
export function keyPath(keySchema: KeySchema, name: string): string | undefined {
  return pathOfProperty(keyDocumentName(keySchema, name));
}

/**
 * The contract's default partition key paths (mapping.md §4): the partition key attribute's path, and with
 * `hierarchical` the sort key attribute's as the second level. Undefined when a key attribute's name cannot be
 * written as a path, or `hierarchical` is asked for without a sort key.
 */
export function defaultPartitionKeyPaths(keySchema: KeySchema, hierarchical = false): string[] | undefined {
  const partition = keyPath(keySchema, keySchema.partitionKey);
  if (!hierarchical) return partition === undefined ? undefined : [partition];
  if (keySchema.sortKey === undefined) return undefined;
  const sort = keyPath(keySchema, keySchema.sortKey);
  return partition === undefined || sort === undefined ? undefined : [partition, sort];
}

/**
 * Paths whose value every document of the table holds and that an incremental delete's `Keys` determine: the
 * document id and the key attributes under their document names. A partition key made of others could not be
 * found for a delete.
 */
export function keyDerivedPaths(keySchema: KeySchema): string[] {
  const paths = ['/id'];
  for (const name of [keySchema.partitionKey, keySchema.sortKey]) {
    if (name === undefined) continue;
    const path = keyPath(keySchema, name);
    if (path !== undefined && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

function quoted(name: string): string {
  return `\`${name}\``;
}

/** What the value at `path` is, in a sentence, for the report. */
function describeLevel(keySchema: KeySchema, path: string): string {
  const { partitionKey, sortKey } = keySchema;
  if (path === '/id') {
    return partitionKey === 'id' && sortKey === undefined
      ? '/id: the document id, which is the partition key attribute `id` escaped (% / \\ ? # |) and, over 1,023 bytes, hashed; ordinary keys read the same'
      : `/id: the document id (${sortKey === undefined ? '<pk>' : '<pk>|<sk>'}, escaped), one logical partition per item`;
  }
  for (const name of [partitionKey, sortKey]) {
    if (name === undefined || keyPath(keySchema, name) !== path) continue;
    const role = name === partitionKey ? 'partition key' : 'sort key';
    const documentName = keyDocumentName(keySchema, name);
    if (documentName === name) return `${path}: the ${role} attribute ${quoted(name)}`;
    const why =
      name === 'id'
        ? "the document's `id` is the computed id `<pk>|<sk>`"
        : `${quoted(name)} is a Cosmos DB system property name`;
    return `${path}: the ${role} attribute ${quoted(name)}, which every document holds renamed as ${quoted(documentName)} (${why})`;
  }
  return `${path}: as given`;
}

/** Why the container is partitioned on `paths` and what each level holds (mapping.md §4), for the report. */
export function describePartitionKeyPaths(keySchema: KeySchema, paths: readonly string[]): string {
  const given = paths.join(',');
  const origin =
    defaultPartitionKeyPaths(keySchema)?.join(',') === given
      ? 'the default for this key schema'
      : defaultPartitionKeyPaths(keySchema, true)?.join(',') === given
        ? 'the default hierarchical key for this key schema'
        : 'given in target.partitionKeyPath';
  return `${origin}; ${paths.map((path) => describeLevel(keySchema, path)).join('; ')}`;
}

/**
 * What `mapItem` and `mapKeys` need to know about the paths, worked out once per set of mapping options.
 * `guards`: levels whose path names a renamed key attribute; the document's property there must be that
 * attribute (an item carrying its own `_ddb_id` would put it there instead).
 */
export interface PartitionKeyPlan {
  readonly paths: readonly string[];
  readonly segments: readonly (readonly string[])[];
  readonly guards: readonly { level: number; documentName: string; key: string }[];
}

export function partitionKeyPlan(keySchema: KeySchema, paths: readonly string[]): PartitionKeyPlan {
  const segments = paths.map((path) => {
    const parsed = parsePartitionKeyPath(path);
    if (!parsed) throw new Error(`${JSON.stringify(path)} is not a partition key path`);
    return parsed;
  });
  const guards: { level: number; documentName: string; key: string }[] = [];
  segments.forEach((parts, level) => {
    if (parts.length !== 1) return;
    for (const key of [keySchema.partitionKey, keySchema.sortKey]) {
      if (key === undefined) continue;
      const documentName = keyDocumentName(keySchema, key);
      if (documentName !== key && documentName === parts[0]) guards.push({ level, documentName, key });
    }
  });
  return { paths, segments, guards };
}

function valueAt(document: Record<string, unknown>, segments: readonly string[]): unknown {
  let value: unknown = document;
  for (let i = 0; i < segments.length; i++) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const holder = value as Record<string, unknown>;
    if (!Object.hasOwn(holder, segments[i])) return undefined;
    value = holder[segments[i]];
  }
  return value;
}

/**
 * The value of `document` at the container's partition key path(s) (mapping.md §4), checked to be one a
 * partition key can hold. `keyNames` gives the name each key attribute got in this document, for the guards.
 * Throws `NO_PARTITION_KEY` or `PARTITION_KEY_CONFLICT`: the line is dead-lettered.
 */
export function partitionKeyValueOf(
  plan: PartitionKeyPlan,
  document: Record<string, unknown>,
  keyNames: (key: string) => string | undefined,
): PartitionKeyValue {
  for (let i = 0; i < plan.guards.length; i++) {
    const { level, documentName, key } = plan.guards[i];
    const actual = keyNames(key);
    if (actual !== documentName) {
      throw new MappingError(
        'PARTITION_KEY_CONFLICT',
        documentName,
        `the item has its own attribute ${quoted(documentName)}, which would be the partition key at ${plan.paths[level]} where the key attribute ${quoted(key)} belongs (it was renamed ${quoted(actual ?? '?')} so as not to overwrite it); written, the document would be in a wrong logical partition`,
      );
    }
  }
  if (plan.segments.length === 1) return partOf(plan, 0, document);
  const parts: PartitionKeyPart[] = [];
  for (let level = 0; level < plan.segments.length; level++) parts.push(partOf(plan, level, document));
  return parts;
}

function partOf(plan: PartitionKeyPlan, level: number, document: Record<string, unknown>): PartitionKeyPart {
  const value = valueAt(document, plan.segments[level]);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      throw new MappingError(
        'NO_PARTITION_KEY',
        formatPath(plan.segments[level], false),
        `the document holds ${Array.isArray(value) ? 'an array' : 'an object'} at the partition key path ${plan.paths[level]}, not a partition key value`,
      );
    default:
      throw new MappingError(
        'NO_PARTITION_KEY',
        formatPath(plan.segments[level], false),
        `the document has no value at the partition key path ${plan.paths[level]}`,
      );
  }
}
