/**
 * Tables whose key attributes are named `id` (docs/mapping.md §4), migrated by the app on the local stack: a
 * partition key `id` alone (container path `/id`, the computed id), a partition key `id` with a sort key
 * (`/_ddb_id`, the raw value) and a sort key `id` in a hierarchical key (`[/pk, /_ddb_id]`), with values holding
 * `/ # % | ? \`, values over 1,023 bytes (hashed ids), numbers and binary. A full export, then an incremental one
 * with updates, inserts and deletes; each ends with 0 dead letters and validation passing, and every document is
 * readable by its own `id` and its own value at the container's partition key path.
 *
 * A recording proxy sits between the app and Cosmos DB and keeps the partition key of every write, delete and
 * read the app sends, so the test checks what was sent against the document itself, whether or not the server
 * behind it checks partition keys.
 */
import { PartitionKeyDefinitionVersion, PartitionKeyKind } from '@azure/cosmos';
import { readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { createS3Client } from '../../../src/clients/create-clients';
import { targetParts } from '../../../src/cli/target-options';
import { readSettings } from '../../../src/config/settings';
import {
  AttributeValue,
  defaultPartitionKeyPaths,
  DynamoItem,
  KeySchema,
  mapItem,
  MappingOptions,
  newMappingStats,
  parsePartitionKeyPath,
} from '../../../src/mapping';
import { compareDocuments } from '../../../src/validation/compare';
import { buildFullExport } from '../../../tools/sample/build-export';
import { sampleItem } from '../../../tools/sample/items';
import { buildIncrementalExport, ItemChange } from '../../../tools/sample/build-incremental';
import { SimulatedTable } from '../../../tools/sample/simulated-table';
import { uploadExport } from '../../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { testCosmosClient } from '../../support/container';
import { controlPlaneCosmosClient, strictCosmos, useLocalStack } from '../../support/stack';

const BUCKET = 'id-exports';
const DATABASE = 'idkeys';
const ITEMS = 150;
const T0 = '2026-05-01T00:00:00.000Z';
const T1 = '2026-05-01T01:00:00.000Z';

/** What the app sent to Cosmos DB for one document: a write, a delete or a (validation) point read. */
interface Sent {
  container: string;
  kind: 'upsert' | 'delete' | 'read';
  id: string;
  partitionKey: unknown[];
  body?: Record<string, unknown>;
}

/**
 * An HTTPS proxy (with the local Cosmos server's own certificate) that forwards everything and records the
 * partition key of each document operation: bulk operations from the batch body, point operations from the
 * `x-ms-documentdb-partitionkey` header.
 */
async function startRecorder(target: string): Promise<{ url: string; sent: Sent[]; stop(): Promise<void> }> {
  const dir = require.resolve('@vercel/cosmosdb-server/package.json').replace(/package\.json$/, '');
  const tls = { cert: readFileSync(`${dir}cert.pem`), key: readFileSync(`${dir}key.pem`) };
  const upstream = new URL(target);
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });
  const sent: Sent[] = [];
  const sockets = new Set<Socket>();
  const record = (req: IncomingMessage, body: Buffer): void => {
    const match = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!match) return;
    const container = decodeURIComponent(match[2]);
    const header = req.headers['x-ms-documentdb-partitionkey'];
    const bulk = String(req.headers['x-ms-cosmos-is-batch-request']).toLowerCase() === 'true';
    if (req.method === 'POST' && bulk) {
      for (const op of JSON.parse(body.toString('utf8')) as Record<string, any>[]) {
        const kind = String(op.operationType).toLowerCase() as Sent['kind'];
        const id = kind === 'upsert' ? op.resourceBody.id : op.id;
        sent.push({ container, kind, id, partitionKey: JSON.parse(op.partitionKey), body: op.resourceBody });
      }
      return;
    }
    if (typeof header !== 'string') return;
    const partitionKey = JSON.parse(header) as unknown[];
    if (req.method === 'POST') {
      const document = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      sent.push({ container, kind: 'upsert', id: String(document.id), partitionKey, body: document });
    } else if (match[3] && (req.method === 'DELETE' || req.method === 'GET')) {
      const kind = req.method === 'DELETE' ? 'delete' : 'read';
      sent.push({ container, kind, id: decodeURIComponent(match[3]), partitionKey });
    }
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      record(req, body);
      const outgoing = https.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      outgoing.on('error', () => req.socket.destroy());
      outgoing.end(body);
    });
  };
  const server = https.createServer({ ...tls, keepAlive: true }, handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Shared manual throughput of the key tables' database: enough not to slow them down. */
const DATABASE_RU = 10_000;
/** A provisioned database whose throughput the migration must leave 20% of. */
const CAPPED_DATABASE = 'capped';
const CAPPED_RU = 1000;

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = {};
let recorder: Awaited<ReturnType<typeof startRecorder>>;
beforeAll(async () => {
  // As infra/ deploys it: databases and containers made beforehand by the control plane (Bicep, az), then an
  // account that refuses management requests, offer reads included, to the app's Entra ID token (403/5300).
  const control = controlPlaneCosmosClient(stack.settings);
  const { database } = await control.databases.createIfNotExists({ id: DATABASE, throughput: DATABASE_RU });
  for (const table of CASES) {
    await database.containers.createIfNotExists({
      id: table.name,
      partitionKey:
        table.paths.length > 1
          ? { paths: table.paths, kind: PartitionKeyKind.MultiHash, version: PartitionKeyDefinitionVersion.V2 }
          : { paths: table.paths, version: PartitionKeyDefinitionVersion.V2 },
    });
  }
  const { database: capped } = await control.databases.createIfNotExists({
    id: CAPPED_DATABASE,
    throughput: CAPPED_RU,
  });
  await capped.containers.createIfNotExists({ id: 'load', partitionKey: { paths: ['/pk'], version: 2 } });
  await strictCosmos(stack).configure({ entraIdOnly: true });

  recorder = await startRecorder(stack.endpoints.cosmos);
  hostEnv.COSMOS_ENDPOINT = recorder.url;
  // The cap's source where the throughput offer may not be read: what infra/ writes from its parameters.
  hostEnv.COSMOS_THROUGHPUT = `${DATABASE}=manual:${DATABASE_RU};${CAPPED_DATABASE}=manual:${CAPPED_RU}`;
}, 120_000);
afterAll(async () => recorder?.stop());
const app = useAppHost(stack, hostEnv);

const AWKWARD = 'a/b#c%d|e?f\\g';

/** A key value of every kind the contract treats specially, distinct per `k`. */
function keyValue(k: number): AttributeValue {
  switch (k % 5) {
    case 0:
      return { S: `ORDER-${k}` };
    case 1:
      return { S: `${AWKWARD} ${k}` };
    case 2:
      return { S: `${'L'.repeat(1100)}${k}` };
    case 3:
      return { N: String(100_000 + k) };
    default:
      // Base64 of 0xff 0xfe …: starts with `//`, so the escaped id differs from the raw value.
      return { B: Buffer.from([0xff, 0xfe, (k >> 8) & 0xff, k & 0xff]).toString('base64') };
  }
}

/** The raw DynamoDB value as the document holds it (lossless numbers), computed without the mapping. */
function rawValue(av: AttributeValue): string | number {
  if ('S' in av) return av.S;
  if ('N' in av) return Number(av.N);
  return (av as { B: string }).B;
}

interface TableCase {
  name: string;
  keySchema: KeySchema;
  hierarchical: boolean;
  /** The container's paths the contract gives, spelled out here rather than taken from the code. */
  paths: string[];
  item(n: number): DynamoItem;
  /** The partition key each item must be written with, worked out from the item itself. */
  expectedPartitionKey(item: DynamoItem, id: string): unknown[];
}

function attributes(n: number): DynamoItem {
  return {
    name: { S: `item ${n}` },
    total: { N: String(n * 1.5) },
    _ts: { N: String(1_700_000_000 + n) },
    nested: { M: { id: { S: `nested-${n}` }, list: { L: [{ N: '1' }, { BOOL: true }] } } },
  };
}

const CASES: TableCase[] = [
  {
    name: 'pk-id',
    keySchema: { partitionKey: 'id' },
    hierarchical: false,
    paths: ['/id'],
    item: (n) => ({ id: keyValue(n), ...attributes(n) }),
    // The document's id: the raw value, escaped, hashed over 1,023 bytes.
    expectedPartitionKey: (_item, id) => [id],
  },
  {
    name: 'pk-id-sk',
    keySchema: { partitionKey: 'id', sortKey: 'sk' },
    hierarchical: false,
    paths: ['/_ddb_id'],
    item: (n) => ({ id: keyValue(Math.floor(n / 3)), sk: { N: String(n % 3) }, ...attributes(n) }),
    expectedPartitionKey: (item) => [rawValue(item.id)],
  },
  {
    name: 'sk-id-hierarchical',
    keySchema: { partitionKey: 'pk', sortKey: 'id' },
    hierarchical: true,
    paths: ['/pk', '/_ddb_id'],
    item: (n) => ({ pk: { S: `TENANT#${n % 7}` }, id: keyValue(n), ...attributes(n) }),
    expectedPartitionKey: (item) => [rawValue(item.pk), rawValue(item.id)],
  },
];

function mappingOf(table: TableCase): MappingOptions {
  return { keySchema: table.keySchema, numberMode: 'lossless', partitionKeyPaths: table.paths };
}

function valueAt(document: Record<string, unknown>, path: string): unknown {
  return (parsePartitionKeyPath(path) as string[]).reduce<unknown>(
    (value, segment) => (value as Record<string, unknown> | undefined)?.[segment],
    document,
  );
}

function s3() {
  return createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
}

/** The request body as the CLI builds it (`--hierarchical` included), for one export. */
function body(table: TableCase, exportPrefix: string) {
  const parts = targetParts({
    partitionKey: table.keySchema.partitionKey,
    sortKey: table.keySchema.sortKey,
    database: DATABASE,
    container: table.name,
    hierarchical: table.hierarchical || undefined,
  });
  return { source: { bucket: BUCKET, exportPrefix }, ...(parts as { target: object }), options: { sampleSize: 1000 } };
}

async function migrate(table: TableCase, exportPrefix: string): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, body(table, exportPrefix));
  expect(started.status).toBe(202);
  const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

describe.each(CASES)('a table keyed $name', (table) => {
  const keyNames = [table.keySchema.partitionKey, ...(table.keySchema.sortKey ? [table.keySchema.sortKey] : [])];
  const simulated = new SimulatedTable(keyNames);
  const micros = (time: string, offset: number): number => Date.parse(time) * 1000 + offset;
  /** Every key the app was asked to write or delete, by document id: the partition key it must send. */
  const expectedById = new Map<string, unknown[]>();
  const deletedIds: string[] = [];

  const remember = (item: DynamoItem): string => {
    const { id, document } = mapItem(item, mappingOf(table), newMappingStats());
    const expected = table.expectedPartitionKey(item, id);
    // The contract's rule, seen from the document: its own value at the container's path(s).
    expect(table.paths.map((path) => valueAt(document, path))).toEqual(expected);
    expectedById.set(id, expected);
    return id;
  };

  test('the default paths the app and the CLI use are the contract’s', () => {
    expect(defaultPartitionKeyPaths(table.keySchema, table.hierarchical)).toEqual(table.paths);
    expect(body(table, 'x').target).toEqual({
      database: DATABASE,
      container: table.name,
      ...(table.hierarchical ? { partitionKeyPath: table.paths } : {}),
    });
  });

  test('a full export, then an incremental one with deletes: 0 dead letters, validation passes', async () => {
    for (let n = 0; n < ITEMS; n++) simulated.put(table.item(n), micros(T0, -1 - n));
    simulated.endWindow();
    const full = buildFullExport({
      prefix: `exports/${table.name}`,
      itemCount: 0,
      fileCount: 2,
      items: simulated.snapshot(),
      exportTime: T0,
      seed: 3,
    });
    for (const item of simulated.snapshot()) remember(item);
    await uploadExport(s3(), BUCKET, full);

    const first = await migrate(table, full.exportPrefix);
    expect(first.items).toEqual({ expected: ITEMS, read: ITEMS, written: ITEMS, deleted: 0, deadLettered: 0 });
    expect(first.validation).toEqual(expect.objectContaining({ passed: true, sampled: ITEMS, mismatched: 0 }));
    expect(first.target.partitionKeyPaths).toEqual(table.paths);
    expect(first.partitionKey).toEqual({ paths: table.paths, reason: expect.stringMatching(/^the default /) });
    // Entra ID only: the offer may not be read, the cap comes from COSMOS_THROUGHPUT, and the report says so.
    expect(first.ruCap).toEqual({
      requestUnitsPerSecond: DATABASE_RU * 0.8,
      source: 'setting',
      detail: expect.stringMatching(
        new RegExp(
          `^80% of the database's manual ${DATABASE_RU} RU/s \\(COSMOS_THROUGHPUT "${DATABASE}=manual:${DATABASE_RU}"; the throughput offer may not be read by this identity \\(403/5300 `,
        ),
      ),
    });

    // An hour of changes: updates, deletes (of every kind of key), inserts, and a delete of an item never migrated.
    let tick = 0;
    const existing = simulated.snapshot();
    for (let i = 0; i < existing.length; i += 4)
      simulated.put({ ...existing[i], total: { N: `${i}.25` }, note: { S: 'updated' } }, micros(T0, ++tick));
    for (let i = 1; i < existing.length; i += 6) {
      const keys = Object.fromEntries(keyNames.map((name) => [name, existing[i][name]]));
      simulated.delete(keys, micros(T0, ++tick));
      deletedIds.push(remember(existing[i]));
    }
    for (let n = ITEMS; n < ITEMS + 20; n++) {
      const item = table.item(n);
      simulated.put(item, micros(T0, ++tick));
      remember(item);
    }
    const changes: ItemChange[] = simulated.endWindow();
    const ghost = table.item(10_000);
    const ghostKeys = Object.fromEntries(keyNames.map((name) => [name, ghost[name]]));
    changes.push({ keys: ghostKeys, oldImage: ghost, writeTimestampMicros: micros(T0, tick + 1) });
    deletedIds.push(remember(ghost));
    const incremental = buildIncrementalExport({
      prefix: `exports/${table.name}`,
      fromTime: T0,
      toTime: T1,
      changes,
      fileCount: 2,
      seed: 5,
    });
    await uploadExport(s3(), BUCKET, incremental);

    const second = await migrate(table, incremental.exportPrefix);
    const deletes = changes.filter((c) => !c.newImage).length;
    expect(deletes).toBeGreaterThan(20);
    expect(second.exportType).toBe('INCREMENTAL_EXPORT');
    expect(second.items).toEqual({
      expected: changes.length,
      read: changes.length,
      written: changes.length - deletes,
      deleted: deletes,
      deadLettered: 0,
    });
    expect(second.validation).toEqual(expect.objectContaining({ passed: true, mismatched: 0 }));
    expect(second.validation.sampled).toBe(changes.length);
  });

  test('every write, delete and read was sent with the document’s own value at the path', () => {
    const sent = recorder.sent.filter((s) => s.container === table.name);
    const upserts = sent.filter((s) => s.kind === 'upsert');
    expect(upserts.length).toBeGreaterThanOrEqual(ITEMS + 20);
    expect(sent.filter((s) => s.kind === 'delete').length).toBe(deletedIds.length);
    expect(sent.filter((s) => s.kind === 'read').length).toBeGreaterThan(ITEMS);
    const wrong: string[] = [];
    for (const s of sent) {
      const expected = expectedById.get(s.id);
      if (!expected) wrong.push(`${s.kind} of unknown id ${s.id.slice(0, 80)}`);
      else if (JSON.stringify(s.partitionKey) !== JSON.stringify(expected))
        wrong.push(`${s.kind} ${s.id.slice(0, 80)}: sent ${JSON.stringify(s.partitionKey).slice(0, 80)}`);
      if (
        s.body &&
        JSON.stringify(table.paths.map((p) => valueAt(s.body as never, p))) !== JSON.stringify(s.partitionKey)
      )
        wrong.push(`${s.kind} ${s.id.slice(0, 80)}: the body disagrees with the partition key sent`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  test('every document is readable by its own id and its own value at the path; deleted ones are gone', async () => {
    const container = testCosmosClient(stack).database(DATABASE).container(table.name);
    const { resources } = await container.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
    const finalItems = simulated.snapshot();
    expect(resources[0]).toBe(finalItems.length);
    const problems: string[] = [];
    for (const item of finalItems) {
      const { id, document } = mapItem(item, mappingOf(table), newMappingStats());
      const own = table.paths.map((path) => valueAt(document, path));
      expect(own).toEqual(table.expectedPartitionKey(item, id));
      const { resource, statusCode } = await container
        .item(id, (own.length === 1 ? own[0] : own) as never)
        .read<Record<string, unknown>>();
      if (!resource) problems.push(`${id.slice(0, 60)}: HTTP ${statusCode}`);
      else {
        const differences = compareDocuments(document, resource);
        if (differences.length > 0) problems.push(`${id.slice(0, 60)}: ${JSON.stringify(differences)}`);
        if (JSON.stringify(table.paths.map((path) => valueAt(resource, path))) !== JSON.stringify(own))
          problems.push(`${id.slice(0, 60)}: the stored document holds another partition key`);
      }
    }
    for (const id of deletedIds) {
      const expected = expectedById.get(id) as unknown[];
      const { statusCode } = await container.item(id, (expected.length === 1 ? expected[0] : expected) as never).read();
      if (statusCode !== 404) problems.push(`${id.slice(0, 60)}: deleted in the source, HTTP ${statusCode}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});

describe('Entra ID only, a pre-created container of a provisioned database: the default RU cap holds', () => {
  const ITEMS_CAPPED = 4000;

  test(`a migration stays within 5% of 80% of the database's ${CAPPED_RU} RU/s, and its report names the cap`, async () => {
    const items = Array.from({ length: ITEMS_CAPPED }, (_, n) => sampleItem(41, n));
    const generated = buildFullExport({
      prefix: 'exports/capped',
      itemCount: 0,
      fileCount: 4,
      emptyFiles: 0,
      items,
      seed: 9,
    });
    await uploadExport(s3(), BUCKET, generated);
    await strictCosmos(stack).resetStats();

    const started = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: CAPPED_DATABASE, container: 'load' },
      options: { sampleSize: 20 },
    });
    expect(started.status).toBe(202);
    const caps = new Set<string>();
    const status = await waitForCompletion(started.body.statusQueryGetUri, 600_000, (s) => {
      if (s.customStatus?.phase === 'loading') caps.add(JSON.stringify(s.customStatus.ruCap));
    });
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.items).toEqual({
      expected: ITEMS_CAPPED,
      read: ITEMS_CAPPED,
      written: ITEMS_CAPPED,
      deleted: 0,
      deadLettered: 0,
    });
    expect(report.validation.passed).toBe(true);
    const cap = CAPPED_RU * 0.8;
    expect(report.ruCap).toEqual({
      requestUnitsPerSecond: cap,
      source: 'setting',
      detail: expect.stringContaining(`COSMOS_THROUGHPUT "${CAPPED_DATABASE}=manual:${CAPPED_RU}"`),
    });
    // The custom status said the same while loading.
    expect([...caps].map((text) => JSON.parse(text))).toEqual([report.ruCap]);

    // What Cosmos DB charged, second by second: the loading seconds, without the first and last (partial) ones.
    const layer = (await strictCosmos(stack).report()).containers.find(
      (c) => c.database === CAPPED_DATABASE && c.container === 'load',
    );
    const seconds = (layer?.seconds ?? []).slice().sort((a, b) => a[0] - b[0]);
    const charged = seconds.reduce((sum, [, ru]) => sum + ru, 0);
    const steady = seconds.slice(1, -1);
    const span = steady.length > 0 ? steady[steady.length - 1][0] - steady[0][0] + 1 : 0;
    const rate = steady.reduce((sum, [, ru]) => sum + ru, 0) / span;
    const figures = {
      items: ITEMS_CAPPED,
      charged: Math.round(charged),
      reportRequestCharge: report.requestCharge,
      seconds: seconds.length,
      steadyRuPerSecond: Math.round(rate),
      cap,
      share: `${((rate / CAPPED_RU) * 100).toFixed(1)}% of ${CAPPED_RU} RU/s`,
      p95RuPerSecond: Math.round(
        steady.map(([, ru]) => ru).sort((a, b) => a - b)[Math.floor(steady.length * 0.95)] ?? 0,
      ),
      peakRuPerSecond: layer?.peakRequestUnitsPerSecond,
      throttled: layer?.throttled,
      durationMs: report.durationMs,
    };
    console.log(`RU cap under Entra ID only: ${JSON.stringify(figures)}`);
    expect(span).toBeGreaterThan(20);
    expect(rate).toBeGreaterThan(cap * 0.95);
    expect(rate).toBeLessThan(cap * 1.05);
    expect(layer?.throttled).toBe(0);
  });
});
