import { CosmosClient, OperationInput } from '@azure/cosmos';
import { cosmosClientOptions, createCosmosClient } from '../../src/clients/create-clients';
import { guardRoutingMapCache } from '../../src/clients/routing-map-cache';
import { BulkWriter } from '../../src/cosmos/bulk-writer';
import { readSettings } from '../../src/config/settings';
import { useLocalStack } from '../support/stack';
import { cosmosThrottle } from './support/answers';
import { cosmosServerCertificate, FaultProxy, NO_FAULTS, startFaultProxy } from './support/fault-proxy';
import { DATABASE, directClients } from './support/migration';

// One 429 on the partition key range read of a container, as Azure answers a metadata request in a throttled second.
// @azure/cosmos caches the failed lookup for good unless src/clients/routing-map-cache.ts drops it.
const stack = useLocalStack({ quiet: true });
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(stack.endpoints.cosmos, { tls: cosmosServerCertificate() });
});
afterAll(async () => proxy?.stop());
// An unhandled rejection ends the Functions worker in Azure (docs/azure-fidelity.md): none may come out of the SDK.
const unhandled: string[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(String((reason as Error)?.message ?? reason));
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => {
  proxy.plan = NO_FAULTS;
  proxy.counts.requests = 0;
  for (const key of Object.keys(proxy.counts.faults)) delete proxy.counts.faults[key];
  unhandled.length = 0;
});

/** A writes client as the app builds it (no SDK 429 retries), through the proxy. */
function writesClientThroughProxy(): CosmosClient {
  const settings = readSettings({ ...(stack.settings as unknown as NodeJS.ProcessEnv), COSMOS_ENDPOINT: proxy.url });
  return createCosmosClient(settings, { maxRetryAttemptCount: 0 });
}

async function containerNamed(name: string): Promise<void> {
  const { database } = await directClients(stack).cosmos.databases.createIfNotExists({ id: DATABASE });
  await database.containers.createIfNotExists({ id: name, partitionKey: { paths: ['/pk'] } });
}

const upserts = (from: number, count: number): OperationInput[] =>
  Array.from({ length: count }, (_, i) => ({
    operationType: 'Upsert',
    partitionKey: `p${(from + i) % 7}`,
    resourceBody: { id: `d${from + i}`, pk: `p${(from + i) % 7}` },
  }));

/** 429s the next `count` partition key range reads. */
function throttlePkRangeReads(count: number): void {
  let left = count;
  proxy.plan = (request) => (request.url.endsWith('/pkranges') && left-- > 0 ? cosmosThrottle(10) : undefined);
}

/**
 * Each operation's status. An operation the SDK failed before sending comes back as the error itself (a rejected
 * promise's reason), not as `{ error }`.
 */
const statuses = (results: unknown[]): number[] =>
  results.map((result) => {
    const { response, error, code } = result as {
      response?: { statusCode: number };
      error?: { code?: number };
      code?: number;
    };
    return response?.statusCode ?? error?.code ?? code ?? 0;
  });

test('throttled partition key range reads are retried inside the lookup: the bulk call succeeds', async () => {
  await containerNamed('routing-throttled');
  const container = writesClientThroughProxy().database(DATABASE).container('routing-throttled');
  throttlePkRangeReads(3);
  const statusesOfCall = statuses(await container.items.executeBulkOperations(upserts(0, 60)));
  expect(proxy.counts.faults['status-429']).toBe(3);
  expect(statusesOfCall).toEqual(Array(60).fill(201));
  expect(unhandled).toEqual([]);
});

test('a lookup that fails past its retries fails one bulk call; the next call looks the map up again', async () => {
  await containerNamed('routing-exhausted');
  const settings = readSettings({ ...(stack.settings as unknown as NodeJS.ProcessEnv), COSMOS_ENDPOINT: proxy.url });
  const client = new CosmosClient(cosmosClientOptions(settings, { maxRetryAttemptCount: 0 }));
  expect(guardRoutingMapCache(client, { initialMs: 1, maxMs: 5, maxAttempts: 3 })).toBe(true);
  const container = client.database(DATABASE).container('routing-exhausted');
  throttlePkRangeReads(3);
  const first = statuses(await container.items.executeBulkOperations(upserts(0, 20)));
  expect(first).toEqual(Array(20).fill(500));
  const second = statuses(await container.items.executeBulkOperations(upserts(0, 20)));
  expect(second).toEqual(Array(20).fill(201));
});

test('the bulk writer reads the container definition first, retried: a throttled read fails no call', async () => {
  await containerNamed('definition-throttled');
  const container = writesClientThroughProxy().database(DATABASE).container('definition-throttled');
  let left = 2;
  proxy.plan = (request) =>
    request.method === 'GET' && request.url.split('?')[0].endsWith('/colls/definition-throttled') && left-- > 0
      ? cosmosThrottle(10)
      : undefined;
  const written = new Set<number>();
  const writer = new BulkWriter<number>(container, {
    pointWriteLimit: 0,
    onWritten: (i) => written.add(i),
    onRejected: (i, reason) => {
      throw new Error(`${i}: ${reason}`);
    },
  });
  for (let i = 0; i < 200; i++) await writer.write(upserts(i, 1)[0], i);
  await writer.flush();
  expect(proxy.counts.faults['status-429']).toBeGreaterThanOrEqual(2);
  expect(written.size).toBe(200);
  expect(writer.retries).toBe(0);
  expect(unhandled).toEqual([]);
});

test('without the guard the SDK keeps failing every call after that one 429', async () => {
  await containerNamed('routing-unguarded');
  const settings = readSettings({ ...(stack.settings as unknown as NodeJS.ProcessEnv), COSMOS_ENDPOINT: proxy.url });
  const bare = new CosmosClient(cosmosClientOptions(settings, { maxRetryAttemptCount: 0 }));
  const container = bare.database(DATABASE).container('routing-unguarded');
  throttlePkRangeReads(1);
  await container.items.executeBulkOperations(upserts(0, 10));
  for (let call = 0; call < 3; call++) {
    const again = statuses(await container.items.executeBulkOperations(upserts(0, 10)));
    expect(again.every((status) => status === 500)).toBe(true);
  }
});
