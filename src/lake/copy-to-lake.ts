import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlockBlobClient, ContainerClient, RestError } from '@azure/storage-blob';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MigrationError, scrubbedLine } from '../errors';
import { headObject, openObjectStream, s3Url } from '../export/s3-objects';
import { BackoffPolicy, retrying } from '../retry/backoff';
import { DataFile } from '../export/types';
import { Md5PassThrough } from './md5-stream';
import { rawCopyPath } from './paths';

export type CopyMode = 'auto' | 'server' | 'stream';
export type CopyMethod = 'server' | 'stream' | 'skipped';

export interface CopyResult {
  lakePath: string;
  bytes: number;
  /** How the file reached the lake; `skipped` when the lake already held it with the manifest's checksum. */
  method: CopyMethod;
}

/** What the server-side copy needs of a blob client: Put Block From URL. */
export type BlockStager = Pick<BlockBlobClient, 'stageBlockFromURL'>;

export interface CopyInput {
  s3: S3Client;
  lake: ContainerClient;
  bucket: string;
  file: DataFile;
  mode: CopyMode;
  /** Block size of the server-side copy. Default 64 MiB; at most 4000 MiB (Put Block From URL's limit). */
  serverBlockBytes?: number;
  /**
   * The client that sends Put Block From URL. Default: one for the same blob and credential whose pipeline does not
   * retry, so `SERVER_RETRY` is the only retry layer (the storage SDK's own would wait 16 s per failed block).
   */
  stager?: (blob: BlockBlobClient) => BlockStager;
  /** For tests: the clock the presigned URL lifetime is measured with. */
  now?: () => number;
}

export const DEFAULT_SERVER_BLOCK_BYTES = 64 * 1024 * 1024;
/** Put Block From URL takes at most 4000 MiB per block (docs/azure-fidelity.md, Lake). */
export const MAX_SERVER_BLOCK_BYTES = 4000 * 1024 * 1024;
/** Blocks the service fetches at once for one file. */
const SERVER_CONCURRENCY = 4;
const STREAM_BLOCK_BYTES = 8 * 1024 * 1024;
const STREAM_CONCURRENCY = 4;
/**
 * Lifetime of a presigned GET. Each one is signed for one Put Block From URL attempt, which the service starts
 * reading at once, so it only has to outlive the start of that request.
 */
export const PRESIGN_SECONDS = 15 * 60;
/** Credentials are refreshed before presigning when less than the URL's lifetime and this much are left. */
const CREDENTIAL_MARGIN_MS = 60_000;
/**
 * Retries of a streamed copy that broke off (connection reset, body cut short, S3 or lake errors that
 * outlasted the SDKs' own retries): about a minute at most, then the activity fails and Durable retries it.
 */
const STREAM_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 8000, maxAttempts: 6, maxTotalMs: 60_000 };
/**
 * Retries of one block of a server-side copy (503 ServerBusy, 500, a copy source that broke off, a reset): a few
 * seconds, then `auto` streams the file instead and `server` fails the attempt as retryable, for Durable to retry.
 */
export const SERVER_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 4000, maxAttempts: 4, maxTotalMs: 30_000 };

/**
 * Once the lake has answered that it does not offer the server-side copy, later files in `auto` mode go straight
 * to the streamed copy instead of failing one request each. Keyed by lake account URL. Only "not supported" answers
 * land here: a busy or failing service never turns the server-side copy off.
 */
const serverCopyRefused = new Set<string>();

/**
 * The one block id scheme of both copies: `b<block size, base 36, 8 digits>-<index, 6 digits>`, 16 bytes before
 * encoding. The service refuses a block whose id differs in length from the blob's uncommitted blocks
 * (InvalidBlobOrBlock), so a streamed copy after a partial server-side copy must use ids of the same length; the
 * block size in the id keeps the two copies' blocks apart, so a commit never mixes blocks cut at other offsets.
 */
export function blockIdFor(blockBytes: number, index: number): string {
  return Buffer.from(`b${blockBytes.toString(36).padStart(8, '0')}-${String(index).padStart(6, '0')}`).toString(
    'base64',
  );
}

function md5Bytes(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

async function existingChecksum(blob: BlockBlobClient): Promise<string | undefined> {
  try {
    const properties = await blob.getProperties();
    return properties.contentMD5 ? Buffer.from(properties.contentMD5).toString('base64') : undefined;
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

async function hashBlob(blob: BlockBlobClient): Promise<string> {
  const download = await blob.download();
  const hasher = new Md5PassThrough();
  // The hasher passes the bytes on; a sink that drops them lets the pipeline finish.
  await pipeline(
    download.readableStreamBody as NodeJS.ReadableStream,
    hasher,
    new Writable({ write: (_chunk, _encoding, done) => done() }),
  );
  return hasher.digestBase64();
}

/** Runs `work(0…count-1)`, at most `limit` at a time; after a failure no new one starts, and the first is thrown. */
async function forEachLimited(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        if (!failed) [failed, failure] = [true, error];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failed) throw failure;
}

/**
 * How a failed Put Block From URL is handled:
 * - `unsupported`: the lake does not offer the operation. Only what means that: 501 (Azurite answers
 *   APINotImplemented), 405 UnsupportedHttpVerb, 400 UnsupportedHeader / UnsupportedQueryParameter (a service that
 *   does not know x-ms-copy-source or comp=block here). Common REST API error codes:
 *   learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes.
 * - `source`: the service read the copy source and the source refused (CannotVerifyCopySource with the source's
 *   4xx status: an expired or denied presigned URL, a bucket policy that does not let Azure in, a deleted object).
 * - `transient`: 408, 429, any 5xx (503 ServerBusy, 500 OperationTimedOut/InternalError, CannotVerifyCopySource for
 *   a source that failed or broke off), and a request that got no answer at all. Retried, never "not supported".
 * - `other`: anything else (the lake refused the write itself): thrown as it is.
 */
export type ServerCopyFailure = 'unsupported' | 'source' | 'transient' | 'other';

const UNSUPPORTED_CODES = new Set([
  'APINotImplemented',
  'NotImplemented',
  'UnsupportedHttpVerb',
  'UnsupportedHeader',
  'UnsupportedQueryParameter',
]);

export function classifyServerCopyError(error: unknown): ServerCopyFailure {
  if (!(error instanceof RestError)) return 'other';
  const status = error.statusCode;
  const code = error.code ?? '';
  if (status === 501 || status === 405 || UNSUPPORTED_CODES.has(code)) return 'unsupported';
  if (status === undefined || status === 408 || status === 429 || status >= 500) return 'transient';
  if (code === 'CannotVerifyCopySource') return 'source';
  return 'other';
}

function copySourceStatus(error: RestError): number | undefined {
  const details = error.details as { copySourceStatusCode?: number } | undefined;
  return details?.copySourceStatusCode;
}

/** `HTTP 503 ServerBusy`, `HTTP 404 CannotVerifyCopySource (S3 answered HTTP 404 NoSuchKey)`, one line, no URL. */
function describe(error: unknown): string {
  if (!(error instanceof RestError)) return scrubbedLine(error instanceof Error ? error.message : String(error));
  const details = error.details as { copySourceStatusCode?: number; copySourceErrorCode?: string } | undefined;
  const answer = error.statusCode ? `HTTP ${error.statusCode} ${error.code ?? ''}`.trim() : (error.code ?? 'no answer');
  const sourceStatus = details?.copySourceStatusCode;
  const sourcePart = sourceStatus
    ? ` (S3 answered HTTP ${sourceStatus}${details?.copySourceErrorCode ? ` ${details.copySourceErrorCode}` : ''})`
    : '';
  const message = scrubbedLine(error.message.split('\n')[0]);
  return `${answer}${sourcePart}${message ? `: ${message}` : ''}`;
}

/**
 * A presigned GET of the data file, signed with credentials that outlive it: when the S3 client's credentials
 * (role credentials from STS, say) expire sooner than the URL would, they are refreshed first, so the URL does not
 * stop working when the session that signed it ends.
 */
async function presignedUrl(input: CopyInput): Promise<string> {
  const now = input.now ?? Date.now;
  const provider = input.s3.config.credentials as (options?: { forceRefresh?: boolean }) => Promise<{
    expiration?: Date;
  }>;
  const neededMs = PRESIGN_SECONDS * 1000 + CREDENTIAL_MARGIN_MS;
  const shortLived = (credentials: { expiration?: Date }): boolean =>
    credentials.expiration !== undefined && credentials.expiration.getTime() - now() < neededMs;
  let credentials = await provider();
  if (shortLived(credentials)) credentials = await provider({ forceRefresh: true });
  // Still short (a provider that cannot renew early): the URL ends when its credentials do, not later.
  const leftSeconds = credentials.expiration
    ? Math.floor((credentials.expiration.getTime() - now() - CREDENTIAL_MARGIN_MS) / 1000)
    : PRESIGN_SECONDS;
  const expiresIn = Math.max(60, Math.min(PRESIGN_SECONDS, leftSeconds));
  return getSignedUrl(input.s3, new GetObjectCommand({ Bucket: input.bucket, Key: input.file.key }), { expiresIn });
}

function defaultStager(lake: ContainerClient): (blob: BlockBlobClient) => BlockStager {
  return (blob) => new BlockBlobClient(blob.url, lake.credential, { retryOptions: { maxTries: 1 } });
}

/**
 * Put Block From URL for each block (a fresh presigned URL per attempt), at most SERVER_CONCURRENCY at once, each
 * retried in place with SERVER_RETRY while its failures are transient or the source's; then Put Block List.
 */
async function serverCopy(input: CopyInput, blob: BlockBlobClient, size: number, blockBytes: number): Promise<void> {
  const stager = (input.stager ?? defaultStager(input.lake))(blob);
  const count = Math.ceil(size / blockBytes);
  const ids = Array.from({ length: count }, (_, i) => blockIdFor(blockBytes, i));
  await forEachLimited(count, SERVER_CONCURRENCY, (i) =>
    retrying(
      async () => {
        const offset = i * blockBytes;
        await stager.stageBlockFromURL(ids[i], await presignedUrl(input), offset, Math.min(blockBytes, size - offset));
      },
      {
        policy: SERVER_RETRY,
        isTransient: (error) => ['transient', 'source'].includes(classifyServerCopyError(error)),
      },
    ).then(() => undefined),
  );
  await blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: 'application/gzip' } });
}

/** A block id length mismatch with uncommitted blocks someone else left (an older copy): clear them once and retry. */
async function withUncommittedBlocksCleared(blob: BlockBlobClient, copy: () => Promise<void>): Promise<void> {
  try {
    await copy();
  } catch (error) {
    if (!(error instanceof RestError && error.code === 'InvalidBlobOrBlock')) throw error;
    // Put Block List discards every uncommitted block; the empty blob it leaves is overwritten by the copy.
    await blob.commitBlockList([]);
    await copy();
  }
}

/** The error a `server`-mode copy fails with, by how the server-side copy failed. */
function serverCopyError(kind: ServerCopyFailure, error: unknown, source: string): MigrationError {
  const detail = describe(error);
  if (kind === 'unsupported') {
    return new MigrationError(
      'COPY_NOT_SUPPORTED',
      `the lake does not offer the server-side copy (Put Block From URL) that ${source} needs: ${detail}; use copyMode "auto" or "stream"`,
    );
  }
  const sourceStatus = error instanceof RestError ? copySourceStatus(error) : undefined;
  if (kind === 'source' && sourceStatus === 403) {
    return new MigrationError(
      'SOURCE_ACCESS_DENIED',
      `${source}: S3 refused the lake's server-side read of the presigned URL (${detail}); a bucket policy that limits aws:SourceIp or aws:SourceVpce keeps Azure Storage out — use copyMode "auto" or "stream", which read through the app`,
    );
  }
  if (kind === 'source' && sourceStatus === 404) {
    return new MigrationError('DATA_FILE_MISSING', `${source} disappeared during the server-side copy (${detail})`);
  }
  return new MigrationError(
    'RETRIES_EXHAUSTED',
    `${source}: the lake's server-side copy kept failing after ${SERVER_RETRY.maxAttempts} attempts per block (${detail})`,
    { cause: error },
  );
}

/** A copy that read fewer or more bytes than S3 reported: the transfer broke, not the file. */
class ShortCopyError extends Error {}

/**
 * Put Block for each STREAM_BLOCK_BYTES of `body` as it arrives (at most `STREAM_CONCURRENCY` in flight, so at most
 * that many blocks and one being filled are in memory), with the same id scheme as the server-side copy. Returns
 * the ids in order; nothing is committed.
 */
async function stageStream(blob: BlockBlobClient, body: Readable): Promise<string[]> {
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failed = false;
  let failure: unknown;
  const stage = (block: Buffer): void => {
    const id = blockIdFor(STREAM_BLOCK_BYTES, ids.length);
    ids.push(id);
    const staging: Promise<void> = blob.stageBlock(id, block, block.length).then(
      () => void inFlight.delete(staging),
      (error: unknown) => {
        if (!failed) [failed, failure] = [true, error];
        inFlight.delete(staging);
      },
    );
    inFlight.add(staging);
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (failed) break;
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= STREAM_BLOCK_BYTES) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      stage(all.subarray(0, STREAM_BLOCK_BYTES));
      const rest = all.subarray(STREAM_BLOCK_BYTES);
      [pending, pendingBytes] = [rest.length > 0 ? [rest] : [], rest.length];
      while (inFlight.size >= STREAM_CONCURRENCY) await Promise.race(inFlight);
    }
  }
  if (!failed && pendingBytes > 0) stage(Buffer.concat(pending));
  await Promise.all(inFlight);
  if (failed) throw failure;
  return ids;
}

async function streamCopyOnce(input: CopyInput, blob: BlockBlobClient, size: number): Promise<string> {
  const source = await openObjectStream(input.s3, { bucket: input.bucket, key: input.file.key });
  const hasher = new Md5PassThrough();
  source.on('error', (error) => hasher.destroy(error));
  const ids = await stageStream(blob, source.pipe(hasher));
  // Checked before the commit: a short read never becomes the blob.
  if (hasher.bytes !== size) throw new ShortCopyError(`read ${hasher.bytes} of ${size} bytes`);
  await blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: 'application/gzip' } });
  return hasher.digestBase64();
}

async function streamCopy(input: CopyInput, blob: BlockBlobClient, size: number, source: string): Promise<string> {
  try {
    return await retrying(() => withStreamBlocks(blob, () => streamCopyOnce(input, blob, size)), {
      policy: STREAM_RETRY,
      isTransient: (error) => !(error instanceof MigrationError && !error.retryable),
    });
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(
      'TRANSIENT',
      `${source}: the copy to the lake kept breaking off (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
}

async function withStreamBlocks(blob: BlockBlobClient, copy: () => Promise<string>): Promise<string> {
  let digest = '';
  await withUncommittedBlocksCleared(blob, async () => {
    digest = await copy();
  });
  return digest;
}

function serverBlockBytesOf(input: CopyInput): number {
  const bytes = input.serverBlockBytes ?? DEFAULT_SERVER_BLOCK_BYTES;
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_SERVER_BLOCK_BYTES) {
    throw new MigrationError(
      'CONFIGURATION',
      `the server-side copy's block size must be 1 byte to 4000 MiB, got ${bytes}`,
    );
  }
  return bytes;
}

/**
 * Copies one data file from S3 into the lake and proves the copy has the manifest's MD5. The checksum is
 * stored as the blob's Content-MD5 only after that proof, so a later run skips exactly the verified copies.
 *
 * `server`: Put Block From URL with presigned GETs, the bytes never pass through the app. `stream`: the app reads
 * S3 and writes the lake. `auto`: server-side, and streamed when the lake does not offer the server-side copy or it
 * kept failing for this file (the source refusing Azure Storage, or failing mid-copy).
 */
export async function copyToLake(input: CopyInput): Promise<CopyResult> {
  const lakePath = rawCopyPath(input.bucket, input.file.key);
  const blob = input.lake.getBlockBlobClient(lakePath);
  const source = s3Url({ bucket: input.bucket, key: input.file.key });
  const blockBytes = serverBlockBytesOf(input);

  if ((await existingChecksum(blob)) === input.file.md5Checksum) {
    return { lakePath, bytes: 0, method: 'skipped' };
  }
  const head = await headObject(input.s3, { bucket: input.bucket, key: input.file.key });
  if (!head) {
    throw new MigrationError('DATA_FILE_MISSING', `${source} is listed in the manifest but does not exist`);
  }

  let method: 'server' | 'stream' = 'stream';
  const account = input.lake.url;
  if (input.mode === 'server' || (input.mode === 'auto' && !serverCopyRefused.has(account))) {
    try {
      await withUncommittedBlocksCleared(blob, () => serverCopy(input, blob, head.size, blockBytes));
      method = 'server';
    } catch (error) {
      const kind = classifyServerCopyError(error);
      if (kind === 'other') throw error;
      if (input.mode === 'server') throw serverCopyError(kind, error, source);
      if (kind === 'unsupported') serverCopyRefused.add(account);
      // Otherwise only this file is streamed: its blocks of the server-side copy stay uncommitted and are
      // discarded by the streamed copy's Put Block List (same id length, other ids).
    }
  }
  // The server-side copy is proved by reading it back; the streamed one was hashed as it passed.
  const actual = method === 'server' ? await hashBlob(blob) : await streamCopy(input, blob, head.size, source);

  if (actual !== input.file.md5Checksum) {
    await blob.deleteIfExists();
    throw new MigrationError(
      'CHECKSUM_MISMATCH',
      `${source}: MD5 of the data file is ${actual} but manifest-files.json says ${input.file.md5Checksum}; the file was changed or truncated, nothing was loaded from it`,
    );
  }
  await blob.setHTTPHeaders({ blobContentType: 'application/gzip', blobContentMD5: md5Bytes(actual) });
  return { lakePath, bytes: head.size, method };
}
