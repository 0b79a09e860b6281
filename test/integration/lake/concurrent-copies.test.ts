/**
 * Two copies of one data file into the lake at the same time, as when a run started again after a terminate copies
 * a file that the terminated run's copy is still writing: the raw copies are shared between runs (they are the S3
 * object's bytes at a path named by its key), so concurrent copies must not corrupt each other. On Azurite behind
 * the lake-from-url layer: every combination of the server-side and the streamed copy ends with the file's bytes and
 * its Content-MD5, a copy that lost the race fails as retryable (never CHECKSUM_MISMATCH), and the next copy skips.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { MigrationError } from '../../../src/errors';
import { copyToLake, CopyMode } from '../../../src/lake/copy-to-lake';
import { rawCopyPath } from '../../../src/lake/paths';
import { ensureBucket } from '../../../tools/sample/upload-export';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const BUCKET = 'concurrent-copies';
/** Small server-side blocks, so a server copy is many requests long and the two copies interleave. */
const SERVER_BLOCK_BYTES = 16 * 1024;
const ROUNDS = 4;

function clients() {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return { s3: createS3Client(settings), lake: createLakeContainerClient(settings) };
}

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');

describe('concurrent copies of one data file into the lake', () => {
  // Not gzip, and not read as such: the copy moves bytes and checks their MD5.
  const body = randomBytes(40 * SERVER_BLOCK_BYTES + 123);
  const file = {
    index: 0,
    key: 'exports/concurrent/AWSDynamoDB/0/data/file.json.gz',
    itemCount: 1,
    md5Checksum: md5(body),
  };

  beforeAll(async () => {
    const { s3, lake } = clients();
    await ensureBucket(s3, BUCKET);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: body }));
    await lake.createIfNotExists();
  }, 60_000);

  const pairs: [CopyMode, CopyMode][] = [
    ['stream', 'stream'],
    ['server', 'stream'],
    ['server', 'server'],
  ];

  test.each(pairs)(
    '%s and %s at once: the blob ends as the file, marked verified; a loser fails retryably',
    async (a, b) => {
      const { s3, lake } = clients();
      const blob = lake.getBlockBlobClient(rawCopyPath(BUCKET, file.key));
      const copy = (mode: CopyMode) =>
        copyToLake({ s3, lake, bucket: BUCKET, file, mode, serverBlockBytes: SERVER_BLOCK_BYTES });
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await blob.deleteIfExists();
        const settled = await Promise.allSettled([copy(a), copy(b)]);
        for (const result of settled) {
          if (result.status === 'fulfilled') {
            outcomes.push(result.value.method);
            continue;
          }
          const error = result.reason as Error;
          outcomes.push(`failed: ${error.message.split('\n')[0].slice(0, 120)}`);
          // Whatever lost the race is retried by Durable; it is never taken for a bad file.
          expect(error instanceof MigrationError ? error.code : 'retryable').not.toBe('CHECKSUM_MISMATCH');
          expect(error instanceof MigrationError ? error.retryable : true).toBe(true);
        }
        // The retry (or a later run) finds the verified copy.
        const again = await copy(a);
        expect(['skipped', a]).toContain(again.method);
        const properties = await blob.getProperties();
        expect(Buffer.from(properties.contentMD5 ?? []).toString('base64')).toBe(file.md5Checksum);
        expect(md5(await blob.downloadToBuffer())).toBe(file.md5Checksum);
        expect((await copy(b)).method).toBe('skipped');
      }
      // What each round came to, for the log: both copies succeed, or one fails and is retried.
      process.stdout.write(`concurrent copies ${a}+${b}: ${outcomes.join(' | ')}\n`);
    },
    180_000,
  );
});
