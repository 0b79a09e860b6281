/**
 * Azurite behaviour the lake copy depends on. The copy prefers server-side Put Block From URL and falls
 * back to a streamed copy; its `auto` mode must recognise Azurite's answer (501 APINotImplemented,
 * returned before any attempt to reach the source URL). Azurite alone here: the local stack's default puts the
 * lake-from-url layer in front of it, which answers those two operations (test/unit/localstack/lake-from-url.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { BlobSASPermissions, BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3ClientConfig } from '../../../tools/localstack/s3-client-config';
import { useLocalStack } from '../../support/stack';

const local = useLocalStack({ lakeFromUrl: false });
const blockId = (n: number): string => Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64');

describe('Azurite blob service', () => {
  let container: ContainerClient;
  let presignedUrl: string;
  const data = randomBytes(256 * 1024);

  beforeAll(async () => {
    container = BlobServiceClient.fromConnectionString(local.settings.LAKE_CONNECTION).getContainerClient('lake');
    await container.create();
    const s3 = new S3Client(localS3ClientConfig(local.endpoints.s3));
    await s3.send(new CreateBucketCommand({ Bucket: 'src' }));
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'data.bin', Body: data }));
    presignedUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'src', Key: 'data.bin' }), { expiresIn: 600 });
    s3.destroy();
    // The URL itself is fine: a plain HTTP client can fetch it.
    expect((await fetch(presignedUrl)).status).toBe(200);
  });

  it('does not implement Put Block From URL (stageBlockFromURL), whatever the source', async () => {
    const blob = container.getBlockBlobClient('copy/staged.bin');
    await expect(blob.stageBlockFromURL(blockId(1), presignedUrl, 0, 1024)).rejects.toMatchObject({
      statusCode: 501,
      code: 'APINotImplemented',
    });
    await expect(blob.stageBlockFromURL(blockId(1), 'http://127.0.0.1:9/unreachable', 0, 1024)).rejects.toMatchObject({
      statusCode: 501,
      code: 'APINotImplemented',
    });
  });

  it('does not implement Put Blob From URL (syncUploadFromURL)', async () => {
    await expect(container.getBlockBlobClient('copy/sync.bin').syncUploadFromURL(presignedUrl)).rejects.toMatchObject({
      statusCode: 501,
      code: 'APINotImplemented',
    });
  });

  it('copies (beginCopyFromURL / syncCopyFromURL) only from blobs inside Azurite itself', async () => {
    await expect(
      container
        .getBlockBlobClient('copy/async.bin')
        .beginCopyFromURL(presignedUrl)
        .then((poller) => poller.pollUntilDone()),
    ).rejects.toMatchObject({ statusCode: 404, code: 'CannotVerifyCopySource' });
    await expect(
      container.getBlockBlobClient('copy/sync-copy.bin').syncCopyFromURL(presignedUrl),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'CannotVerifyCopySource',
    });

    const source = container.getBlockBlobClient('copy/source.bin');
    await source.uploadData(data);
    const sas = await source.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const target = container.getBlockBlobClient('copy/internal.bin');
    const copied = await (await target.beginCopyFromURL(sas)).pollUntilDone();
    expect(copied.copyStatus).toBe('success');
    expect((await target.downloadToBuffer()).equals(data)).toBe(true);
    expect((await container.getBlockBlobClient('copy/internal-sync.bin').syncCopyFromURL(sas)).copyStatus).toBe(
      'success',
    );
  });

  it('stores Content-MD5 and metadata and returns them from getProperties', async () => {
    const md5 = createHash('md5').update(data).digest();
    const single = container.getBlockBlobClient('meta/single.bin');
    await single.uploadData(data, {
      blobHTTPHeaders: { blobContentMD5: md5, blobContentType: 'application/octet-stream' },
      metadata: { sourceetag: 'abc', rows: '42' },
    });
    const props = await single.getProperties();
    expect(Buffer.from(props.contentMD5 ?? new Uint8Array()).equals(md5)).toBe(true);
    expect(props.metadata).toEqual({ sourceetag: 'abc', rows: '42' });
    expect(props.contentType).toBe('application/octet-stream');

    // Staged uploads: Content-MD5 only when given to commitBlockList (Azurite does not compute it then).
    const staged = container.getBlockBlobClient('meta/staged.bin');
    await staged.stageBlock(blockId(1), data.subarray(0, 1000), 1000);
    await staged.stageBlock(blockId(2), data.subarray(1000), data.length - 1000);
    await staged.commitBlockList([blockId(1), blockId(2)], {
      blobHTTPHeaders: { blobContentMD5: md5 },
      metadata: { k: 'v' },
    });
    const stagedProps = await staged.getProperties();
    expect(Buffer.from(stagedProps.contentMD5 ?? new Uint8Array()).equals(md5)).toBe(true);
    expect(stagedProps.metadata).toEqual({ k: 'v' });

    const unstated = container.getBlockBlobClient('meta/unstated.bin');
    await unstated.stageBlock(blockId(1), data, data.length);
    await unstated.commitBlockList([blockId(1)]);
    expect((await unstated.getProperties()).contentMD5).toBeUndefined();
  });

  it('computes Content-MD5 itself for single-shot uploads and rejects a block with a wrong transactional MD5', async () => {
    const blob = container.getBlockBlobClient('meta/computed.bin');
    await blob.upload(data, data.length);
    const props = await blob.getProperties();
    expect(Buffer.from(props.contentMD5 ?? new Uint8Array()).toString('hex')).toBe(
      createHash('md5').update(data).digest('hex'),
    );
    await expect(
      container
        .getBlockBlobClient('meta/bad.bin')
        .stageBlock(blockId(1), data, data.length, { transactionalContentMD5: Buffer.alloc(16) }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
