/**
 * Just enough of a lake container (block blobs with ETags and conditional uploads, listing by hierarchy) and of
 * an S3 client (ListObjectsV2, GetObject, or one error for everything) for the table store and sync steps.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { ContainerClient, RestError } from '@azure/storage-blob';

export class MemoryLake {
  readonly blobs = new Map<string, { body: string; etag: string }>();
  readonly requests: string[] = [];
  private version = 0;

  put(path: string, body: string): void {
    this.blobs.set(path, { body, etag: `"${++this.version}"` });
  }

  json<T>(path: string): T | undefined {
    const blob = this.blobs.get(path);
    return blob ? (JSON.parse(blob.body) as T) : undefined;
  }

  async createIfNotExists(): Promise<object> {
    return {};
  }

  getBlockBlobClient(path: string) {
    return {
      download: async () => {
        this.requests.push(`download ${path}`);
        const blob = this.blobs.get(path);
        if (!blob) throw new RestError('BlobNotFound', { statusCode: 404 });
        return { etag: blob.etag, readableStreamBody: Readable.from([Buffer.from(blob.body)]) };
      },
      upload: async (
        body: string,
        _length: number,
        options: { conditions?: { ifMatch?: string; ifNoneMatch?: string } },
      ) => {
        this.requests.push(`upload ${path}`);
        const current = this.blobs.get(path);
        const { ifMatch, ifNoneMatch } = options.conditions ?? {};
        if ((ifNoneMatch === '*' && current) || (ifMatch !== undefined && current?.etag !== ifMatch)) {
          throw new RestError('ConditionNotMet', { statusCode: 412 });
        }
        this.put(path, body);
        return { etag: this.blobs.get(path)?.etag };
      },
      deleteIfExists: async () => {
        this.requests.push(`delete ${path}`);
        return { succeeded: this.blobs.delete(path) };
      },
    };
  }

  async *listBlobsByHierarchy(delimiter: string, options: { prefix: string }) {
    const seen = new Set<string>();
    for (const name of [...this.blobs.keys()].sort()) {
      if (!name.startsWith(options.prefix)) continue;
      const rest = name.slice(options.prefix.length);
      const cut = rest.indexOf(delimiter);
      if (cut < 0) yield { kind: 'blob' as const, name };
      else {
        const prefix = options.prefix + rest.slice(0, cut + 1);
        if (!seen.has(prefix)) yield { kind: 'prefix' as const, name: prefix };
        seen.add(prefix);
      }
    }
  }

  asContainer(): ContainerClient {
    return this as unknown as ContainerClient;
  }
}

/** S3 holding `objects` (`bucket/key` → text), or answering every request with `failure`. */
export function memoryS3(objects: Record<string, string>, failure?: () => Error): S3Client {
  const send = async (command: unknown): Promise<unknown> => {
    if (failure) throw failure();
    if (command instanceof ListObjectsV2Command) {
      const { Bucket, Prefix = '', Delimiter = '/' } = command.input;
      const prefixes = new Set<string>();
      for (const path of Object.keys(objects)) {
        if (!path.startsWith(`${Bucket}/${Prefix}`)) continue;
        const rest = path.slice(`${Bucket}/${Prefix}`.length);
        const cut = rest.indexOf(Delimiter);
        if (cut >= 0) prefixes.add(Prefix + rest.slice(0, cut + 1));
      }
      return { CommonPrefixes: [...prefixes].map((Prefix) => ({ Prefix })), IsTruncated: false };
    }
    if (command instanceof GetObjectCommand) {
      const text = objects[`${command.input.Bucket}/${command.input.Key}`];
      if (text === undefined) throw new NoSuchKey({ message: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      return { Body: { transformToString: async () => text } };
    }
    throw new Error(`unexpected command ${String(command)}`);
  };
  return { send } as unknown as S3Client;
}
