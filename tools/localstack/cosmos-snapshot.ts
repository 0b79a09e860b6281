/**
 * Snapshots of @vercel/cosmosdb-server's in-memory account, so the local Cosmos DB survives restarts.
 *
 * The server keeps everything in `lib/account`: Account.databases → Database.collections →
 * Collection.documents / .userDefinedFunctions, each an `Items` holding a Map `_data` (keyed by _rid)
 * of items whose read() returns the stored JSON, plus `_ridCount`, the counter new _rids are derived
 * from. Restoring goes through `Items._set`, which re-inserts an item with its original _rid, _etag,
 * _ts and _self and rebuilds the id/unique-key index, without the side effects of create().
 * Partition key ranges are not stored: a Collection recreates its single range when constructed.
 *
 * Format: one JSON record per line, parents before children. Line-oriented so that neither writing nor
 * reading needs the whole account as one string (V8 caps strings at ~512 MiB).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type Account from '@vercel/cosmosdb-server/lib/account';
import type Collection from '@vercel/cosmosdb-server/lib/account/collection';
import type Database from '@vercel/cosmosdb-server/lib/account/database';
import type ItemObject from '@vercel/cosmosdb-server/lib/account/item-object';

const FORMAT = 'cosmosdb-server-snapshot';
const VERSION = 1;

type SnapshotRecord =
  | { kind: 'header'; format: string; version: number; savedAt: string; databaseRidCount: number }
  | { kind: 'database'; data: ItemObject; collectionRidCount: number }
  | { kind: 'collection'; database: string; data: ItemObject; documentRidCount: number; udfRidCount: number }
  | { kind: 'document'; database: string; collection: string; data: ItemObject }
  | { kind: 'udf'; database: string; collection: string; data: ItemObject };

export interface SnapshotStats {
  databases: number;
  collections: number;
  documents: number;
}

export type Snapshot = readonly SnapshotRecord[];

/** Buffers lines so a snapshot of many small documents costs few write syscalls. */
class LineWriter {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly fd: number) {}

  write(record: SnapshotRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }
}

function writeRecords(writer: LineWriter, account: Account): SnapshotStats {
  const stats: SnapshotStats = { databases: 0, collections: 0, documents: 0 };
  writer.write({
    kind: 'header',
    format: FORMAT,
    version: VERSION,
    savedAt: new Date().toISOString(),
    databaseRidCount: account.databases._ridCount,
  });
  for (const database of account.databases._data.values()) {
    const databaseData = database.read();
    if (!databaseData) continue;
    stats.databases += 1;
    writer.write({ kind: 'database', data: databaseData, collectionRidCount: database.collections._ridCount });
    for (const collection of database.collections._data.values()) {
      const collectionData = collection.read();
      if (!collectionData) continue;
      stats.collections += 1;
      writer.write({
        kind: 'collection',
        database: databaseData._rid,
        data: collectionData,
        documentRidCount: collection.documents._ridCount,
        udfRidCount: collection.userDefinedFunctions._ridCount,
      });
      const parent = { database: databaseData._rid, collection: collectionData._rid };
      for (const udf of collection.userDefinedFunctions._data.values()) {
        const data = udf.read();
        if (data) writer.write({ kind: 'udf', ...parent, data });
      }
      for (const document of collection.documents._data.values()) {
        const data = document.read();
        if (!data) continue;
        stats.documents += 1;
        writer.write({ kind: 'document', ...parent, data });
      }
    }
  }
  writer.flush();
  return stats;
}

/**
 * Writes the whole account to `file` atomically (temp file, fsync, rename), so a crash at any point
 * leaves either the previous snapshot or the new one. Synchronous on purpose: no request can modify
 * the account halfway through, so every snapshot is a consistent point in time.
 */
export function writeSnapshot(account: Account, file: string): SnapshotStats {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    let stats: SnapshotStats;
    try {
      stats = writeRecords(new LineWriter(fd), account);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    return stats;
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseRecord(line: string, file: string, lineNumber: number): SnapshotRecord {
  const fail = (reason: string): never => {
    throw new Error(`Cosmos snapshot ${file} line ${lineNumber} is unusable (${reason}).`);
  };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!isObject(value) || typeof value.kind !== 'string') return fail('not a snapshot record');
  if (lineNumber === 1) {
    if (value.kind !== 'header' || value.format !== FORMAT || value.version !== VERSION) {
      return fail(`expected a ${FORMAT} v${VERSION} header`);
    }
  } else if (!isObject(value.data) || typeof value.data._rid !== 'string') {
    return fail('record without data._rid');
  }
  return value as SnapshotRecord;
}

/**
 * Reads a snapshot into memory; returns an empty snapshot when the file does not exist. Throws on a
 * damaged file instead of starting empty, because an empty server would overwrite the good data
 * with its first snapshot.
 */
export async function readSnapshot(file: string): Promise<Snapshot> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: SnapshotRecord[] = [];
  try {
    let lineNumber = 0;
    for await (const line of handle.readLines({ encoding: 'utf8' })) {
      lineNumber += 1;
      if (line.length > 0) records.push(parseRecord(line, file, lineNumber));
    }
  } finally {
    await handle.close();
  }
  return records;
}

/** The server compiles UDF bodies the same way when they are created (user-defined-functions.js `define`). */
function compileUdf(body: unknown): unknown {
  return new Function(`"use strict";return (${String(body)})`)();
}

/** Replays a snapshot into a freshly constructed, still empty account. */
export function restoreSnapshot(account: Account, snapshot: Snapshot): SnapshotStats {
  const stats: SnapshotStats = { databases: 0, collections: 0, documents: 0 };
  const databases = new Map<string, Database>();
  const collections = new Map<string, Collection>();
  const collectionOf = (database: string, collection: string): Collection => {
    const found = collections.get(`${database}/${collection}`);
    if (!found) throw new Error(`Cosmos snapshot refers to unknown collection ${database}/${collection}.`);
    return found;
  };

  for (const record of snapshot) {
    switch (record.kind) {
      case 'header':
        account.databases._ridCount = record.databaseRidCount;
        break;
      case 'database': {
        account.databases._set(record.data);
        const database = account.databases._data.get(record.data._rid);
        if (!database) throw new Error(`Cosmos snapshot: database ${record.data.id} could not be restored.`);
        database.collections._ridCount = record.collectionRidCount;
        databases.set(record.data._rid, database);
        stats.databases += 1;
        break;
      }
      case 'collection': {
        const database = databases.get(record.database);
        if (!database) throw new Error(`Cosmos snapshot refers to unknown database ${record.database}.`);
        database.collections._set(record.data);
        const collection = database.collections._data.get(record.data._rid);
        if (!collection) throw new Error(`Cosmos snapshot: container ${record.data.id} could not be restored.`);
        collection.documents._ridCount = record.documentRidCount;
        collection.userDefinedFunctions._ridCount = record.udfRidCount;
        collections.set(`${record.database}/${record.data._rid}`, collection);
        stats.collections += 1;
        break;
      }
      case 'document':
        collectionOf(record.database, record.collection).documents._set(record.data);
        stats.documents += 1;
        break;
      case 'udf': {
        const udfs = collectionOf(record.database, record.collection).userDefinedFunctions;
        udfs._set(record.data);
        udfs.functions[record.data.id] = compileUdf(record.data.body);
        break;
      }
    }
  }
  return stats;
}
