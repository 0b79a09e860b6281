/**
 * Behaviour of @vercel/cosmosdb-server 1.0.1 as seen through @azure/cosmos 4.9.0. Several checks pin
 * gaps on purpose (no id/size validation, partition-scoped queries unscoped, hierarchical keys only
 * keyed by their first path) so the app's own validation is not mistaken for redundant.
 */
import {
  BulkOperationType,
  CosmosClient,
  PartitionKeyKind,
  type Container,
  type Database,
  type OperationInput,
} from '@azure/cosmos';
import { cosmosClientOptions } from '../../../tools/localstack/cosmos-client-options';
import { useLocalStack } from '../../support/stack';

// The bare server, without the strict layer that stands in front of it by default (strict-cosmos.test.ts).
const local = useLocalStack({ cosmos: { strict: false } });

describe('Cosmos DB server with @azure/cosmos 4.9.0', () => {
  let client: CosmosClient;
  let database: Database;
  let items: Container;

  beforeAll(async () => {
    client = new CosmosClient(cosmosClientOptions(local.settings));
    ({ database } = await client.databases.createIfNotExists({ id: 'compat' }));
    ({ container: items } = await database.containers.createIfNotExists({
      id: 'items',
      partitionKey: { paths: ['/pk'] },
    }));
  });

  afterAll(() => client.dispose());

  it('returns container definitions with their partition key, including MultiHash', async () => {
    expect((await items.read()).resource?.partitionKey).toEqual({ paths: ['/pk'] });
    const { container } = await database.containers.create({
      id: 'hierarchical',
      partitionKey: { paths: ['/tenant', '/user'], kind: PartitionKeyKind.MultiHash, version: 2 },
    });
    expect((await container.read()).resource?.partitionKey).toEqual({
      paths: ['/tenant', '/user'],
      kind: 'MultiHash',
      version: 2,
    });
  });

  it('upserts, reads, queries and deletes items, charging 1 RU per request', async () => {
    const created = await items.items.upsert({ id: 'a', pk: 'p1', n: 1 });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-ms-request-charge']).toBe('1');
    expect(created.requestCharge).toBe(1);
    expect((await items.items.upsert({ id: 'a', pk: 'p1', n: 2 })).statusCode).toBe(200);

    const read = await items.item('a', 'p1').read();
    expect(read.statusCode).toBe(200);
    expect(read.resource).toMatchObject({ id: 'a', pk: 'p1', n: 2 });
    expect((await items.item('missing', 'p1').read()).statusCode).toBe(404);

    const query = await items.items
      .query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'p1' }] })
      .fetchAll();
    expect(query.resources.map((d) => d.id)).toEqual(['a']);
    expect(query.requestCharge).toBe(1);

    expect((await items.item('a', 'p1').delete()).statusCode).toBe(204);
    await expect(items.item('a', 'p1').delete()).rejects.toMatchObject({ code: 404 });
  });

  it('runs items.bulk() with Upsert and Delete, at most 100 operations per call', async () => {
    const upserts: OperationInput[] = Array.from({ length: 4 }, (_, i) => ({
      operationType: BulkOperationType.Upsert,
      resourceBody: { id: `b${i}`, pk: 'bulk' },
    }));
    const results = await items.items.bulk([
      ...upserts,
      { operationType: BulkOperationType.Delete, id: 'b0', partitionKey: 'bulk' },
      { operationType: BulkOperationType.Delete, id: 'never-existed', partitionKey: 'bulk' },
    ]);
    expect(results.map((r) => [r.statusCode, r.requestCharge])).toEqual([
      [201, 1],
      [201, 1],
      [201, 1],
      [201, 1],
      [204, 1],
      [404, 0],
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => ({
      operationType: BulkOperationType.Upsert,
      resourceBody: { id: `many${i}`, pk: 'bulk' },
    })) as OperationInput[];
    await expect(items.items.bulk(tooMany)).rejects.toThrow(/more than 100 operations/);
  });

  it('continues a bulk after a failed operation unless told not to, and rejects Patch for the whole request', async () => {
    const operations: OperationInput[] = [
      { operationType: BulkOperationType.Delete, id: 'never-existed', partitionKey: 'cont' },
      { operationType: BulkOperationType.Upsert, resourceBody: { id: 'c1', pk: 'cont' } },
    ];
    expect((await items.items.bulk(operations)).map((r) => r.statusCode)).toEqual([404, 201]);
    expect((await items.items.bulk(operations, { continueOnError: false })).map((r) => r.statusCode)).toEqual([
      404, 424,
    ]);
    await expect(
      items.items.bulk([
        {
          operationType: BulkOperationType.Patch,
          id: 'c1',
          partitionKey: 'cont',
          resourceBody: { operations: [{ op: 'set', path: '/x', value: 1 }] },
        },
      ]),
    ).rejects.toThrow(/Operation type 'Patch' is not supported in Batch/);
    // Point patch is supported.
    expect((await items.item('c1', 'cont').patch([{ op: 'set', path: '/x', value: 1 }])).statusCode).toBe(200);
  });

  it('runs executeBulkOperations() with Upsert and Delete when every operation names its partition key', async () => {
    const operations: OperationInput[] = [
      ...Array.from({ length: 150 }, (_, i) => ({
        operationType: BulkOperationType.Upsert,
        partitionKey: 'xb',
        resourceBody: { id: `x${i}`, pk: 'xb' },
      })),
      { operationType: BulkOperationType.Delete, id: 'x0', partitionKey: 'xb' },
      { operationType: BulkOperationType.Delete, id: 'never-existed', partitionKey: 'xb' },
      { operationType: BulkOperationType.Create, partitionKey: 'xb', resourceBody: { id: 'x1', pk: 'xb' } },
    ];
    const results = await items.items.executeBulkOperations(operations);
    expect(results).toHaveLength(153);
    expect(results.slice(0, 150).every((r) => r.response?.statusCode === 201)).toBe(true);
    expect(results[150].response?.statusCode).toBe(204);
    expect(results[151].error?.code).toBe(404);
    expect(results[152].error?.code).toBe(409);

    // The SDK, not the server, rejects operations without an explicit partitionKey (reported as code 500).
    const [withoutKey] = await items.items.executeBulkOperations([
      { operationType: BulkOperationType.Upsert, resourceBody: { id: 'nokey', pk: 'xb' } },
    ]);
    expect(withoutKey.error?.code).toBe(500);
    expect(withoutKey.error?.message).toMatch(/PartitionKey is required for Upsert/);
  });

  it('does not enforce Cosmos DB id rules or the 2 MB document limit', async () => {
    const longId = 'x'.repeat(3000);
    expect((await items.items.upsert({ id: longId, pk: 'rules' })).statusCode).toBe(201);
    expect((await items.item(longId, 'rules').read()).statusCode).toBe(200);

    // '/', '\\' and '#' are refused by the SDK for point operations (it rejects with a plain object,
    // not an Error), but the server stores them via bulk.
    await expect(items.items.upsert({ id: 'a/b', pk: 'rules' })).rejects.toMatchObject({
      message: 'Id contains illegal chars.',
    });
    const [slash] = await items.items.bulk([
      { operationType: BulkOperationType.Upsert, resourceBody: { id: 'a/b', pk: 'rules' } },
    ]);
    expect(slash.statusCode).toBe(201);
    // '?' passes the SDK and the server, but the item can no longer be read by id (the URL query cuts it).
    expect((await items.items.upsert({ id: 'a?b', pk: 'rules' })).statusCode).toBe(201);
    expect((await items.item('a?b', 'rules').read()).statusCode).toBe(404);

    const threeMb = await items.items.upsert({ id: 'big', pk: 'rules', data: 'x'.repeat(3 * 1024 * 1024) });
    expect(threeMb.statusCode).toBe(201);
  });

  it('ignores the partitionKey option of queries (they run across all partitions)', async () => {
    await items.items.upsert({ id: 'q1', pk: 'scope-a' });
    await items.items.upsert({ id: 'q2', pk: 'scope-b' });
    const scoped = await items.items
      .query('SELECT VALUE c.id FROM c WHERE STARTSWITH(c.id, "q")', { partitionKey: 'scope-a' })
      .fetchAll();
    expect(scoped.resources.sort()).toEqual(['q1', 'q2']);
  });

  it('keys hierarchical partitions by their first path only', async () => {
    const container = database.container('hierarchical');
    expect((await container.items.upsert({ id: 'same', tenant: 't1', user: 'u1', v: 1 })).statusCode).toBe(201);
    // Real Cosmos DB would create a second item; the server replaces the first one.
    expect((await container.items.upsert({ id: 'same', tenant: 't1', user: 'u2', v: 2 })).statusCode).toBe(200);
    expect((await container.item('same', ['t1', 'u1']).read()).resource).toMatchObject({ user: 'u2', v: 2 });

    const results = await container.items.bulk([
      { operationType: BulkOperationType.Upsert, resourceBody: { id: 'h2', tenant: 't2', user: 'u1' } },
      { operationType: BulkOperationType.Delete, id: 'same', partitionKey: ['t1', 'u2'] },
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 204]);
    const executed = await container.items.executeBulkOperations([
      { operationType: BulkOperationType.Delete, id: 'h2', partitionKey: ['t2', 'u1'] },
    ]);
    expect(executed[0].response?.statusCode).toBe(204);
  });
});
