import { rmSync } from 'node:fs';
import { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checkHealth } from '../../../tools/localstack/health';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { isListening } from '../../../tools/localstack/net';
import { resetLocalState } from '../../../tools/localstack/reset';
import { localS3ClientConfig } from '../../../tools/localstack/s3-client-config';
import type { LocalStack, LocalStackPorts } from '../../../tools/localstack/types';
import { makeStateDir, startTestStack } from '../../support/stack';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectNothingRunning(stack: LocalStack): Promise<void> {
  const ports = Object.values(stack.ports);
  expect(await Promise.all(ports.map((port) => isListening(port)))).toEqual(ports.map(() => false));
  for (const emulator of stack.emulators) {
    expect(emulator.pid).toBeDefined();
    expect(processAlive(emulator.pid as number)).toBe(false);
  }
}

describe('local stack lifecycle', () => {
  let stateDir: string;
  let ports: LocalStackPorts;
  let stack: LocalStack | undefined;

  beforeAll(() => {
    stateDir = makeStateDir();
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts every emulator as a child process and reports them healthy', async () => {
    stack = await startTestStack(stateDir);
    ports = stack.ports;
    expect(stack.emulators.map((e) => [e.name, e.startedHere])).toEqual([
      ['azurite', true],
      ['s3rver', true],
      ['cosmos', true],
    ]);
    for (const emulator of stack.emulators) {
      expect(emulator.pid).not.toBe(process.pid);
      expect(emulator.logFile).toContain(`${stateDir}/logs/`);
    }
    const health = await checkHealth(stack.settings);
    expect(health.map((h) => h.name)).toEqual(['blob', 'queue', 'table', 's3', 'cosmos']);
    expect(health.filter((h) => !h.ok)).toEqual([]);
  });

  it('keeps blob, S3 and Cosmos DB data across stop and start', async () => {
    const first = stack as LocalStack;
    const blobs = BlobServiceClient.fromConnectionString(first.settings.LAKE_CONNECTION);
    const container = blobs.getContainerClient(first.settings.LAKE_CONTAINER);
    await container.create();
    await container.getBlockBlobClient('raw/part-0.json').upload('{"a":1}', 7, { metadata: { rows: '1' } });

    const s3 = new S3Client(localS3ClientConfig(first.endpoints.s3));
    await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
    await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'AWSDynamoDB/manifest.json', Body: 'manifest' }));

    const cosmos = new CosmosClient(cosmosClientOptions(first.settings));
    const { database } = await cosmos.databases.create({ id: 'migration' });
    const { container: items } = await database.containers.create({ id: 'items', partitionKey: { paths: ['/pk'] } });
    const { resource: written } = await items.items.create({ id: 'doc-1', pk: 'p', value: 42 });
    cosmos.dispose();

    await first.stop();
    await expectNothingRunning(first);

    // Same ports as before unless a concurrent test run took them in the meantime.
    stack = await startTestStack(stateDir, { ports });
    ports = stack.ports;
    const second = stack;
    const blob = await BlobServiceClient.fromConnectionString(second.settings.LAKE_CONNECTION)
      .getContainerClient(second.settings.LAKE_CONTAINER)
      .getBlockBlobClient('raw/part-0.json')
      .downloadToBuffer();
    expect(blob.toString()).toBe('{"a":1}');

    const object = await new S3Client(localS3ClientConfig(second.endpoints.s3)).send(
      new GetObjectCommand({ Bucket: 'exports', Key: 'AWSDynamoDB/manifest.json' }),
    );
    expect(await object.Body?.transformToString()).toBe('manifest');

    const cosmosAgain = new CosmosClient(cosmosClientOptions(second.settings));
    const restoredItems = cosmosAgain.database('migration').container('items');
    const { resource: definition } = await restoredItems.read();
    expect(definition?.partitionKey?.paths).toEqual(['/pk']);
    const { resource: restored } = await restoredItems.item('doc-1', 'p').read();
    expect(restored).toMatchObject({ id: 'doc-1', pk: 'p', value: 42, _etag: written?._etag, _rid: written?._rid });
    // The rid counter survives too: a new document must not reuse doc-1's _rid.
    const { resource: next } = await restoredItems.items.create({ id: 'doc-2', pk: 'p' });
    expect(next?._rid).not.toBe(written?._rid);
    expect((await restoredItems.items.readAll().fetchAll()).resources.map((d) => d.id).sort()).toEqual([
      'doc-1',
      'doc-2',
    ]);
    cosmosAgain.dispose();
  });

  it('refuses to reset while emulators run, and resets once stopped', async () => {
    await expect(resetLocalState({ stateDir, ports })).rejects.toThrow(
      /Refusing to delete .*emulators are still running/,
    );
    const running = stack as LocalStack;
    await running.stop();
    stack = undefined;
    await expectNothingRunning(running);
    await expect(resetLocalState({ stateDir, ports })).resolves.toEqual({ stateDir, removed: true });
  });
});
