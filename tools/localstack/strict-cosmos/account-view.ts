/**
 * What the layer reads of the server's own state, in process (the server and the layer share the child process):
 * container definitions, resource identities and stored items. An interface so the layer can be tested without
 * the server.
 */
import type Account from '@vercel/cosmosdb-server/lib/account';
import type { IndexingPolicy, PartitionKeyDefinition } from './document-rules';
import type { ResourceIdentity } from './throughput';

export interface ContainerInfo extends ResourceIdentity {
  partitionKey?: PartitionKeyDefinition;
  indexingPolicy?: IndexingPolicy;
}

export interface AccountView {
  database(db: string): ResourceIdentity | undefined;
  container(db: string, coll: string): ContainerInfo | undefined;
  /** The stored item with this id and partition key (the `x-ms-documentdb-partitionkey` JSON), if any. */
  document(
    db: string,
    coll: string,
    id: string,
    partitionKeyHeader: string | undefined,
  ): Record<string, unknown> | undefined;
  /** How many items the container stores (see `wholeContainerCount` in layer.ts); undefined when it does not exist. */
  documentCount?(db: string, coll: string): number | undefined;
  /** Items `offset` to `offset + count` in the order the container stores them (see `wholeContainerScan` in layer.ts). */
  documentsPage?(
    db: string,
    coll: string,
    offset: number,
    count: number,
  ): { documents: unknown[]; more: boolean } | undefined;
}

interface Stored {
  _rid?: string;
  _self?: string;
  partitionKey?: PartitionKeyDefinition;
  indexingPolicy?: IndexingPolicy;
}

/** The view over @vercel/cosmosdb-server's Account (lib/account: databases → collections → documents). */
export function accountView(account: () => Account | undefined): AccountView {
  // The server's own reading of a partition key header: it keys items by the first component (or the id).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS helper of the server, not typed for import
  const { parsePartitionKey } = require('@vercel/cosmosdb-server/lib/utils/get-partition-from-header') as {
    parsePartitionKey(header: string, fallback: string): unknown;
  };
  const identity = (data: Stored | undefined): ResourceIdentity | undefined =>
    data?._rid !== undefined && data._self !== undefined ? { rid: data._rid, self: data._self } : undefined;
  return {
    database(db) {
      return identity(account()?.database(db).read() as Stored | undefined);
    },
    container(db, coll) {
      const data = account()?.database(db).collection(coll).read() as Stored | undefined;
      const found = identity(data);
      return found && { ...found, partitionKey: data?.partitionKey, indexingPolicy: data?.indexingPolicy };
    },
    document(db, coll, id, partitionKeyHeader) {
      const collection = account()?.database(db).collection(coll);
      if (!collection?.read()) return undefined;
      let partition: unknown;
      try {
        partition = parsePartitionKey(partitionKeyHeader ?? '[{}]', id);
      } catch {
        return undefined;
      }
      return collection.document(id, partition as never).read() as Record<string, unknown> | undefined;
    },
    documentCount(db, coll) {
      const collection = account()?.database(db).collection(coll);
      if (!collection?.read()) return undefined;
      return (collection.documents as unknown as { _data: Map<string, unknown> })._data.size;
    },
    documentsPage(db, coll, offset, count) {
      const collection = account()?.database(db).collection(coll);
      if (!collection?.read()) return undefined;
      const stored = (collection.documents as unknown as { _data: Map<string, { read(): unknown }> })._data;
      const documents: unknown[] = [];
      let index = 0;
      for (const item of stored.values()) {
        if (index++ < offset) continue;
        if (documents.length === count) return { documents, more: true };
        documents.push(item.read());
      }
      return { documents, more: false };
    },
  };
}
