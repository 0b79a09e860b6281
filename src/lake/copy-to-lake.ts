import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlockBlobClient, ContainerClient, RestError } from '@azure/storage-blob';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MigrationError } from '../errors';
import { headObject, openObjectStream, s3Url } from '../export/s3-objects';
import { BackoffPolicy, retrying } from '../retry/backoff';
import { DataFile } from '../export/types';
import { Md5PassThrough } from './md5-stream';
import { rawCopyPath } from './paths';

export type CopyMode = 'auto' | 'server' | 'stream';

export interface CopyResult {
  lakePath: string;
  bytes: number;
  /** `skipped` when the lake already held the file with the manifest's checksum. */
  method: 'server' | 'stream' | 'skipped';
}

export interface CopyInput {
  s3: S3Client;
  lake: ContainerClient;
  bucket: string;
  file: DataFile;
  mode: CopyMode;
}

/** Put Block From URL takes at most 4000 MiB per block; smaller blocks let the service fetch in parallel. */
const SERVER_BLOCK_BYTES = 256 * 1024 * 1024;
const STREAM_BLOCK_BYTES = 8 * 1024 * 1024;
const PRESIGN_SECONDS = 3600;
/**
 * Retries of a streamed copy that broke off (connection reset, body cut short, S3 or lake errors that
 * outlasted the SDKs' own retries): about a minute at most, then the activity fails and Durable retries it.
 */
const STREAM_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 8000, maxAttempts: 6, maxTotalMs: 60_000 };

/**
 * Once the lake has refused a server-side copy in `auto` mode, later files go straight to the streamed
 * copy instead of failing one request each. Keyed by lake account URL.
 */
const serverCopyRefused = new Set<string>();

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

async function serverCopy(input: CopyInput, blob: BlockBlobClient, size: number): Promise<void> {
  const url = await getSignedUrl(input.s3, new GetObjectCommand({ Bucket: input.bucket, Key: input.file.key }), {
    expiresIn: PRESIGN_SECONDS,
  });
  const blockIds: string[] = [];
  for (let offset = 0, n = 0; offset < size || n === 0; offset += SERVER_BLOCK_BYTES, n++) {
    const blockId = Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64');
    const count = Math.min(SERVER_BLOCK_BYTES, size - offset);
    if (count > 0) await blob.stageBlockFromURL(blockId, url, offset, count);
    else break;
    blockIds.push(blockId);
  }
  await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: 'application/gzip' } });
}

/** A copy that read fewer or more bytes than S3 reported: the transfer broke, not the file. */
class ShortCopyError extends Error {}

async function streamCopyOnce(input: CopyInput, blob: BlockBlobClient, size: number): Promise<string> {
  const source = await openObjectStream(input.s3, { bucket: input.bucket, key: input.file.key });
  const hasher = new Md5PassThrough();
  source.on('error', (error) => hasher.destroy(error));
  const upload = blob.uploadStream(source.pipe(hasher), STREAM_BLOCK_BYTES, 4, {
    blobHTTPHeaders: { blobContentType: 'application/gzip' },
  });
  await upload;
  if (hasher.bytes !== size) throw new ShortCopyError(`read ${hasher.bytes} of ${size} bytes`);
  return hasher.digestBase64();
}

async function streamCopy(input: CopyInput, blob: BlockBlobClient, size: number, source: string): Promise<string> {
  try {
    return await retrying(() => streamCopyOnce(input, blob, size), {
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

/**
 * Copies one data file from S3 into the lake and proves the copy has the manifest's MD5. The checksum is
 * stored as the blob's Content-MD5 only after that proof, so a later run skips exactly the verified copies.
 */
export async function copyToLake(input: CopyInput): Promise<CopyResult> {
  const lakePath = rawCopyPath(input.bucket, input.file.key);
  const blob = input.lake.getBlockBlobClient(lakePath);
  const source = s3Url({ bucket: input.bucket, key: input.file.key });

  if ((await existingChecksum(blob)) === input.file.md5Checksum) {
    return { lakePath, bytes: 0, method: 'skipped' };
  }
  const head = await headObject(input.s3, { bucket: input.bucket, key: input.file.key });
  if (!head) {
    throw new MigrationError('DATA_FILE_MISSING', `${source} is listed in the manifest but does not exist`);
  }

  let method: 'server' | 'stream' = 'stream';
  let actual: string | undefined;
  const account = input.lake.url;
  if (input.mode === 'server' || (input.mode === 'auto' && !serverCopyRefused.has(account))) {
    try {
      await serverCopy(input, blob, head.size);
      method = 'server';
      actual = await hashBlob(blob);
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      if (input.mode === 'server') {
        throw new MigrationError(
          'COPY_NOT_SUPPORTED',
          `the lake refused a server-side copy of ${source} (HTTP ${error.statusCode ?? '?'} ${error.code ?? ''}); use copyMode "auto" or "stream"`,
        );
      }
      serverCopyRefused.add(account);
    }
  }
  if (actual === undefined) actual = await streamCopy(input, blob, head.size, source);

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
