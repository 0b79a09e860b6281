import { buildFullExport, ExportSpec, GeneratedExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { randomFaults, s3Error, seeded } from './support/answers';
import { FaultProxy, NO_FAULTS, startFaultProxy } from './support/fault-proxy';
import { invocations, logSize, readLog } from './support/host-log';
import {
  BUCKET,
  directClients,
  expectContainerToHold,
  expectedDocuments,
  migrationBody,
  useUploadedExports,
} from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = {};
let s3: FaultProxy;
beforeAll(async () => {
  s3 = await startFaultProxy(stack.endpoints.s3);
  hostEnv.S3_ENDPOINT = s3.url;
});
afterAll(async () => s3?.stop());
const app = useAppHost(stack, hostEnv);

describe('S3 answers SlowDown and InternalError, stalls, resets and cuts downloads short', () => {
  const specs: Record<string, ExportSpec> = {
    stream: { prefix: 'exports/slow-stream', itemCount: 6_000, fileCount: 3, seed: 31 },
    auto: { prefix: 'exports/slow-auto', itemCount: 6_000, fileCount: 3, seed: 32 },
  };
  const generated = useUploadedExports(stack, specs);

  afterEach(() => {
    s3.plan = NO_FAULTS;
  });

  test.each(['stream', 'auto'])(
    'copyMode %s: every file is copied and verified, every item written once, the report passes',
    async (copyMode) => {
      const random = seeded(copyMode === 'stream' ? 7 : 8);
      s3.plan = randomFaults(
        [
          { rate: 0.15, fault: () => s3Error(503, 'SlowDown', 'Please reduce your request rate.') },
          {
            rate: 0.05,
            fault: () => s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
          },
          { rate: 0.05, fault: () => ({ kind: 'delay', ms: 200 + Math.floor(random() * 600) }) },
          { rate: 0.03, fault: () => ({ kind: 'reset', when: 'before' }) },
          { rate: 0.05, fault: () => ({ kind: 'truncate', bytes: 1000 }) },
        ],
        random,
      );
      const container = `slow-${copyMode}`;
      const logStart = logSize(app.logFile);
      const started = await postJson(
        `${app.url}/api/migrations`,
        migrationBody(generated[copyMode], container, { copyMode }),
      );
      expect(started.status).toBe(202);
      const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
      s3.plan = NO_FAULTS;
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output.files).toEqual(expect.objectContaining({ total: 4, copied: 4, loaded: 4, failed: 0 }));
      expect(status.output.items).toEqual({
        expected: 6_000,
        read: 6_000,
        written: 6_000,
        deleted: 0,
        deadLettered: 0,
      });
      expect(status.output.validation.passed).toBe(true);
      expect(s3.counts.faults['truncate'] ?? 0).toBeGreaterThan(0);
      // Broken transfers are retried inside the copy; no copy had to wait for Durable's activity retry.
      expect(invocations(readLog(app.logFile, logStart)).filter((run) => !run.ok)).toEqual([]);
      await expectContainerToHold(stack, container, expectedDocuments(specs[copyMode]));
    },
  );
});

describe('S3 denies access', () => {
  const spec: ExportSpec = { prefix: 'exports/denied', itemCount: 900, fileCount: 3, seed: 33 };
  let generated: GeneratedExport;
  const denied = (): ReturnType<typeof s3Error> => s3Error(403, 'AccessDenied', 'Access Denied');

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
  }, 120_000);

  afterEach(() => {
    s3.plan = NO_FAULTS;
  });

  test('to one data file: that file fails at once naming it, the others load', async () => {
    const file = generated.files[1];
    s3.plan = (request) => (request.url.split('?')[0].endsWith(`/${file.key}`) ? denied() : undefined);
    const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, 'denied-file'));
    const status = await waitForCompletion(started.body.statusQueryGetUri, 120_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.files).toEqual(expect.objectContaining({ total: 4, loaded: 3, failed: 1 }));
    expect(status.output.files.failures).toEqual([
      {
        file: file.key,
        code: 'SOURCE_ACCESS_DENIED',
        message: expect.stringContaining(`s3://${BUCKET}/${file.key}: S3 denied access (HTTP 403`),
      },
    ]);
    expect(status.output.validation.passed).toBe(false);
    await expectContainerToHold(stack, 'denied-file', expectedDocuments(spec, [1]));
  });

  test('to the manifest: the migration fails at once with a message naming it', async () => {
    s3.plan = (request) => (request.url.includes('manifest-summary') ? denied() : undefined);
    const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, 'denied-manifest'));
    const began = Date.now();
    const status = await waitForCompletion(started.body.statusQueryGetUri, 120_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain(
      `[SOURCE_ACCESS_DENIED] s3://${BUCKET}/${generated.exportPrefix}/manifest-summary.json: S3 denied access`,
    );
    expect(Date.now() - began).toBeLessThan(4000);
  });
});
