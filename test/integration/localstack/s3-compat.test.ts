/**
 * What the migration needs from S3, checked against s3rver with AWS SDK v3 and localS3ClientConfig.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3ClientConfig, s3ClientConfigFromSettings } from '../../../tools/localstack/s3-client-config';
import { useLocalStack } from '../../support/stack';

const local = useLocalStack();
const BUCKET = 'export-bucket';
const MiB = 1024 * 1024;

async function readAll(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body ?? []) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('s3rver with AWS SDK v3', () => {
  let s3: S3Client;
  const large = randomBytes(12 * MiB);

  beforeAll(async () => {
    s3 = new S3Client(localS3ClientConfig(local.endpoints.s3));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(() => s3.destroy());

  it('settings-based config is equivalent to localS3ClientConfig', async () => {
    const fromSettings = new S3Client(s3ClientConfigFromSettings(local.settings));
    await fromSettings.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'settings.txt', Body: 'ok' }));
    const got = await fromSettings.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'settings.txt' }));
    expect(await got.Body?.transformToString()).toBe('ok');
    fromSettings.destroy();
  });

  it('puts string, buffer and stream bodies byte-exact', async () => {
    const streamed = large.subarray(0, 3 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/small.json', Body: '{"x":1}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/large.bin', Body: large }));
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'data/streamed.bin',
        Body: Readable.from([streamed]),
        ContentLength: streamed.length,
      }),
    );
    const small = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data/small.json' }));
    expect(await small.Body?.transformToString()).toBe('{"x":1}');
    const big = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data/large.bin' }));
    expect((await readAll(big.Body as Readable)).equals(large)).toBe(true);
    const stream = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data/streamed.bin' }));
    expect(stream.ContentEncoding).toBeUndefined();
    expect((await readAll(stream.Body as Readable)).equals(streamed)).toBe(true);
  });

  it('assembles multipart uploads', async () => {
    const key = 'data/multipart.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const slices = [large.subarray(0, 5 * MiB), large.subarray(5 * MiB, 10 * MiB), large.subarray(10 * MiB)];
    const parts = [];
    for (const [index, slice] of slices.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: index + 1,
          Body: Readable.from([slice]),
          ContentLength: slice.length,
        }),
      );
      parts.push({ ETag: part.ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(large.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect((await readAll(got.Body as Readable)).equals(large)).toBe(true);
  });

  it('serves byte ranges and HEAD', async () => {
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'data/large.bin', Range: 'bytes=1000-1999' }),
    );
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe(`bytes 1000-1999/${large.length}`);
    expect((await readAll(ranged.Body as Readable)).equals(large.subarray(1000, 2000))).toBe(true);

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'data/large.bin' }));
    expect(head.ContentLength).toBe(large.length);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (let i = 0; i < 5; i++) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `list/part-${i}.json.gz`, Body: `${i}` }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.NextContinuationToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual([0, 1, 2, 3, 4].map((i) => `list/part-${i}.json.gz`));

    const folders = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect((folders.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(expect.arrayContaining(['data/', 'list/']));
  });

  it('serves presigned GET URLs to plain HTTP clients, including Range', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'data/large.bin' }), {
      expiresIn: 600,
    });
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(large)).toBe(true);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(large.subarray(0, 10))).toBe(true);
  });

  it('deletes objects', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'data/small.json' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data/small.json' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('documents why localS3ClientConfig exists: default checksum settings corrupt streamed uploads', async () => {
    const defaults = new S3Client({
      ...localS3ClientConfig(local.endpoints.s3),
      requestChecksumCalculation: 'WHEN_SUPPORTED',
    });
    const body = Buffer.alloc(100_000, 7);
    await defaults.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'corrupt.bin',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const stored = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'corrupt.bin' }));
    // s3rver keeps the aws-chunked framing (chunk sizes + trailing x-amz-checksum-crc32) as object data.
    expect(stored.ContentLength).toBeGreaterThan(body.length);
    defaults.destroy();
  });
});
