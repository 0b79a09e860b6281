/**
 * In-memory stand-ins for the clients the activities use, shaped just enough for the code paths under test:
 * a lake container (block blobs with ETags, conditional uploads, Content-MD5), an S3 client answering
 * GetObject / HeadObject / ListObjectsV2 from a map of objects, and a Cosmos client whose calls are recorded.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import type { CosmosClient } from '@azure/cosmos';
import { ContainerClient, RestError } from '@azure/storage-blob';
import type { Dependencies, DependencySource } from '../../../activities/dependencies';
import type { Settings } from '../../../src/config/settings';

export function md5(body: string | Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

const notFound = (path: string) => new RestError(`${path}: BlobNotFound`, { statusCode: 404 });

interface StoredBlob {
  body: Buffer;
  etag: string;
  contentMD5?: Uint8Array;
  contentType?: string;
}

/** A lake container in memory. `requests` lists every blob operation as `op path`. */
export class FakeLake {
  readonly url = 'https://lake.example/lake';
  readonly blobs = new Map<string, StoredBlob>();
  readonly requests: string[] = [];
  containerCreated = 0;
  private version = 0;

  put(path: string, body: string | Buffer, options: { contentMD5?: string } = {}): void {
    this.blobs.set(path, {
      body: Buffer.from(body),
      etag: `"${++this.version}"`,
      contentMD5: options.contentMD5 ? new Uint8Array(Buffer.from(options.contentMD5, 'base64')) : undefined,
    });
  }

  text(path: string): string | undefined {
    return this.blobs.get(path)?.body.toString('utf8');
  }

  async createIfNotExists() {
    this.containerCreated++;
    return { succeeded: this.containerCreated === 1 };
  }

  getBlockBlobClient(path: string) {
    const stored = (op: string): StoredBlob => {
      this.requests.push(`${op} ${path}`);
      const blob = this.blobs.get(path);
      if (!blob) throw notFound(path);
      return blob;
    };
    return {
      getProperties: async () => {
        const blob = stored('getProperties');
        return { etag: blob.etag, contentMD5: blob.contentMD5, contentLength: blob.body.length };
      },
      download: async () => {
        const blob = stored('download');
        return { etag: blob.etag, readableStreamBody: Readable.from([blob.body]) };
      },
      downloadToBuffer: async () => {
        return stored('downloadToBuffer').body;
      },
      upload: async (
        body: string,
        _length: number,
        options: {
          conditions?: { ifMatch?: string; ifNoneMatch?: string };
          blobHTTPHeaders?: { blobContentType?: string };
        } = {},
      ) => {
        this.requests.push(`upload ${path}`);
        const current = this.blobs.get(path);
        const { ifMatch, ifNoneMatch } = options.conditions ?? {};
        if (ifNoneMatch === '*' && current) throw new RestError('BlobAlreadyExists', { statusCode: 409 });
        if (ifMatch !== undefined && current?.etag !== ifMatch)
          throw new RestError('ConditionNotMet', { statusCode: 412 });
        this.put(path, body);
        const blob = this.blobs.get(path)!;
        blob.contentType = options.blobHTTPHeaders?.blobContentType;
        return { etag: blob.etag };
      },
      uploadStream: async (
        stream: Readable,
        _blockSize: number,
        _buffers: number,
        options: { blobHTTPHeaders?: object },
      ) => {
        this.requests.push(`uploadStream ${path}`);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
        this.put(path, Buffer.concat(chunks));
        void options;
        return { etag: this.blobs.get(path)!.etag };
      },
      setHTTPHeaders: async (headers: { blobContentType?: string; blobContentMD5?: Uint8Array }) => {
        const blob = stored('setHTTPHeaders');
        blob.contentType = headers.blobContentType;
        blob.contentMD5 = headers.blobContentMD5;
        return {};
      },
      deleteIfExists: async () => {
        this.requests.push(`deleteIfExists ${path}`);
        return { succeeded: this.blobs.delete(path) };
      },
    };
  }

  getAppendBlobClient(path: string) {
    return {
      create: async () => {
        this.requests.push(`create ${path}`);
        this.put(path, '');
        return {};
      },
      createIfNotExists: async () => {
        this.requests.push(`createIfNotExists ${path}`);
        const exists = this.blobs.has(path);
        if (!exists) this.put(path, '');
        return { succeeded: !exists };
      },
      appendBlock: async (body: string | Buffer, _length: number) => {
        this.requests.push(`appendBlock ${path}`);
        const blob = this.blobs.get(path);
        if (!blob) throw notFound(path);
        blob.body = Buffer.concat([blob.body, Buffer.from(body)]);
        return {};
      },
      getProperties: async () => {
        this.requests.push(`getProperties ${path}`);
        const blob = this.blobs.get(path);
        if (!blob) throw notFound(path);
        return { etag: blob.etag, contentLength: blob.body.length };
      },
      downloadToBuffer: async (offset = 0, count?: number) => {
        const blob = this.blobs.get(path);
        if (!blob) throw notFound(path);
        return blob.body.subarray(offset, count === undefined ? undefined : offset + count);
      },
    };
  }

  asClient(): ContainerClient {
    return this as unknown as ContainerClient;
  }
}

/** An S3 bucket (or several) in memory; `requests` lists every command as `Command bucket/key`. */
export class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  readonly requests: string[] = [];

  put(bucket: string, key: string, body: string | Buffer): void {
    this.objects.set(`${bucket}/${key}`, Buffer.from(body));
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetObjectCommand) {
      const { Bucket, Key } = command.input;
      this.requests.push(`GetObject ${Bucket}/${Key}`);
      const body = this.objects.get(`${Bucket}/${Key}`);
      if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
      const stream = Readable.from([body]) as Readable & { transformToString(): Promise<string> };
      stream.transformToString = async () => body.toString('utf8');
      return { Body: stream, ContentLength: body.length };
    }
    if (command instanceof HeadObjectCommand) {
      const { Bucket, Key } = command.input;
      this.requests.push(`HeadObject ${Bucket}/${Key}`);
      const body = this.objects.get(`${Bucket}/${Key}`);
      if (!body) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
      return { ContentLength: body.length };
    }
    if (command instanceof ListObjectsV2Command) {
      const { Bucket, Prefix = '', Delimiter } = command.input;
      this.requests.push(`ListObjectsV2 ${Bucket}/${Prefix}`);
      const keys = [...this.objects.keys()]
        .filter((k) => k.startsWith(`${Bucket}/${Prefix}`))
        .map((k) => k.slice(`${Bucket}/`.length));
      const prefixes = new Set<string>();
      const contents: { Key: string }[] = [];
      for (const key of keys) {
        const rest = key.slice(Prefix.length);
        const cut = Delimiter ? rest.indexOf(Delimiter) : -1;
        if (cut >= 0) prefixes.add(Prefix + rest.slice(0, cut + 1));
        else contents.push({ Key: key });
      }
      return {
        Contents: contents,
        CommonPrefixes: [...prefixes].sort().map((p) => ({ Prefix: p })),
        IsTruncated: false,
      };
    }
    throw new Error(`FakeS3 does not answer ${(command as object).constructor.name}`);
  }

  asClient(): S3Client {
    return this as unknown as S3Client;
  }
}

export const settings: Settings = {
  lakeContainer: 'lake',
  cosmosEndpoint: 'https://cosmos.example',
  cosmosAllowSelfSigned: false,
  s3ForcePathStyle: false,
  awsRegion: 'eu-west-1',
  allowedSources: [],
  loadTimeBudgetSeconds: 540,
};

/** A dependency source over fakes; `cosmos` defaults to one that fails every call (paths that must not use it). */
export function dependencies(
  parts: { lake?: FakeLake; s3?: FakeS3; cosmos?: unknown; settings?: Partial<Settings> } = {},
): DependencySource {
  const deps: Dependencies = {
    settings: { ...settings, ...parts.settings },
    clients: {
      lake: (parts.lake ?? new FakeLake()).asClient(),
      s3: (parts.s3 ?? new FakeS3()).asClient(),
      cosmos: (parts.cosmos ??
        new Proxy(
          {},
          {
            get: (_t, name) => {
              throw new Error(`this test does not expect Cosmos DB to be used (cosmos.${String(name)})`);
            },
          },
        )) as CosmosClient,
    },
  };
  return () => deps;
}
