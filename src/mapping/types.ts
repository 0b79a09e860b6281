/**
 * Shapes of the mapping contract (docs/mapping.md): DynamoDB JSON in, Cosmos DB documents out.
 */

/** One value in DynamoDB's wire JSON, as written by an S3 export: exactly one type descriptor. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: { [name: string]: AttributeValue } }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

/** An item (a full export's `Item`, an incremental `NewImage`) or the `Keys` of a change record. */
export type DynamoItem = { [name: string]: AttributeValue };

/**
 * How `N` values are written (mapping.md §2). The migration request's default is `lossless`.
 * - `lossless`: a JSON number when that is exact, else the canonical decimal string.
 * - `string`: always the canonical decimal string.
 * - `double`: always the nearest double.
 */
export type NumberMode = 'lossless' | 'string' | 'double';

/** The table's key attribute names; given with the migration request because the manifest lacks them. */
export interface KeySchema {
  partitionKey: string;
  sortKey?: string;
}

export interface MappingOptions {
  keySchema: KeySchema;
  numberMode: NumberMode;
  /**
   * The container's partition key paths (one, or up to three for a hierarchical key): the value sent with each
   * write is the mapped document's own value at these paths (mapping.md §4). Default: the contract's default
   * paths for the key schema (`defaultPartitionKeyPaths`), hierarchical when `hierarchicalPartitionKey` is set.
   */
  partitionKeyPaths?: readonly string[];
  /** Without `partitionKeyPaths`: default to the hierarchical paths of the key schema. Default false. */
  hierarchicalPartitionKey?: boolean;
}

/** What a value becomes in the document; plain JSON, so documents serialise without replacers. */
export type MappedValue = string | number | boolean | null | MappedValue[] | { [name: string]: MappedValue };

/** Key attributes are only S, N or B, so their mapped values are strings or numbers. */
export type KeyValue = string | number;

/** What one level of a partition key can hold: the document's JSON value at that path. */
export type PartitionKeyPart = string | number | boolean | null;

/** One value for a single partition key path; one per level, in path order, for a hierarchical key. */
export type PartitionKeyValue = PartitionKeyPart | PartitionKeyPart[];

/**
 * Where a document lives in the container: enough to point-read or delete it. `partitionKey` is the
 * document's own value at the container's partition key path(s), read from the mapped document.
 */
export interface DocumentKey {
  id: string;
  partitionKey: PartitionKeyValue;
}

export interface MappedDocument extends DocumentKey {
  /** The body to upsert; its `id` property is `id` above. */
  document: Record<string, unknown>;
}
