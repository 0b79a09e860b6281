/**
 * copyToLake's server-side copy on an in-memory lake that keeps the service's block rules (a staged block's id must
 * have the length of the blob's other uncommitted blocks) and a scripted Put Block From URL: which answers mean "not
 * supported", which are retried, how `auto` falls back, and the credentials behind each presigned URL.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlockBlobClient, ContainerClient, RestError } from '@azure/storage-blob';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { webIdentityCredentials, type RoleAssumer } from '../../../src/clients/aws-credentials';
import { MigrationError } from '../../../src/errors';
import {
  blockIdFor,
  classifyServerCopyError,
  copyToLake,
  CopyInput,
  PRESIGN_SECONDS,
  SERVER_RETRY,
} from '../../../src/lake/copy-to-lake';

const BUCKET = 'exports';
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');

function restError(statusCode: number | undefined, code: string, details: object = {}): RestError {
  const error = new RestError(`${code} from the fake lake`, { statusCode, code });
  error.details = { errorCode: code, ...details };
  return error;
}

interface Blob {
  body?: Buffer;
  contentMD5?: Uint8Array;
  uncommitted: Map<string, Buffer>;
}

/** One Put Block From URL as the fake lake saw it. */
interface FromUrlCall {
  path: string;
  blockId: string;
  url: string;
  offset: number;
  count: number;
}

class FakeLake {
  readonly blobs = new Map<string, Blob>();
  readonly fromUrlCalls: FromUrlCall[] = [];
  /** Decides a Put Block From URL's answer: an error to throw, or undefined to stage the source's bytes. */
  fault: (call: FromUrlCall, attempt: number) => RestError | undefined = () => undefined;
  streamedBlocks = 0;

  constructor(
    readonly url: string,
    private readonly source: Map<string, Buffer>,
  ) {}

  private blob(path: string): Blob {
    let blob = this.blobs.get(path);
    if (!blob) this.blobs.set(path, (blob = { uncommitted: new Map() }));
    return blob;
  }

  private stage(path: string, id: string, bytes: Buffer): void {
    const blob = this.blob(path);
    const length = Buffer.from(id, 'base64').length;
    if ([...blob.uncommitted.keys()].some((other) => Buffer.from(other, 'base64').length !== length))
      throw restError(400, 'InvalidBlobOrBlock');
    blob.uncommitted.set(id, bytes);
  }

  container(): ContainerClient {
    return { url: this.url, credential: undefined, getBlockBlobClient: (path: string) => this.client(path) } as never;
  }

  client(path: string): BlockBlobClient {
    return {
      url: `${this.url}/${path}`,
      getProperties: async () => {
        const blob = this.blobs.get(path);
        if (!blob?.body) throw restError(404, 'BlobNotFound');
        return { contentMD5: blob.contentMD5 };
      },
      download: async () => {
        return { readableStreamBody: Readable.from([this.blobs.get(path)?.body ?? Buffer.alloc(0)]) };
      },
      stageBlock: async (id: string, body: Buffer) => {
        this.streamedBlocks++;
        this.stage(path, id, Buffer.from(body));
        return {};
      },
      commitBlockList: async (ids: string[]) => {
        const blob = this.blob(path);
        const parts = ids.map((id) => blob.uncommitted.get(id));
        if (parts.some((part) => part === undefined)) throw restError(400, 'InvalidBlockList');
        blob.body = Buffer.concat(parts as Buffer[]);
        blob.contentMD5 = undefined;
        blob.uncommitted.clear();
        return {};
      },
      setHTTPHeaders: async (headers: { blobContentMD5?: Uint8Array }) => {
        this.blob(path).contentMD5 = headers.blobContentMD5;
        return {};
      },
      deleteIfExists: async () => {
        this.blobs.delete(path);
        return {};
      },
    } as never;
  }

  /** The stager copyToLake is given: reads the presigned URL's object from the fake S3 (after the scripted faults). */
  stager = (blob: BlockBlobClient) => ({
    stageBlockFromURL: async (blockId: string, url: string, offset = 0, count = 0) => {
      const path = blob.url.slice(this.url.length + 1);
      const call = { path, blockId, url, offset, count };
      this.fromUrlCalls.push(call);
      const attempt = this.fromUrlCalls.filter((c) => c.path === path && c.offset === offset).length;
      const fault = this.fault(call, attempt);
      if (fault) throw fault;
      const key = decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/'));
      this.stage(path, blockId, (this.source.get(key) as Buffer).subarray(offset, offset + count));
      return {} as never;
    },
  });
}

/** A real S3Client (so presigning is real) whose requests are answered from `objects`. */
function fakeS3(objects: Map<string, Buffer>, credentials: (options?: { forceRefresh?: boolean }) => Promise<object>) {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://s3.test',
    forcePathStyle: true,
    credentials: credentials as never,
  });
  Object.assign(s3, {
    send: async (command: unknown) => {
      const key = (command as { input: { Key: string } }).input.Key;
      const body = objects.get(key);
      if (command instanceof HeadObjectCommand) return { ContentLength: body?.length };
      if (command instanceof GetObjectCommand) return { Body: Readable.from([body as Buffer]) };
      throw new Error('unexpected S3 command');
    },
  });
  return s3;
}

const staticCredentials = async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' });

let lakeNumber = 0;
function setup(sizes: number[], options: { credentials?: Parameters<typeof fakeS3>[1] } = {}) {
  const objects = new Map<string, Buffer>();
  const files = sizes.map((size, index) => {
    const key = `t/AWSDynamoDB/01/data/file-${index}.json.gz`;
    const body = randomBytes(size);
    objects.set(key, body);
    return { key, body, file: { index, key, itemCount: 1, md5Checksum: md5(body) } };
  });
  const lake = new FakeLake(`https://lake${++lakeNumber}.example/lake`, objects);
  const s3 = fakeS3(objects, options.credentials ?? staticCredentials);
  const copy = (index: number, mode: CopyInput['mode'], extra: Partial<CopyInput> = {}) =>
    copyToLake({
      s3,
      lake: lake.container(),
      bucket: BUCKET,
      file: files[index].file,
      mode,
      serverBlockBytes: 1000,
      stager: lake.stager,
      ...extra,
    });
  const stored = (index: number) => lake.blobs.get(`${BUCKET}/${files[index].key}`);
  return { lake, files, copy, stored };
}

const sourceFailure = (status: number, code: string) =>
  restError(status, 'CannotVerifyCopySource', { copySourceStatusCode: status, copySourceErrorCode: code });

describe('copyToLake, server-side copy', () => {
  test('server: one Put Block From URL per block with a fresh presigned URL, then the list; verified, method server', async () => {
    const { lake, files, copy, stored } = setup([2500]);
    await expect(copy(0, 'server')).resolves.toEqual({
      lakePath: `${BUCKET}/${files[0].key}`,
      bytes: 2500,
      method: 'server',
    });
    expect(lake.fromUrlCalls.map((c) => [c.offset, c.count])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ]);
    expect(lake.fromUrlCalls.map((c) => c.blockId)).toEqual([0, 1, 2].map((i) => blockIdFor(1000, i)));
    for (const call of lake.fromUrlCalls) {
      expect(call.url).toContain(`/${BUCKET}/t/AWSDynamoDB/01/data/file-0.json.gz?`);
      expect(new URL(call.url).searchParams.get('X-Amz-Expires')).toBe(String(PRESIGN_SECONDS));
    }
    expect(stored(0)?.body?.equals(files[0].body)).toBe(true);
    expect(Buffer.from(stored(0)?.contentMD5 ?? []).toString('base64')).toBe(files[0].file.md5Checksum);
  });

  test('one block id scheme: the same length for both copies, other ids for other block sizes', () => {
    const server = blockIdFor(64 * 1024 * 1024, 49_999);
    const stream = blockIdFor(8 * 1024 * 1024, 0);
    expect(Buffer.from(server, 'base64').length).toBe(Buffer.from(stream, 'base64').length);
    expect(Buffer.from(blockIdFor(4000 * 1024 * 1024, 0), 'base64').length).toBe(16);
    expect(server).not.toBe(blockIdFor(8 * 1024 * 1024, 49_999));
  });

  test('a 503 from the copy is retried in place and never turns the server-side copy off', async () => {
    const { lake, copy } = setup([2500, 1500]);
    lake.fault = (call, attempt) => (call.offset === 1000 && attempt <= 2 ? restError(503, 'ServerBusy') : undefined);
    await expect(copy(0, 'auto')).resolves.toMatchObject({ method: 'server' });
    expect(lake.fromUrlCalls.filter((c) => c.offset === 1000)).toHaveLength(3);
    // Each attempt signed its own URL.
    const urls = lake.fromUrlCalls.filter((c) => c.offset === 1000).map((c) => c.url);
    expect(urls).toHaveLength(3);
    await expect(copy(1, 'auto')).resolves.toMatchObject({ method: 'server' });
    expect(lake.streamedBlocks).toBe(0);
  });

  test('auto, the source failing mid-copy: the file is streamed, correctly, over the server copy’s uncommitted blocks', async () => {
    const { lake, files, copy, stored } = setup([2500, 800]);
    lake.fault = (call) => (call.offset === 2000 ? sourceFailure(500, 'InternalError') : undefined);
    await expect(copy(0, 'auto')).resolves.toMatchObject({ method: 'stream', bytes: 2500 });
    expect(lake.fromUrlCalls.filter((c) => c.offset === 2000)).toHaveLength(SERVER_RETRY.maxAttempts);
    expect(stored(0)?.body?.equals(files[0].body)).toBe(true);
    expect(stored(0)?.uncommitted.size).toBe(0);
    // Only that file: the next one is copied server-side again.
    await expect(copy(1, 'auto')).resolves.toMatchObject({ method: 'server' });
  });

  test('server, the source failing mid-copy: retried, then RETRIES_EXHAUSTED (retryable) naming the file and the answer', async () => {
    const { lake, copy } = setup([2500]);
    lake.fault = (call) => (call.offset === 1000 ? sourceFailure(500, 'InternalError') : undefined);
    const error = await copy(0, 'server').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED', retryable: true });
    expect((error as Error).message).toMatch(
      /^\[RETRIES_EXHAUSTED\] s3:\/\/exports\/t\/AWSDynamoDB\/01\/data\/file-0\.json\.gz: the lake's server-side copy kept failing after 4 attempts per block \(HTTP 500 CannotVerifyCopySource \(S3 answered HTTP 500 InternalError\)/,
    );
    expect(lake.streamedBlocks).toBe(0);
  });

  test('"not supported" (501): auto streams this file and every later one; server fails with COPY_NOT_SUPPORTED', async () => {
    const { lake, copy } = setup([1500, 1500]);
    lake.fault = () => restError(501, 'APINotImplemented');
    await expect(copy(0, 'auto')).resolves.toMatchObject({ method: 'stream' });
    const calls = lake.fromUrlCalls.length;
    expect(calls).toBeGreaterThan(0);
    await expect(copy(1, 'auto')).resolves.toMatchObject({ method: 'stream' });
    expect(lake.fromUrlCalls).toHaveLength(calls);

    const other = setup([1500]);
    other.lake.fault = () => restError(501, 'APINotImplemented');
    await expect(other.copy(0, 'server')).rejects.toMatchObject({ code: 'COPY_NOT_SUPPORTED', retryable: false });
  });

  test('S3 refusing the lake (403 from the source): auto streams; server is SOURCE_ACCESS_DENIED', async () => {
    const { lake, copy } = setup([1500]);
    lake.fault = () => sourceFailure(403, 'AccessDenied');
    await expect(copy(0, 'auto')).resolves.toMatchObject({ method: 'stream' });
    await expect(copy(0, 'auto')).resolves.toMatchObject({ method: 'skipped' });

    const other = setup([1500]);
    other.lake.fault = () => sourceFailure(403, 'AccessDenied');
    const error = await other.copy(0, 'server').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SOURCE_ACCESS_DENIED', retryable: false });
    expect((error as Error).message).toContain('S3 answered HTTP 403 AccessDenied');
  });

  test('uncommitted blocks of another id length (left by an older copy) are cleared once, then the copy succeeds', async () => {
    const { lake, files, copy, stored } = setup([2500]);
    const path = `${BUCKET}/${files[0].key}`;
    lake.blobs.set(path, { uncommitted: new Map([[Buffer.alloc(48, 65).toString('base64'), Buffer.from('old')]]) });
    await expect(copy(0, 'server')).resolves.toMatchObject({ method: 'server' });
    expect(stored(0)?.body?.equals(files[0].body)).toBe(true);
  });
});

describe('copyToLake, credentials behind the presigned URL', () => {
  // The AWS SDK's own cache judges expiry by the real clock: the tests' clock starts from it.
  const NOW = Date.now();

  test('credentials expiring before the URL would are refreshed before presigning', async () => {
    const calls: Array<{ forceRefresh?: boolean } | undefined> = [];
    const credentials = async (options?: { forceRefresh?: boolean }) => {
      calls.push(options);
      const minutes = options?.forceRefresh ? 60 : 10;
      return {
        accessKeyId: 'AKID',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(NOW + minutes * 60_000),
      };
    };
    const { lake, copy } = setup([500], { credentials });
    await copy(0, 'server', { now: () => NOW });
    expect(calls.some((options) => options?.forceRefresh === true)).toBe(true);
    expect(new URL(lake.fromUrlCalls[0].url).searchParams.get('X-Amz-Expires')).toBe(String(PRESIGN_SECONDS));
  });

  test('role credentials from web identity federation: a new STS session is taken when the cached one is short', async () => {
    let clock = NOW;
    const sessions: string[] = [];
    const assumer: RoleAssumer = async () => {
      sessions.push(`ASIA${sessions.length + 1}`);
      return {
        accessKeyId: sessions[sessions.length - 1],
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(clock + 3600_000),
      };
    };
    const provider = webIdentityCredentials(
      'arn:aws:iam::123456789012:role/r',
      'api://AzureADTokenExchange',
      'us-east-1',
      {
        tokenSource: { getToken: async () => ({ token: 'eyJ.token', expiresOnTimestamp: clock + 3600_000 }) },
        roleAssumer: assumer,
        now: () => clock,
      },
    );
    const { lake, copy } = setup([500, 500], { credentials: provider as never });
    await copy(0, 'server', { now: () => clock });
    expect(sessions).toEqual(['ASIA1']);
    // 50 minutes on, the session has 10 minutes left: still "fresh" for the S3 client, too short for a 15-minute URL.
    clock += 50 * 60_000;
    await copy(1, 'server', { now: () => clock });
    expect(sessions).toEqual(['ASIA1', 'ASIA2']);
    const url = new URL(lake.fromUrlCalls[lake.fromUrlCalls.length - 1].url);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^ASIA2\//);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(PRESIGN_SECONDS));
  });

  test('a provider that cannot renew early: the URL ends with its credentials, not later', async () => {
    const credentials = async () => ({
      accessKeyId: 'AKID',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(NOW + 10 * 60_000),
    });
    const { lake, copy } = setup([500], { credentials });
    await copy(0, 'server', { now: () => NOW });
    expect(new URL(lake.fromUrlCalls[0].url).searchParams.get('X-Amz-Expires')).toBe(String(9 * 60));
  });
});

describe('classifyServerCopyError', () => {
  test.each([
    ['501 APINotImplemented', 'unsupported', restError(501, 'APINotImplemented')],
    ['405 UnsupportedHttpVerb', 'unsupported', restError(405, 'UnsupportedHttpVerb')],
    ['400 UnsupportedHeader', 'unsupported', restError(400, 'UnsupportedHeader')],
    ['503 ServerBusy', 'transient', restError(503, 'ServerBusy')],
    ['500 OperationTimedOut', 'transient', restError(500, 'OperationTimedOut')],
    ['500 CannotVerifyCopySource', 'transient', restError(500, 'CannotVerifyCopySource')],
    ['429 TooManyRequests', 'transient', restError(429, 'TooManyRequests')],
    ['no answer ECONNRESET', 'transient', restError(undefined, 'ECONNRESET')],
    ['403 CannotVerifyCopySource (source AccessDenied)', 'source', sourceFailure(403, 'AccessDenied')],
    ['404 CannotVerifyCopySource (source NoSuchKey)', 'source', sourceFailure(404, 'NoSuchKey')],
    ['403 AuthorizationPermissionMismatch', 'other', restError(403, 'AuthorizationPermissionMismatch')],
    ['400 InvalidBlobOrBlock', 'other', restError(400, 'InvalidBlobOrBlock')],
    ['not a RestError', 'other', new Error('not a storage error')],
  ])('%s → %s', (_label, kind, error) => {
    expect(classifyServerCopyError(error)).toBe(kind);
  });
});
