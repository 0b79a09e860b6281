import { AppendBlobClient, ContainerClient, RestError } from '@azure/storage-blob';
import { MappingStats, newMappingStats } from '../mapping';
import type { SampleRecord } from '../validation/sample-record';
import type { ChangeCounts } from '../validation/counts';

/**
 * Counts of one file's load so far; what the load returns when it is done. ChangeCounts splits `written` and
 * `deleted` by the service's answers.
 */
export interface LoadTotals extends ChangeCounts {
  linesRead: number;
  written: number;
  deleted: number;
  deadLettered: number;
  requestCharge: number;
  retries: number;
  stats: MappingStats;
}

export function emptyTotals(): LoadTotals {
  return {
    linesRead: 0,
    written: 0,
    deleted: 0,
    deadLettered: 0,
    requestCharge: 0,
    retries: 0,
    stats: newMappingStats(),
    created: 0,
    replaced: 0,
    deletedPresent: 0,
    deletedAbsent: 0,
    replacedOnResend: 0,
    absentOnResend: 0,
  };
}

/**
 * How far the load of one data file has got, in the lake beside its dead letters. Written while the load
 * runs, so a load that is killed, times out or fails resumes here instead of at line 1.
 */
export interface LoadCheckpoint {
  version: 1;
  /** The migration run that wrote it; a later run of the same migration starts over. */
  runId: string;
  lakePath: string;
  /** ETag of the raw copy that was loaded: if the copy was replaced since, the load starts over. */
  etag: string;
  /** Every line up to this one has settled: written, deleted, or dead-lettered. */
  settledThrough: number;
  /**
   * Every line up to this one has been read and mapped: its mapping counts and, if it could not be
   * mapped, its dead letter are in. Lines between the two marks are written again on resume, but not
   * counted or dead-lettered again.
   */
  readThrough: number;
  /** The load finished; `totals` is its result. */
  complete: boolean;
  totals: LoadTotals;
  /** Size of the dead-letter blob when the checkpoint was taken; anything after it is from lines that run again. */
  deadLetterBytes: number;
  /** `capacity`: what the sample had shrunk to under its byte budget (line-ledger.ts); absent when it had not. */
  sample: { seen: number; items: SampleRecord[]; capacity?: number };
}

/** Above this, restoring the dead letters would hold too much in memory: the load starts over instead. */
const MAX_RESTORED_DEAD_LETTER_BYTES = 256 * 1024 * 1024;
const APPEND_BLOCK_BYTES = 4 * 1024 * 1024;

function isNotFound(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404;
}

export async function readCheckpoint(lake: ContainerClient, path: string): Promise<LoadCheckpoint | undefined> {
  try {
    const text = (await lake.getBlockBlobClient(path).downloadToBuffer()).toString('utf8');
    const parsed = JSON.parse(text) as LoadCheckpoint;
    return parsed.version === 1 ? parsed : undefined;
  } catch (error) {
    if (isNotFound(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function writeCheckpoint(lake: ContainerClient, path: string, checkpoint: LoadCheckpoint): Promise<void> {
  const body = JSON.stringify(checkpoint);
  await lake
    .getBlockBlobClient(path)
    .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
}

/**
 * Cuts the dead-letter blob back to `bytes`, dropping letters of lines that will be read again. False when
 * that is not possible (the blob is shorter than the checkpoint says, or too large to rewrite): the
 * caller then starts the file over.
 */
export async function truncateDeadLetters(blob: AppendBlobClient, bytes: number): Promise<boolean> {
  let size: number;
  try {
    size = (await blob.getProperties()).contentLength ?? 0;
  } catch (error) {
    if (isNotFound(error)) return bytes === 0;
    throw error;
  }
  if (size === bytes) return true;
  if (size < bytes || bytes > MAX_RESTORED_DEAD_LETTER_BYTES) return false;
  const kept = bytes > 0 ? await blob.downloadToBuffer(0, bytes) : Buffer.alloc(0);
  await blob.create();
  for (let offset = 0; offset < kept.length; offset += APPEND_BLOCK_BYTES) {
    const block = kept.subarray(offset, offset + APPEND_BLOCK_BYTES);
    await blob.appendBlock(block, block.length);
  }
  return true;
}

/**
 * The poison marker of one file's load: in the lake beside its checkpoint while an attempt at the load runs,
 * deleted when the attempt ends in any way its process lives through (finished, stopped at its time budget,
 * failed). A marker found when an attempt starts therefore means the process running the previous one died
 * (killed, out of memory, a crash) - and if attempts keep dying without a checkpoint past the same line, the
 * file is what kills them: it is failed with FILE_POISONED instead of being tried again (load-file.ts).
 */
export interface AttemptMarker {
  version: 1;
  runId: string;
  lakePath: string;
  etag: string;
  /** The checkpoint the attempt had reached when the marker was written (0: none, from line 1). */
  after: number;
  /** Earlier attempts whose process died after that same checkpoint, without getting further. */
  deaths: number;
  /** A line over the reader's cap being skipped when the marker was written, and how far into it. */
  skipping?: { line: number; bytesSoFar: number };
}

/** The marker's blob: `checkpoints/<file index>.attempt.json`, beside the checkpoint. */
export function attemptMarkerPath(checkpointBlobPath: string): string {
  return checkpointBlobPath.replace(/\.json$/, '') + '.attempt.json';
}

export async function readAttemptMarker(lake: ContainerClient, path: string): Promise<AttemptMarker | undefined> {
  try {
    const parsed = JSON.parse(
      (await lake.getBlockBlobClient(path).downloadToBuffer()).toString('utf8'),
    ) as AttemptMarker;
    return parsed.version === 1 ? parsed : undefined;
  } catch (error) {
    if (isNotFound(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function writeAttemptMarker(lake: ContainerClient, path: string, marker: AttemptMarker): Promise<void> {
  const body = JSON.stringify(marker);
  await lake
    .getBlockBlobClient(path)
    .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
}

export async function clearAttemptMarker(lake: ContainerClient, path: string): Promise<void> {
  await lake.getBlockBlobClient(path).deleteIfExists();
}
