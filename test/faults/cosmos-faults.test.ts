import { buildFullExport, ExportSpec, GeneratedExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { cosmosThrottle, cosmosUnavailable, randomFaults, seeded } from './support/answers';
import { cosmosServerCertificate, FaultProxy, NO_FAULTS, startFaultProxy } from './support/fault-proxy';
import {
  BUCKET,
  DATABASE,
  directClients,
  expectContainerToHold,
  expectedDocuments,
  migrationBody,
} from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = {};
let cosmos: FaultProxy;
beforeAll(async () => {
  cosmos = await startFaultProxy(stack.endpoints.cosmos, { tls: cosmosServerCertificate() });
  hostEnv.COSMOS_ENDPOINT = cosmos.url;
});
afterAll(async () => cosmos?.stop());
const app = useAppHost(stack, hostEnv);

describe('Cosmos DB throttles 10% of requests and resets 2% of connections', () => {
  const spec: ExportSpec = { prefix: 'exports/throttled', itemCount: 10_000, fileCount: 4, seed: 21 };
  let generated: GeneratedExport;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
  }, 120_000);

  afterEach(() => {
    cosmos.plan = NO_FAULTS;
  });

  // A 429 on a tenth of the requests reads as a container over its budget: the RU budget cuts its rate (down to its
  // floor, 5% of the cap) and the load slows on purpose, so this takes minutes, not seconds.
  test('every item is written exactly once and the report passes', async () => {
    const random = seeded(5);
    const randomly = randomFaults(
      [
        { rate: 0.1, fault: () => cosmosThrottle(20 + Math.floor(random() * 80)) },
        { rate: 0.01, fault: () => ({ kind: 'reset', when: 'before' }) },
        { rate: 0.01, fault: () => ({ kind: 'reset', when: 'after' }) },
      ],
      random,
    );
    // Metadata is throttled too, and the first partition key range reads surely: a failed one must not stay in the
    // SDK's cache (docs/azure-fidelity.md, src/clients/routing-map-cache.ts).
    let pkRangeReads = 0;
    cosmos.plan = (request) =>
      request.url.split('?')[0].endsWith('/pkranges') && ++pkRangeReads <= 4 ? cosmosThrottle(20) : randomly(request);
    const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, 'throttled'));
    expect(started.status).toBe(202);
    const status = await waitForCompletion(started.body.statusQueryGetUri, 560_000);
    cosmos.plan = NO_FAULTS;
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 5, loaded: 5, failed: 0 }));
    expect(report.items).toEqual({ expected: 10_000, read: 10_000, written: 10_000, deleted: 0, deadLettered: 0 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true, mismatched: 0 }));
    const { requests, faults } = cosmos.counts;
    const resets = (faults['reset-before'] ?? 0) + (faults['reset-after'] ?? 0);
    console.log(
      `Cosmos requests ${requests}: ${faults['status-429']} answered 429, ${resets} connections reset (${faults['reset-after'] ?? 0} after the write)`,
    );
    expect(faults['status-429'] / requests).toBeGreaterThan(0.06);
    expect(faults['status-429'] / requests).toBeLessThan(0.14);
    expect(resets / requests).toBeGreaterThan(0.005);
    expect(resets / requests).toBeLessThan(0.04);
    await expectContainerToHold(stack, 'throttled', expectedDocuments(spec));
  }, 600_000);
});

describe('Cosmos DB goes away for a while, or refuses the app', () => {
  afterEach(() => {
    cosmos.plan = NO_FAULTS;
  });

  test('an 8 s outage in the middle of the load (503s and resets) is waited out; nothing is lost or doubled', async () => {
    const spec: ExportSpec = { prefix: 'exports/outage', itemCount: 5_000, fileCount: 2, seed: 22 };
    const generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
    let outageFrom: number | undefined;
    let writes = 0;
    const random = seeded(9);
    cosmos.plan = (request) => {
      if (request.headers['x-ms-cosmos-is-batch-request'] && ++writes === 10) outageFrom = Date.now();
      if (outageFrom === undefined || Date.now() - outageFrom > 8000) return undefined;
      return random() < 0.5 ? cosmosUnavailable(500) : { kind: 'reset', when: random() < 0.5 ? 'before' : 'after' };
    };
    const started = await postJson(
      `${app.url}/api/migrations`,
      migrationBody(generated, 'outage', { bulkConcurrency: 1 }),
    );
    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(outageFrom).toBeDefined();
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.items).toEqual({ expected: 5_000, read: 5_000, written: 5_000, deleted: 0, deadLettered: 0 });
    expect(status.output.validation.passed).toBe(true);
    await expectContainerToHold(stack, 'outage', expectedDocuments(spec));
  });

  test('writes refused with 403 fail each file at once, naming the container; nothing is dead-lettered', async () => {
    const spec: ExportSpec = { prefix: 'exports/refused', itemCount: 600, fileCount: 2, seed: 23 };
    const generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
    cosmos.plan = (request) =>
      request.method === 'POST' && request.url.includes('/colls/refused/docs')
        ? {
            kind: 'status',
            status: 403,
            headers: { 'content-type': 'application/json', 'x-ms-substatus': '5301' },
            body: JSON.stringify({
              code: 'Forbidden',
              message: 'Request blocked by Auth: the principal does not have the required RBAC permissions',
            }),
          }
        : undefined;
    const began = Date.now();
    const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, 'refused'));
    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.files).toEqual(expect.objectContaining({ total: 3, failed: 2 }));
    for (const failure of status.output.files.failures) {
      expect(failure).toEqual(
        expect.objectContaining({
          code: 'CONFIGURATION',
          message: expect.stringContaining(`Cosmos DB refused the writes to ${DATABASE}/refused (HTTP 403)`),
        }),
      );
    }
    expect(status.output.items.deadLettered).toBe(0);
    expect(Date.now() - began).toBeLessThan(30_000);
  });
});
