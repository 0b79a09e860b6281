/**
 * The server-side copy end to end on the local stack: the app copies each data file with Put Block From URL (the
 * lake-from-url layer in front of Azurite reads the presigned S3 URL), in 16 KiB blocks so every file spans several,
 * and the report says how each file reached the lake.
 */
import { createHash } from 'node:crypto';
import { createLakeContainerClient } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { blockIdFor } from '../../../src/lake/copy-to-lake';
import { rawCopyPath } from '../../../src/lake/paths';
import { DynamoItem, MappingOptions } from '../../../src/mapping';
import { buildFullExport, exportItems, ExportSpec, GeneratedExport } from '../../../tools/sample/build-export';
import { uploadExport } from '../../../tools/sample/upload-export';
import { createS3Client } from '../../../src/clients/create-clients';
import { postJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { expectContainerToHold, mappedDocuments } from '../../support/container';
import { useLocalStack } from '../../support/stack';

const BLOCK_BYTES = 16 * 1024;
const BUCKET = 'source-exports';
const DATABASE = 'servercopy';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack, { LAKE_COPY_BLOCK_BYTES: String(BLOCK_BYTES) });

function settings() {
  return readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
}

function body(generated: GeneratedExport, container: string, copyMode: string) {
  return {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: DATABASE, container },
    options: { sampleSize: 300, copyMode },
  };
}

async function migrate(generated: GeneratedExport, container: string, copyMode: string): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, body(generated, container, copyMode));
  expect(started.status).toBe(202);
  return waitForCompletion(started.body.statusQueryGetUri, 480_000);
}

/** Each data file is in the lake with the manifest's MD5 (as property and as content), committed in 16 KiB blocks of the server copy. */
async function expectServerCopies(generated: GeneratedExport): Promise<void> {
  const lake = createLakeContainerClient(settings());
  for (const file of generated.files) {
    const blob = lake.getBlockBlobClient(rawCopyPath(BUCKET, file.key));
    const properties = await blob.getProperties();
    expect(Buffer.from(properties.contentMD5 ?? []).toString('base64')).toBe(file.md5Checksum);
    const content = await blob.downloadToBuffer();
    expect(createHash('md5').update(content).digest('base64')).toBe(file.md5Checksum);
    const blocks = (await blob.getBlockList('committed')).committedBlocks ?? [];
    const expected = Math.ceil(file.body.length / BLOCK_BYTES);
    expect(blocks.map((block) => block.name)).toEqual(
      Array.from({ length: expected }, (_, i) => blockIdFor(BLOCK_BYTES, i)),
    );
  }
}

describe('copyMode server and auto on the local stack (Put Block From URL through lake-from-url)', () => {
  const specs: Record<string, ExportSpec> = {
    server: { prefix: 'exports/server-copy', itemCount: 1200, fileCount: 3, seed: 41 },
    auto: { prefix: 'exports/auto-copy', itemCount: 600, fileCount: 2, seed: 42 },
  };
  const generated: Record<string, GeneratedExport> = {};

  beforeAll(async () => {
    const s3 = createS3Client(settings());
    for (const [mode, spec] of Object.entries(specs)) {
      generated[mode] = buildFullExport(spec);
      await uploadExport(s3, BUCKET, generated[mode]);
    }
    s3.destroy();
    // Several blocks per file: the point of the test.
    expect(generated.server.files.filter((f) => f.body.length > 3 * BLOCK_BYTES)).toHaveLength(3);
  }, 120_000);

  test.each(['server', 'auto'])(
    'copyMode %s: every file copied server-side in several blocks, MD5s verified, counted as server in the report',
    async (copyMode) => {
      const files = generated[copyMode].files.length;
      const status = await migrate(generated[copyMode], `c-${copyMode}`, copyMode);
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output.files).toEqual(
        expect.objectContaining({
          total: files,
          copied: files,
          copySkipped: 0,
          loaded: files,
          failed: 0,
          copyMethods: { server: files, stream: 0, skipped: 0 },
        }),
      );
      expect(status.output.items).toEqual(
        expect.objectContaining({ expected: specs[copyMode].itemCount, written: specs[copyMode].itemCount }),
      );
      expect(status.output.validation.passed).toBe(true);
      await expectServerCopies(generated[copyMode]);
      const items = [...exportItems(specs[copyMode])].map(({ item }) => item as DynamoItem);
      await expectContainerToHold(stack, DATABASE, `c-${copyMode}`, mappedDocuments(items, mapping));
    },
    600_000,
  );

  test('run again: every file is already in the lake with its checksum, counted as skipped', async () => {
    const files = generated.server.files.length;
    const status = await migrate(generated.server, 'c-server-again', 'server');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.files.copyMethods).toEqual({ server: 0, stream: 0, skipped: files });
    expect(status.output.files.copySkipped).toBe(files);
  }, 600_000);
});
