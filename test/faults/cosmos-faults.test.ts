import { buildFullExport, ExportSpec, GeneratedExport } from '../../src/sample/build-export';
import { uploadExport } from '../../src/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { cosmosServerCertificate, cosmosThrottle, FaultProxy, NO_FAULTS, randomFaults, seeded, startFaultProxy } from './support/fault-proxy';
import { BUCKET, directClients, expectContainerToHold, expectedDocuments, migrationBody } from './support/migration';

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
  const spec: ExportSpec = { prefix: 'exports/throttled', itemCount: 20_000, fileCount: 4, seed: 21 };
  let generated: GeneratedExport;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
  }, 120_000);

  afterEach(() => {
    cosmos.plan = NO_FAULTS;
  });

  test('every item is written exactly once and the report passes', async () => {
    const random = seeded(5);
    cosmos.plan = randomFaults(
      [
        { rate: 0.1, fault: () => cosmosThrottle(20 + Math.floor(random() * 80)) },
        { rate: 0.01, fault: () => ({ kind: 'reset', when: 'before' }) },
        { rate: 0.01, fault: () => ({ kind: 'reset', when: 'after' }) },
      ],
      random,
    );
    const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, 'throttled'));
    expect(started.status).toBe(202);
    const status = await waitForCompletion(started.body.statusQueryGetUri, 400_000);
    cosmos.plan = NO_FAULTS;
    console.log(JSON.stringify(cosmos.counts), JSON.stringify(status.output?.files ?? status.output));
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 5, loaded: 5, failed: 0 }));
    expect(report.items).toEqual({ expected: 20_000, read: 20_000, written: 20_000, deleted: 0, deadLettered: 0 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true, mismatched: 0 }));
    expect(cosmos.counts.faults['status-429']).toBeGreaterThan(10);
    expect((cosmos.counts.faults['reset-before'] ?? 0) + (cosmos.counts.faults['reset-after'] ?? 0)).toBeGreaterThan(2);
    await expectContainerToHold(stack, 'throttled', expectedDocuments(spec));
  });
});
