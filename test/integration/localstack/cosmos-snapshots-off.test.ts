/**
 * `--snapshots off` (LOCALSTACK_COSMOS_SNAPSHOTS=off) keeps the local Cosmos server's account in memory only: the
 * bench's million-document runs would otherwise stop the server for seconds at every whole-account snapshot. Nothing
 * is written, and nothing is restored on the next start, while the strict layer still checks and charges. The
 * default (snapshots on, persistence across restarts) is crash-safety.test.ts's.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { spawnNodeChild, type NodeChild } from '../../../tools/localstack/child-process';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { delay, findFreePort } from '../../../tools/localstack/net';
import { endpointsFor, settingsFor } from '../../../tools/localstack/settings';

const SERVER = join(__dirname, '../../../tools/localstack/cosmos-server.ts');

async function startServer(stateDir: string, port: number): Promise<NodeChild> {
  const child = spawnNodeChild({
    script: SERVER,
    args: ['--port', String(port), '--state-dir', join(stateDir, 'cosmos'), '--snapshots', 'off'],
    logFile: join(stateDir, 'cosmos.log'),
  });
  const deadline = Date.now() + 60_000;
  while (!/cosmosdb-server listening on/.test(child.output())) {
    if (Date.now() > deadline) throw new Error(`the server did not start: ${child.output()}`);
    await delay(100);
  }
  return child;
}

describe('Cosmos server with snapshots off', () => {
  let stateDir: string;
  let child: NodeChild | undefined;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'cosmos-snapshots-off-'));
  });

  afterAll(async () => {
    await child?.stop(5000);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('writes no snapshot, restores nothing, and the strict layer still charges and checks', async () => {
    const port = await findFreePort();
    child = await startServer(stateDir, port);
    const ports = { blob: 0, queue: 0, table: 0, s3: 0, cosmos: port };
    const client = new CosmosClient(cosmosClientOptions(settingsFor(endpointsFor(ports), 'lake')));
    const { database } = await client.databases.createIfNotExists({ id: 'memory' });
    const { container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: '/pk' });
    const created = await container.items.create({ id: 'a', pk: 'p' });
    expect(created.requestCharge).toBeGreaterThan(1);
    // A document whose partition key disagrees with the header: refused by the strict layer.
    await expect(container.item('b', 'other').replace({ id: 'b', pk: 'p' })).rejects.toMatchObject({ code: 400 });
    // Past the snapshot interval (1 s) with a change pending: nothing on disk.
    await delay(2500);
    expect(child.output()).toContain('snapshots off');
    await child.stop(5000);
    expect(readdirSync(join(stateDir, 'cosmos')).filter((f) => f.startsWith('account.ndjson'))).toEqual([]);

    child = await startServer(stateDir, port);
    const again = new CosmosClient(cosmosClientOptions(settingsFor(endpointsFor(ports), 'lake')));
    const databases = await again.databases.readAll().fetchAll();
    expect(databases.resources).toEqual([]);
    expect(existsSync(join(stateDir, 'cosmos', 'account.ndjson'))).toBe(false);
    client.dispose();
    again.dispose();
  }, 120_000);
});
