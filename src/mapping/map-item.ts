import { MigrationError } from '../errors';
import { createValueContext, mapValue, ValueContext } from './attribute-values';
import { documentId } from './identity';
import { newDocumentObject, setOwnProperty } from './objects';
import { documentName } from './reserved-names';
import { clearPendingStats, commitPendingStats, MappingStats } from './stats';
import {
  DocumentKey,
  DynamoItem,
  KeyValue,
  MappedDocument,
  MappedValue,
  MappingOptions,
  NumberMode,
  PartitionKeyValue,
} from './types';

// One context per number mode, reused for every item: mapping is synchronous and each use starts by
// resetting it, so items never see each other's path or counts.
const contexts: Record<NumberMode, ValueContext> = {
  lossless: createValueContext('lossless'),
  string: createValueContext('string'),
  double: createValueContext('double'),
};

function contextFor(options: MappingOptions): ValueContext {
  if (!Object.hasOwn(contexts, options.numberMode)) {
    throw new MigrationError(
      'CONFIGURATION',
      `numberMode must be lossless, string or double, not "${String(options.numberMode)}"`,
    );
  }
  if (options.hierarchicalPartitionKey === true && options.keySchema.sortKey === undefined) {
    throw new MigrationError('CONFIGURATION', 'a hierarchical partition key needs the table to have a sort key');
  }
  const ctx = contexts[options.numberMode];
  if (ctx.path.length !== 0) ctx.path.length = 0;
  clearPendingStats(ctx.pending);
  return ctx;
}

function mapAttribute(item: DynamoItem, name: string, ctx: ValueContext): MappedValue {
  ctx.path.push(name);
  const value = mapValue(item[name], ctx);
  ctx.path.pop();
  return value;
}

/** Key values were checked to be S, N or B by `documentId`, so they map to strings or numbers. */
function partitionKeyOf(options: MappingOptions, partition: MappedValue, sort: MappedValue): PartitionKeyValue {
  return options.hierarchicalPartitionKey === true
    ? [partition as KeyValue, sort as KeyValue]
    : (partition as KeyValue);
}

/**
 * Maps a whole item (a full export's `Item` or an incremental `NewImage`) to the document to upsert and
 * where it goes (mapping.md §1–4). Throws `MappingError` for a line to dead-letter; `stats` only counts
 * items that map completely.
 */
export function mapItem(item: DynamoItem, options: MappingOptions, stats: MappingStats): MappedDocument {
  const ctx = contextFor(options);
  const { partitionKey, sortKey } = options.keySchema;
  const id = documentId(item, options.keySchema);
  const document = newDocumentObject(id);
  let partition: MappedValue = null;
  let sort: MappedValue = null;
  for (const name in item) {
    const value = mapAttribute(item, name, ctx);
    if (name === partitionKey) partition = value;
    if (name === sortKey) sort = value;
    setOwnProperty(document, documentName(name, value, id, item, ctx.pending), value);
  }
  commitPendingStats(ctx.pending, stats);
  return { id, partitionKey: partitionKeyOf(options, partition, sort), document };
}

/**
 * The id and partition key of the document an incremental export's delete refers to, from its `Keys`
 * alone: the same values `mapItem` gives the full item.
 */
export function mapKeys(keys: DynamoItem, options: MappingOptions): DocumentKey {
  const ctx = contextFor(options);
  const { partitionKey, sortKey } = options.keySchema;
  const id = documentId(keys, options.keySchema);
  const partition = mapAttribute(keys, partitionKey, ctx);
  const sort =
    options.hierarchicalPartitionKey === true && sortKey !== undefined ? mapAttribute(keys, sortKey, ctx) : null;
  return { id, partitionKey: partitionKeyOf(options, partition, sort) };
}
