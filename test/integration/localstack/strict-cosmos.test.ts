/**
 * The strict Cosmos DB layer (tools/localstack/strict-cosmos/) as a plain @azure/cosmos 4.9 client sees it on the
 * local stack: the documented rules, charges, throttling and the Entra-ID-only mode. docs/azure-fidelity.md names
 * the source of each expectation.
 */
import https from 'node:https';
import {
  BulkOperationType,
  CosmosClient,
  type Container,
  type Database,
  type ErrorResponse,
  type OperationInput,
} from '@azure/cosmos';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { controlPlaneCosmosClient, strictCosmos, useLocalStack } from '../../support/stack';

// Azure's own default for a container created without throughput: 400 RU/s.
const local = useLocalStack({ cosmos: { defaultThroughput: 400 } });
const layer = strictCosmos(local);

/** An item of about `bytes` bytes of JSON with three properties: id, pk, payload. */
function itemOf(id: string, pk: string, bytes: number): { id: string; pk: string; payload: string } {
  const empty = JSON.stringify({ id, pk, payload: '' }).length;
  return { id, pk, payload: 'x'.repeat(bytes - empty) };
}

/** A client that gives up on the first 429, so throttling can be counted. */
function impatientClient(): CosmosClient {
  const options = cosmosClientOptions(local.settings);
  return new CosmosClient({
    ...options,
    connectionPolicy: {
      ...options.connectionPolicy,
      retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 0 },
    },
  });
}

/** A create sent as the REST API allows, with any partition key header: the SDK always derives it from the body. */
function restCreate(
  path: string,
  body: unknown,
  partitionKey: unknown[],
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = https.request(
      new URL(path, local.endpoints.cosmos),
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          'x-ms-version': '2020-07-15',
          'x-ms-date': new Date().toUTCString(),
          authorization: 'type%3Dmaster%26ver%3D1.0%26sig%3Dlocal',
          'x-ms-documentdb-partitionkey': JSON.stringify(partitionKey),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      },
    );
    request.once('error', reject);
    request.end(payload);
  });
}

async function failure(promise: Promise<unknown>): Promise<ErrorResponse> {
  try {
    await promise;
  } catch (error) {
    return error as ErrorResponse;
  }
  throw new Error('expected the request to fail');
}

describe('strict Cosmos DB layer', () => {
  let client: CosmosClient;
  let database: Database;
  let items: Container;

  beforeAll(async () => {
    client = new CosmosClient(cosmosClientOptions(local.settings));
    ({ database } = await client.databases.createIfNotExists({ id: 'strict' }));
    // Enough throughput that only the throttling tests are throttled.
    ({ container: items } = await database.containers.createIfNotExists({
      id: 'items',
      partitionKey: { paths: ['/pk'], version: 2 },
      throughput: 10_000,
    }));
  });

  afterAll(() => client.dispose());

  describe('partition keys', () => {
    test('a bulk operation whose partition key disagrees with its document gets 400/1001; the others are written', async () => {
      const results = await items.items.executeBulkOperations([
        { operationType: BulkOperationType.Upsert, partitionKey: 'p', resourceBody: { id: 'agrees', pk: 'p' } },
        {
          operationType: BulkOperationType.Upsert,
          partitionKey: 'raw-value',
          resourceBody: { id: 'disagrees', pk: 'p' },
        },
        { operationType: BulkOperationType.Create, partitionKey: 'p', resourceBody: { id: 'also-agrees', pk: 'p' } },
      ]);
      expect(results.map((r) => r.response?.statusCode ?? r.error?.code)).toEqual([201, 400, 201]);
      expect(results[1].error?.substatus).toBe(1001);
      expect((await items.item('disagrees', 'p').read()).statusCode).toBe(404);
      expect((await items.item('disagrees', 'raw-value').read()).statusCode).toBe(404);
    });

    test('a single create (REST) and a replace whose partition key disagrees get 400/1001', async () => {
      const created = await restCreate('/dbs/strict/colls/items/docs', { id: 'single', pk: 'p' }, ['other']);
      expect(created.status).toBe(400);
      expect(created.headers['x-ms-substatus']).toBe('1001');
      expect(created.body.code).toBe('BadRequest');
      expect((await restCreate('/dbs/strict/colls/items/docs', { id: 'single', pk: 'p' }, ['p'])).status).toBe(201);

      const replaced = await failure(items.item('single', 'other').replace({ id: 'single', pk: 'p', v: 2 }));
      expect([replaced.code, replaced.substatus]).toEqual([400, 1001]);
    });
  });

  describe('ids and sizes', () => {
    test('an id of 1,023 bytes is stored; 1,024 bytes gets 400, point and bulk', async () => {
      expect((await items.items.create({ id: 'i'.repeat(1023), pk: 'ids' })).statusCode).toBe(201);
      expect((await failure(items.items.create({ id: 'i'.repeat(1024), pk: 'ids' }))).code).toBe(400);
      const [bulk] = await items.items.executeBulkOperations([
        {
          operationType: BulkOperationType.Upsert,
          partitionKey: 'ids',
          resourceBody: { id: 'é'.repeat(512), pk: 'ids' },
        },
      ]);
      expect(bulk.error?.code).toBe(400);
    });

    test('an id with "/" is stored, but cannot be read, replaced or deleted by id; a query still finds it', async () => {
      const [created] = await items.items.executeBulkOperations([
        { operationType: BulkOperationType.Create, partitionKey: 'ids', resourceBody: { id: 'a/b', pk: 'ids' } },
      ]);
      expect(created.response?.statusCode).toBe(201);
      const byId = await items.items.executeBulkOperations([
        { operationType: BulkOperationType.Read, partitionKey: 'ids', id: 'a/b' },
        {
          operationType: BulkOperationType.Replace,
          partitionKey: 'ids',
          id: 'a/b',
          resourceBody: { id: 'a/b', pk: 'ids', v: 2 },
        },
        { operationType: BulkOperationType.Delete, partitionKey: 'ids', id: 'a/b' },
      ]);
      expect(byId.map((r) => r.error?.code)).toEqual([400, 400, 400]);
      // Point operations never get that far with this SDK (it refuses '/' itself); '?' gets through the SDK but
      // not the service.
      await expect(items.item('a/b', 'ids').read()).rejects.toThrow(/Illegal characters/);
      expect((await items.items.upsert({ id: 'a?b', pk: 'ids' })).statusCode).toBe(201);
      expect((await failure(items.item('a?b', 'ids').read())).code).toBe(400);
      expect((await failure(items.item('a?b', 'ids').delete())).code).toBe(400);

      const found = await items.items
        .query({ query: 'SELECT VALUE c.id FROM c WHERE c.pk = "ids" AND CONTAINS(c.id, "b") AND LENGTH(c.id) = 3' })
        .fetchAll();
      expect(found.resources.sort()).toEqual(['a/b', 'a?b']);
    });

    test('an item over 2 MB gets 413', async () => {
      const big = itemOf('big', 'sizes', 2 * 1024 * 1024 + 10);
      expect((await failure(items.items.create(big))).code).toBe(413);
      expect((await items.items.create(itemOf('fits', 'sizes', 2 * 1024 * 1024 - 1024))).statusCode).toBe(201);
    });
  });

  describe('request charges', () => {
    test('about 5.5 RU for a fresh 1 KB item, more for 10 KB, twice for a replace, about 1 RU for a 1 KB point read', async () => {
      const small = itemOf('kb-1', 'charges', 1024);
      const large = itemOf('kb-10', 'charges', 10 * 1024);
      const insert1 = (await items.items.create(small)).requestCharge;
      const insert10 = (await items.items.create(large)).requestCharge;
      const replace1 = (await items.item('kb-1', 'charges').replace(small)).requestCharge;
      const upsert1 = (await items.items.upsert(small)).requestCharge;
      const read1 = (await items.item('kb-1', 'charges').read()).requestCharge;
      const read10 = (await items.item('kb-10', 'charges').read()).requestCharge;
      const missing = (await items.item('nope', 'charges').read()).requestCharge;
      const query = (await items.items.query('SELECT * FROM c WHERE c.pk = "charges"').fetchAll()).requestCharge;
      const deleted = (await items.item('kb-10', 'charges').delete()).requestCharge;
      console.log(
        `charges (RU): insert 1 KB ${insert1}, insert 10 KB ${insert10}, replace 1 KB ${replace1}, upsert (replacing) 1 KB ${upsert1}, ` +
          `read 1 KB ${read1}, read 10 KB ${read10}, read missing ${missing}, query of 11 KB ${query}, delete 10 KB ${deleted}`,
      );
      expect(insert1).toBeGreaterThanOrEqual(5);
      expect(insert1).toBeLessThanOrEqual(6);
      expect(insert10).toBeGreaterThan(insert1 + 3);
      expect(replace1).toBeCloseTo(2 * insert1, 1);
      expect(upsert1).toBeCloseTo(2 * insert1, 1);
      expect(read1).toBeGreaterThanOrEqual(1);
      expect(read1).toBeLessThan(1.1);
      expect(read10).toBeGreaterThan(read1);
      expect(missing).toBe(1);
      expect(query).toBeGreaterThan(10);
      expect(deleted).toBeCloseTo(insert10, 0);
    });

    test('bulk operations carry their own charges, and the request the sum', async () => {
      const operations: OperationInput[] = [0, 1, 2].map((i) => ({
        operationType: BulkOperationType.Create,
        partitionKey: 'bulk-charges',
        resourceBody: itemOf(`b${i}`, 'bulk-charges', 1024),
      }));
      const results = await items.items.executeBulkOperations(operations);
      for (const result of results) {
        expect(result.response?.requestCharge).toBeGreaterThanOrEqual(5);
        expect(result.response?.requestCharge).toBeLessThanOrEqual(6);
      }
    });
  });

  describe('throughput', () => {
    test('a 400 RU/s container written faster than that answers 429/3200 with x-ms-retry-after-ms; retried writes land', async () => {
      const { container: slow } = await database.containers.createIfNotExists({ id: 'slow', partitionKey: '/pk' });
      expect((await slow.readOffer()).resource?.content).toEqual({
        offerThroughput: 400,
        offerIsRUPerMinuteThroughputEnabled: false,
      });
      await layer.resetStats();
      const impatient = impatientClient();
      const target = impatient.database('strict').container('slow');
      try {
        // 150 point creates of 1 KB (about 860 RU) at once.
        const outcomes = await Promise.all(
          Array.from({ length: 150 }, (_, i) =>
            target.items.create(itemOf(`p${i}`, `k${i % 10}`, 1024)).then(
              (r) => ({ status: r.statusCode, retryAfter: undefined, substatus: undefined, header: undefined }),
              (e: ErrorResponse) => ({
                status: e.code,
                retryAfter: e.retryAfterInMs,
                substatus: e.substatus,
                header: e.headers?.['x-ms-retry-after-ms'],
              }),
            ),
          ),
        );
        const throttled = outcomes.filter((o) => o.status === 429);
        const written = outcomes.filter((o) => o.status === 201);
        expect(written.length + throttled.length).toBe(150);
        expect(throttled.length).toBeGreaterThan(0);
        expect(written.length).toBeGreaterThanOrEqual(60);
        for (const o of throttled) {
          expect(o.substatus).toBe(3200);
          expect(Number(o.header)).toBeGreaterThan(0);
          expect(o.retryAfter).toBe(Number(o.header));
        }

        // The same through bulk: each throttled operation reports its own 429 and retry-after.
        const bulk = await target.items.executeBulkOperations(
          Array.from({ length: 150 }, (_, i) => ({
            operationType: BulkOperationType.Upsert,
            partitionKey: `k${i % 10}`,
            resourceBody: itemOf(`q${i}`, `k${i % 10}`, 1024),
          })),
        );
        const bulkThrottled = bulk.filter((r) => r.error?.code === 429);
        expect(bulkThrottled.length).toBeGreaterThan(0);
        for (const r of bulkThrottled) {
          expect(r.error?.substatus).toBe(3200);
          expect(r.error?.retryAfterInMs).toBeGreaterThan(0);
        }
        const report = (await layer.report()).containers.find((c) => c.container === 'slow');
        expect(report?.throttled).toBe(throttled.length + bulkThrottled.length);
        console.log(
          `429s at 400 RU/s: ${throttled.length} of 150 point creates, ${bulkThrottled.length} of 150 bulk upserts; ` +
            `peak ${report?.peakRequestUnitsPerSecond} RU in one second`,
        );
      } finally {
        impatient.dispose();
      }

      // The app's client retries 429s after x-ms-retry-after-ms: every write lands, at no more than 400 RU/s.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await layer.resetStats();
      const started = Date.now();
      const retried = await Promise.all(
        Array.from({ length: 150 }, (_, i) => slow.items.create(itemOf(`r${i}`, `k${i % 10}`, 1024))),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(retried.every((r) => r.statusCode === 201)).toBe(true);
      const after = (await layer.report()).containers.find((c) => c.container === 'slow');
      console.log(
        `150 point creates with retries: ${after?.requestCharge} RU in ${seconds.toFixed(1)} s, ${after?.throttled} 429s retried, ` +
          `peak ${after?.peakRequestUnitsPerSecond} RU in one second`,
      );
      expect(after?.throttled).toBeGreaterThan(0);
      expect(after?.peakRequestUnitsPerSecond).toBeLessThan(400 + 10);
    });

    test('offers as the service keeps them: own manual and autoscale, shared by a database, replaceable', async () => {
      const { container: auto } = await database.containers.createIfNotExists({
        id: 'auto',
        partitionKey: '/pk',
        maxThroughput: 4000,
      });
      expect((await auto.readOffer()).resource?.content?.offerAutopilotSettings).toMatchObject({ maxThroughput: 4000 });

      const { database: shared } = await client.databases.createIfNotExists({ id: 'shared', throughput: 1000 });
      const { container: tenant } = await shared.containers.createIfNotExists({ id: 'tenant', partitionKey: '/pk' });
      expect((await tenant.readOffer()).resource).toBeUndefined();
      expect((await shared.readOffer()).resource?.content?.offerThroughput).toBe(1000);

      const { resource: offer } = await items.readOffer();
      const replaced = await client
        .offer(offer!.id!)
        .replace({ ...offer!, content: { ...offer!.content!, offerThroughput: 12_000 } });
      expect(replaced.resource?.content?.offerThroughput).toBe(12_000);
      expect((await items.readOffer()).resource?.content?.offerThroughput).toBe(12_000);
      const listed = await client.offers.readAll().fetchAll();
      expect(listed.resources.map((o) => o.offerResourceId)).toEqual(
        expect.arrayContaining([offer!.offerResourceId, (await auto.read()).resource!._rid]),
      );
      expect((await layer.report()).offers.find((o) => o.id === offer!.id)?.partitions).toBe(2);
    });
  });

  describe('Entra ID only (local auth disabled)', () => {
    beforeAll(async () => {
      await layer.configure({ entraIdOnly: true });
    });
    afterAll(async () => {
      await layer.configure({ entraIdOnly: false });
    });

    test('offers and creating containers or databases are refused with 403/5300; data operations work', async () => {
      const offer = await failure(items.readOffer());
      expect([offer.code, offer.substatus]).toEqual([403, 5300]);
      const created = await failure(database.containers.createIfNotExists({ id: 'not-allowed', partitionKey: '/pk' }));
      expect([created.code, created.substatus]).toEqual([403, 5300]);
      expect((await failure(client.databases.createIfNotExists({ id: 'not-allowed' }))).code).toBe(403);
      expect((await failure(client.offers.readAll().fetchAll())).code).toBe(403);

      // The containers that exist are there for data: createIfNotExists of one only reads it.
      const { container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: '/pk' });
      expect((await container.items.upsert({ id: 'entra', pk: 'e' })).statusCode).toBe(201);
      expect((await container.item('entra', 'e').read()).resource).toMatchObject({ id: 'entra' });
      const bulk = await container.items.executeBulkOperations([
        { operationType: BulkOperationType.Upsert, partitionKey: 'e', resourceBody: { id: 'entra2', pk: 'e' } },
        { operationType: BulkOperationType.Delete, partitionKey: 'e', id: 'entra' },
      ]);
      expect(bulk.map((r) => r.response?.statusCode)).toEqual([201, 204]);
      expect((await container.items.query('SELECT * FROM c WHERE c.pk = "e"').fetchAll()).resources).toHaveLength(1);
    });

    test('the control plane (infra/, Azure Resource Manager) still creates containers with their throughput', async () => {
      const controlPlane = controlPlaneCosmosClient(local.settings);
      try {
        await controlPlane.database('strict').containers.createIfNotExists({
          id: 'provisioned',
          partitionKey: '/pk',
          throughput: 2000,
        });
      } finally {
        controlPlane.dispose();
      }
      const provisioned = database.container('provisioned');
      expect((await provisioned.items.upsert({ id: 'x', pk: 'y' })).statusCode).toBe(201);
      expect((await failure(provisioned.readOffer())).code).toBe(403);
      const offers = (await layer.report()).offers.filter((o) => o.container === 'provisioned');
      expect(offers.map((o) => o.setting)).toEqual([{ mode: 'manual', throughput: 2000 }]);
    });
  });
});
