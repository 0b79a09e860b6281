import { DynamoItem, MappedValue } from './types';
import { PendingStats } from './stats';

/** Cosmos DB system properties a document cannot carry as data. */
const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set(['_rid', '_self', '_etag', '_attachments', '_ts']);
export const RENAME_PREFIX = '_ddb_';
const UNDERSCORE = 0x5f;

/** Whether `name` is one of the Cosmos DB system properties (`_rid`, `_self`, `_etag`, `_attachments`, `_ts`). */
export function isSystemPropertyName(name: string): boolean {
  return name.charCodeAt(0) === UNDERSCORE && SYSTEM_PROPERTIES.has(name);
}

/**
 * The document name of top-level attribute `name` (mapping.md §4). An `id` whose mapped value is exactly
 * the computed id stays, since it already is the document id; any other `id`, and the system property names,
 * get `_ddb_` — repeated while the result names another attribute of the item, so no value is overwritten.
 * Renames are counted per source name into `pending`.
 */
export function documentName(
  name: string,
  mapped: MappedValue,
  id: string,
  item: DynamoItem,
  pending: PendingStats,
): string {
  if (name === 'id') {
    if (mapped === id) return name;
  } else if (name.charCodeAt(0) !== UNDERSCORE || !SYSTEM_PROPERTIES.has(name)) {
    return name;
  }
  let target = RENAME_PREFIX + name;
  while (Object.hasOwn(item, target)) target = RENAME_PREFIX + target;
  pending.renames.push(name);
  return target;
}
