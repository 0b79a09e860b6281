import { MigrationError } from '../errors';
import { createValueContext, mapAt, ValueContext } from './attribute-values';
import { documentId } from './identity';
import { newDocumentObject, setOwnProperty } from './objects';
import {
  defaultPartitionKeyPaths,
  MAX_PARTITION_KEY_LEVELS,
  parsePartitionKeyPath,
  partitionKeyPlan,
  PartitionKeyPlan,
  partitionKeyValueOf,
} from './partition-key';
import { documentName } from './reserved-names';
import { clearPendingStats, commitPendingStats, MappingStats } from './stats';
import { DocumentKey, DynamoItem, MappedDocument, MappedValue, MappingOptions, NumberMode } from './types';

// One context per number mode, reused for every item: mapping is synchronous and each use starts by
// resetting it, so items never see each other's path or counts.
const contexts: Record<NumberMode, ValueContext> = {
  lossless: createValueContext('lossless'),
  string: createValueContext('string'),
  double: createValueContext('double'),
};

/** The value context of `options`' number mode, its pending counts cleared; throws for an unknown mode. */
export function contextFor(options: MappingOptions): ValueContext {
  if (!Object.hasOwn(contexts, options.numberMode)) {
    throw new MigrationError(
      'CONFIGURATION',
      `numberMode must be lossless, string or double, not "${String(options.numberMode)}"`,
    );
  }
  // The path is indexed by depth (attribute-values.ts): what an earlier item left past depth 0 is never read.
  const ctx = contexts[options.numberMode];
  clearPendingStats(ctx.pending);
  return ctx;
}

// The plan of the options last used (a load maps every line with the same options), and of others seen.
let lastOptions: MappingOptions | undefined;
let lastPlan: PartitionKeyPlan | undefined;
const plans = new WeakMap<MappingOptions, PartitionKeyPlan>();

function buildPlan(options: MappingOptions): PartitionKeyPlan {
  const { keySchema } = options;
  const paths =
    options.partitionKeyPaths ?? defaultPartitionKeyPaths(keySchema, options.hierarchicalPartitionKey === true);
  if (!paths) {
    throw new MigrationError(
      'CONFIGURATION',
      options.hierarchicalPartitionKey === true && keySchema.sortKey === undefined
        ? 'a hierarchical partition key needs the table to have a sort key'
        : `no partition key path can name the key attributes ${JSON.stringify(keySchema)}; give target.partitionKeyPath`,
    );
  }
  if (paths.length === 0 || paths.length > MAX_PARTITION_KEY_LEVELS || paths.some((p) => !parsePartitionKeyPath(p))) {
    throw new MigrationError(
      'CONFIGURATION',
      `partition key paths must be 1 to ${MAX_PARTITION_KEY_LEVELS} paths such as "/pk", not ${JSON.stringify(paths)}`,
    );
  }
  return partitionKeyPlan(keySchema, paths);
}

/** Where the partition key of a document mapped with `options` is read; throws for unusable paths. */
export function planFor(options: MappingOptions): PartitionKeyPlan {
  if (options === lastOptions && lastPlan) return lastPlan;
  let plan = plans.get(options);
  if (!plan) {
    plan = buildPlan(options);
    plans.set(options, plan);
  }
  lastOptions = options;
  lastPlan = plan;
  return plan;
}

function mapAttribute(item: DynamoItem, name: string, ctx: ValueContext): MappedValue {
  ctx.path[0] = name;
  return mapAt(item[name], ctx, 0);
}

/**
 * Maps a whole item (a full export's `Item` or an incremental `NewImage`) to the document to upsert and
 * where it goes (mapping.md §1–4): the partition key is the document's own value at the container's path(s).
 * Throws `MappingError` for a line to dead-letter (a document with nothing at the path included); `stats`
 * only counts items that map completely.
 */
export function mapItem(item: DynamoItem, options: MappingOptions, stats: MappingStats): MappedDocument {
  const ctx = contextFor(options);
  const plan = planFor(options);
  const { partitionKey, sortKey } = options.keySchema;
  const id = documentId(item, options.keySchema);
  const document = newDocumentObject(id);
  let partitionName: string | undefined;
  let sortName: string | undefined;
  const path = ctx.path;
  for (const name in item) {
    path[0] = name;
    const value = mapAt(item[name], ctx, 0);
    const target = documentName(name, value, id, item, ctx.pending);
    if (name === partitionKey) partitionName = target;
    else if (name === sortKey) sortName = target;
    if (target === '__proto__') setOwnProperty(document, target, value);
    else document[target] = value;
  }
  const partitionKeyValue = partitionKeyValueOf(plan, document, (key) =>
    key === partitionKey ? partitionName : sortName,
  );
  commitPendingStats(ctx.pending, stats);
  return { id, partitionKey: partitionKeyValue, document };
}

/**
 * The id and partition key of the document an incremental export's delete refers to, from its `Keys` alone:
 * the key attributes are mapped and named as `mapItem` maps and names them, into a document of the keys, and
 * the partition key is read from it at the container's path(s). So it is the value `mapItem` gives the whole
 * item whenever that item could be written.
 */
export function mapKeys(keys: DynamoItem, options: MappingOptions): DocumentKey {
  const ctx = contextFor(options);
  const plan = planFor(options);
  const { partitionKey, sortKey } = options.keySchema;
  const id = documentId(keys, options.keySchema);
  // Only the key attributes: whatever else `Keys` holds is not part of the item's key.
  const keyItem: DynamoItem = {};
  setOwnProperty(keyItem, partitionKey, keys[partitionKey]);
  if (sortKey !== undefined) setOwnProperty(keyItem, sortKey, keys[sortKey]);
  const document = newDocumentObject(id);
  const partitionValue = mapAttribute(keyItem, partitionKey, ctx);
  const partitionName = documentName(partitionKey, partitionValue, id, keyItem, ctx.pending);
  setOwnProperty(document, partitionName, partitionValue);
  let sortName: string | undefined;
  if (sortKey !== undefined) {
    const sortValue = mapAttribute(keyItem, sortKey, ctx);
    sortName = documentName(sortKey, sortValue, id, keyItem, ctx.pending);
    setOwnProperty(document, sortName, sortValue);
  }
  clearPendingStats(ctx.pending);
  const partitionKeyValue = partitionKeyValueOf(plan, document, (key) =>
    key === partitionKey ? partitionName : sortName,
  );
  return { id, partitionKey: partitionKeyValue };
}
