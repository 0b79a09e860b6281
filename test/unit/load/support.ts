/**
 * What the load tests share: a lake in memory that can "die" (every call from then on never answers, as if the
 * process had been killed mid-load), a container that accepts every write and remembers only ids, data files
 * built from lines and lazily inflating gzip members, and a memory guard.
 */
import type { Container, OperationInput } from '@azure/cosmos';
import { ContainerClient, RestError } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { checkpointPath, deadLetterPath, runFolder } from '../../../src/lake/paths';
import { attemptMarkerPath } from '../../../src/load/checkpoint';
import type { LoadFileInput } from '../../../src/load/load-file';

const notFound = (path: string) => new RestError(`${path}: BlobNotFound`, { statusCode: 404 });
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * A lake container in memory. `dieWhen` is asked about every upload: once it says yes, the lake stops answering
 * (every call pends forever), so the load that made the call never ends, as if its process had died there;
 * `revive()` starts a new "process" on the same blobs.
 */
export class MemoryLake {
  readonly blobs = new Map<string, Buffer>();
  readonly requests: string[] = [];
  private version = 0;
  private etags = new Map<string, string>();
  dead = false;
  dieWhen?: (path: string, body: string) => boolean;

  put(path: string, body: string | Buffer): void {
    this.blobs.set(path, Buffer.from(body));
    this.etags.set(path, `"${++this.version}"`);
  }

  text(path: string): string | undefined {
    return this.blobs.get(path)?.toString('utf8');
  }

  revive(): void {
    this.dead = false;
    this.dieWhen = undefined;
  }

  private call<T>(op: string, path: string, work: () => T): Promise<T> {
    if (this.dead) return never<T>();
    this.requests.push(`${op} ${path}`);
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private stored(path: string): Buffer {
    const blob = this.blobs.get(path);
    if (!blob) throw notFound(path);
    return blob;
  }

  getBlockBlobClient(path: string) {
    return {
      getProperties: () =>
        this.call('getProperties', path, () => ({
          contentLength: this.stored(path).length,
          etag: this.etags.get(path),
        })),
      download: () => this.call('download', path, () => ({ readableStreamBody: Readable.from([this.stored(path)]) })),
      downloadToBuffer: () => this.call('downloadToBuffer', path, () => this.stored(path)),
      upload: (body: string) => {
        if (!this.dead && this.dieWhen?.(path, body)) {
          this.put(path, body);
          this.requests.push(`upload ${path}`);
          this.dead = true;
          return never();
        }
        return this.call('upload', path, () => this.put(path, body));
      },
      deleteIfExists: () => this.call('deleteIfExists', path, () => ({ succeeded: this.blobs.delete(path) })),
    };
  }

  getAppendBlobClient(path: string) {
    return {
      create: () => this.call('create', path, () => this.put(path, '')),
      createIfNotExists: () =>
        this.call('createIfNotExists', path, () => {
          if (!this.blobs.has(path)) this.put(path, '');
        }),
      appendBlock: (body: string | Buffer) =>
        this.call('appendBlock', path, () =>
          this.blobs.set(path, Buffer.concat([this.stored(path), Buffer.from(body)])),
        ),
      getProperties: () => this.call('getProperties', path, () => ({ contentLength: this.stored(path).length })),
      downloadToBuffer: (offset = 0, count?: number) =>
        this.call('downloadToBuffer', path, () =>
          this.stored(path).subarray(offset, count === undefined ? undefined : offset + count),
        ),
    };
  }

  asClient(): ContainerClient {
    return this as unknown as ContainerClient;
  }
}

/** A container that accepts every write (in bulk, 1 RU each) and remembers the ids written, nothing else. */
export function acceptingContainer(onCall?: () => void): { container: Container; ids: Set<string>; calls: number } {
  const state = { ids: new Set<string>(), calls: 0 };
  const container = {
    url: `dbs/test/colls/c-${Math.random()}`,
    id: 'c',
    database: { id: 'test' },
    // No partition key paths: the writer sends everything in bulk.
    read: async () => ({ resource: { partitionKey: { paths: [] } } }),
    items: {
      executeBulkOperations: async (operations: OperationInput[]) => {
        state.calls++;
        onCall?.();
        for (const operation of operations) {
          const body = (operation as { resourceBody?: { id?: string } }).resourceBody;
          if (body?.id) state.ids.add(body.id);
        }
        return operations.map(() => ({ response: { statusCode: 200, requestCharge: 1 } }));
      },
    },
  };
  return {
    container: container as unknown as Container,
    get ids() {
      return state.ids;
    },
    get calls() {
      return state.calls;
    },
  };
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** A full export's line for item `n` of partition `pk`. */
export const itemLine = (n: number, pk = 'p'): string =>
  JSON.stringify({ Item: { pk: { S: pk }, sk: { N: String(n) }, note: { S: `item ${n}` } } });

let aMember: Buffer | undefined;
/** One gzip member of 64 MiB of `a` (about 64 KB; made once). */
function memberOfA(): Buffer {
  aMember ??= gzipSync(Buffer.alloc(64 * MiB, 'a'), { level: 9 });
  return aMember;
}

/**
 * A data file: `before` lines, then one line of `prefix` + `aMembers` × 64 MiB of `a` + `suffix`, then `after`
 * lines, as concatenated gzip members (a few KB per GiB of line). Returns the bytes and the long line's length.
 */
export function fileWithLongLine(
  before: string[],
  aMembers: number,
  after: string[],
  prefix = '{"Item":{"pk":{"S":"huge"},"sk":{"N":"0"},"blob":{"S":"',
  suffix = '"}}}',
): { body: Buffer; longLineBytes: number } {
  const head = before.map((line) => line + '\n').join('') + prefix;
  const tail = suffix + '\n' + after.map((line) => line + '\n').join('');
  const body = Buffer.concat([gzipSync(head), ...Array.from({ length: aMembers }, memberOfA), gzipSync(tail)]);
  return { body, longLineBytes: Buffer.byteLength(prefix) + aMembers * 64 * MiB + Buffer.byteLength(suffix) };
}

export const FOLDER = 'bucket/exports/t/_migration/db/c';
export const LAKE_PATH = 'bucket/exports/t/data/f.json.gz';

/** Where run `runId`'s load of file 0 keeps its dead letters, checkpoint and poison marker (its run folder). */
export function runPaths(runId: string): { deadLetters: string; checkpoint: string; marker: string } {
  const run = runFolder(FOLDER, runId);
  const checkpoint = checkpointPath(run, 0);
  return { deadLetters: deadLetterPath(run, 0), checkpoint, marker: attemptMarkerPath(checkpoint) };
}

/** Those of `loadInput`'s run. */
export const { deadLetters: DEAD_LETTERS, checkpoint: CHECKPOINT, marker: MARKER } = runPaths('run-1');

export function loadInput(lake: MemoryLake, container: Container, extra: Partial<LoadFileInput> = {}): LoadFileInput {
  return {
    lake: lake.asClient(),
    container,
    lakePath: LAKE_PATH,
    sourceName: 'exports/t/data/f.json.gz',
    fileIndex: 0,
    incremental: false,
    mapping: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' },
    migrationFolder: FOLDER,
    sampleQuota: 10,
    runId: 'run-1',
    ...extra,
  };
}

/** V8's garbage collector, to measure what is live rather than what has not been collected yet. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Peak of heapUsed + arrayBuffers above where it started (after a collection). */
export class MemoryGuard {
  private static readonly gc = collector();
  private readonly base: number;
  peak = 0;
  constructor() {
    MemoryGuard.gc();
    this.base = MemoryGuard.used();
  }
  static used(): number {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  }
  /** `live`: collect garbage first (slow; now and then). */
  check(live = false): number {
    if (live) MemoryGuard.gc();
    this.peak = Math.max(this.peak, MemoryGuard.used() - this.base);
    return this.peak;
  }
  /** Checks every `ms` until the returned function is called. */
  watch(ms = 5): () => void {
    const timer = setInterval(() => this.check(), ms);
    return () => clearInterval(timer);
  }
}

/** Waits (on real timers) until `probe` holds. */
export async function until(probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
