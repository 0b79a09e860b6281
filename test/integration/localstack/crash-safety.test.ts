/**
 * Emulators run as separate processes so that killing whoever started them (a Functions host, a test
 * process) neither stops them nor loses their data, and the Cosmos server snapshots on a timer so even
 * a SIGKILL of the emulator itself loses at most the last second of writes.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnNodeChild } from '../../../tools/localstack/child-process';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { checkHealth } from '../../../tools/localstack/health';
import { delay } from '../../../tools/localstack/net';
import { localS3ClientConfig } from '../../../tools/localstack/s3-client-config';
import { endpointsFor, settingsFor } from '../../../tools/localstack/settings';
import { ensureLocalStack } from '../../../tools/localstack/stack';
import type { LocalStack, LocalStackPorts } from '../../../tools/localstack/types';
import { freeTestPorts, makeStateDir } from '../../support/stack';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

describe('crash safety', () => {
  let stateDir: string;
  let ports: LocalStackPorts;
  let orphanPids: number[] = [];
  let restarted: LocalStack | undefined;

  beforeAll(async () => {
    stateDir = makeStateDir();
    // OS-assigned rather than the preferred test ports: the stack is started by another process,
    // where startTestStack's retry cannot help.
    ports = await freeTestPorts();
  });

  afterAll(async () => {
    await restarted?.stop();
    for (const pid of orphanPids.filter(alive)) process.kill(pid, 'SIGTERM');
    await waitFor(() => !orphanPids.some(alive), 30_000, 'orphaned emulators to exit');
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(`${stateDir}.pids.json`, { force: true });
    rmSync(`${stateDir}.holder.log`, { force: true });
  });

  it('keeps emulators and data alive when the owning process is SIGKILLed', async () => {
    const pidFile = `${stateDir}.pids.json`;
    const holder = spawnNodeChild({
      script: join(__dirname, 'fixtures', 'hold-stack.ts'),
      args: [stateDir, JSON.stringify(ports), pidFile],
      logFile: `${stateDir}.holder.log`,
    });
    let holderExited = false;
    void holder.exited.then(() => (holderExited = true));
    await waitFor(() => existsSync(pidFile) || holderExited, 120_000, 'the holder to start its stack');
    expect(holderExited).toBe(false);
    orphanPids = JSON.parse(readFileSync(pidFile, 'utf8')) as number[];

    const settings = settingsFor(endpointsFor(ports));
    const lake = BlobServiceClient.fromConnectionString(settings.LAKE_CONNECTION).getContainerClient('lake');
    await lake.create();
    await lake.getBlockBlobClient('before-crash.txt').upload('blob', 4);
    const s3 = new S3Client(localS3ClientConfig(settings.S3_ENDPOINT));
    await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: 'before-crash.txt', Body: 'object' }));
    const cosmos = new CosmosClient(cosmosClientOptions(settings));
    const { database } = await cosmos.databases.create({ id: 'crash' });
    const { container } = await database.containers.create({ id: 'docs', partitionKey: { paths: ['/pk'] } });
    await container.items.create({ id: 'before-crash', pk: 'p' });

    process.kill(holder.pid as number, 'SIGKILL');
    await holder.exited;

    expect(orphanPids.every(alive)).toBe(true);
    expect((await checkHealth(settings)).filter((h) => !h.ok)).toEqual([]);
    expect((await lake.getBlockBlobClient('before-crash.txt').downloadToBuffer()).toString()).toBe('blob');
    const object = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: 'before-crash.txt' }));
    expect(await object.Body?.transformToString()).toBe('object');
    expect((await container.item('before-crash', 'p').read()).statusCode).toBe(200);
    s3.destroy();
    cosmos.dispose();
  });

  it('loses no Cosmos DB write older than the snapshot interval when the Cosmos server itself is SIGKILLed', async () => {
    const settings = settingsFor(endpointsFor(ports));
    const cosmos = new CosmosClient(cosmosClientOptions(settings));
    await cosmos.database('crash').container('docs').items.create({ id: 'after-crash-of-owner', pk: 'p' });
    cosmos.dispose();
    await delay(2500);

    const cosmosPid = orphanPids[2];
    process.kill(cosmosPid, 'SIGKILL');
    await waitFor(() => !alive(cosmosPid), 10_000, 'the Cosmos server to die');

    // Azurite and s3rver are still up from the killed owner: ensureLocalStack reuses them and restarts Cosmos only.
    restarted = await ensureLocalStack({ stateDir, ports });
    expect(restarted.emulators.map((e) => [e.name, e.startedHere])).toEqual([
      ['azurite', false],
      ['s3rver', false],
      ['cosmos', true],
    ]);
    const again = new CosmosClient(cosmosClientOptions(restarted.settings));
    const { resources } = await again.database('crash').container('docs').items.readAll().fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(['after-crash-of-owner', 'before-crash']);
    again.dispose();
  });
});
