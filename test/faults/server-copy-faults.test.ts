/**
 * The server-side copy under faults. Fault proxies sit in front of S3 (where the presigned URLs point, so the lake's
 * reads of the copy source pass through it) and in front of the lake's blob endpoint (the app's Put Block From URL
 * requests). The source failing mid-copy: `auto` ends with correct streamed copies, `server` retries and then fails
 * the files with a clear code. A 503 from the copy, or from S3 under it, is retried and the copy stays server-side.
 */
import { createHash } from 'node:crypto';
import { rawCopyPath } from '../../src/lake/paths';
import { SERVER_RETRY } from '../../src/lake/copy-to-lake';
import { azuriteConnectionString } from '../../tools/localstack/settings';
import { buildFullExport, ExportSpec, GeneratedExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { s3Error } from './support/answers';
import { Fault, FaultProxy, NO_FAULTS, RequestInfo, startFaultProxy } from './support/fault-proxy';
import { invocations, logSize, readLog } from './support/host-log';
import {
  BUCKET,
  directClients,
  expectContainerToHold,
  expectedDocuments,
  migrationBody,
  useUploadedExports,
} from './support/migration';

const BLOCK_BYTES = 16 * 1024;

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = { LAKE_COPY_BLOCK_BYTES: String(BLOCK_BYTES) };
let s3: FaultProxy;
let lake: FaultProxy;
beforeAll(async () => {
  s3 = await startFaultProxy(stack.endpoints.s3);
  hostEnv.S3_ENDPOINT = s3.url;
  lake = await startFaultProxy(new URL(stack.endpoints.blob).origin);
  const blobPath = new URL(stack.endpoints.blob).pathname;
  hostEnv.LAKE_CONNECTION = azuriteConnectionString({ ...stack.endpoints, blob: `${lake.url}${blobPath}` });
});
afterAll(async () => {
  await s3?.stop();
  await lake?.stop();
});
const app = useAppHost(stack, hostEnv);

/** Azure Storage's 503: "The server is currently unable to receive requests. Please retry your request." */
function serverBusy(): Fault {
  return {
    kind: 'status',
    status: 503,
    headers: {
      'content-type': 'application/xml',
      'x-ms-error-code': 'ServerBusy',
      'x-ms-request-id': '00000000-0000-0000-0000-000000000503',
      'x-ms-version': '2025-01-05',
    },
    body:
      '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is currently unable ' +
      'to receive requests. Please retry your request.\nRequestId:00000000-0000-0000-0000-000000000503\n' +
      `Time:${new Date().toISOString()}</Message></Error>`,
  };
}

/** A read of a presigned URL (the lake reading the copy source, not the app's own signed GET): key and first byte. */
function presignedRead(request: RequestInfo): { key: string; start: number } | undefined {
  if (request.method !== 'GET' || !request.url.includes('X-Amz-Signature=')) return undefined;
  const path = decodeURIComponent(request.url.split('?')[0]);
  const key = path.split('/').slice(2).join('/');
  const range = /^bytes=(\d+)-/.exec(String(request.headers.range ?? ''));
  return { key, start: range ? Number(range[1]) : 0 };
}

/** Blocks after the first of every data file fail: half of them cut short, half S3's 500 InternalError. */
function sourceFailingMidCopy(reads: Map<string, number[]>): (request: RequestInfo) => Fault | undefined {
  return (request) => {
    const read = presignedRead(request);
    if (!read) return undefined;
    reads.set(read.key, [...(reads.get(read.key) ?? []), read.start]);
    if (read.start === 0) return undefined;
    return (read.start / BLOCK_BYTES) % 2 === 1
      ? { kind: 'truncate', bytes: 1000 }
      : s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
  };
}

async function migrate(generated: GeneratedExport, container: string, copyMode: string): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, container, { copyMode }));
  expect(started.status).toBe(202);
  return waitForCompletion(started.body.statusQueryGetUri, 480_000);
}

async function expectVerifiedCopies(generated: GeneratedExport, keys: string[]): Promise<void> {
  const lakeClient = directClients(stack).lake;
  for (const file of generated.files.filter((f) => keys.includes(f.key))) {
    const blob = lakeClient.getBlockBlobClient(rawCopyPath(BUCKET, file.key));
    expect(Buffer.from((await blob.getProperties()).contentMD5 ?? []).toString('base64')).toBe(file.md5Checksum);
    expect(
      createHash('md5')
        .update(await blob.downloadToBuffer())
        .digest('base64'),
    ).toBe(file.md5Checksum);
  }
}

describe('the copy source failing mid-copy', () => {
  const specs: Record<string, ExportSpec> = {
    auto: { prefix: 'exports/midcopy-auto', itemCount: 900, fileCount: 3, seed: 51 },
    server: { prefix: 'exports/midcopy-server', itemCount: 900, fileCount: 3, seed: 52 },
  };
  const generated = useUploadedExports(stack, specs);
  afterEach(() => {
    s3.plan = NO_FAULTS;
    lake.plan = NO_FAULTS;
  });

  test('auto: each file whose blocks keep failing is streamed instead, verified, within the same activity run', async () => {
    const reads = new Map<string, number[]>();
    s3.plan = sourceFailingMidCopy(reads);
    const logStart = logSize(app.logFile);
    const status = await migrate(generated.auto, 'midcopy-auto', 'auto');
    s3.plan = NO_FAULTS;

    const big = generated.auto.files.filter((f) => f.body.length > BLOCK_BYTES).map((f) => f.key);
    expect(big).toHaveLength(3);
    expect(status.runtimeStatus).toBe('Completed');
    // The files of one block (the empty one) copy server-side; the others fell back to the streamed copy.
    expect(status.output.files).toEqual(
      expect.objectContaining({
        total: 4,
        copied: 4,
        loaded: 4,
        failed: 0,
        copyMethods: { server: 1, stream: 3, skipped: 0 },
      }),
    );
    expect(status.output.validation.passed).toBe(true);
    for (const key of big) expect(reads.get(key)?.filter((start) => start > 0).length).toBeGreaterThan(0);
    expect(s3.counts.faults['truncate'] ?? 0).toBeGreaterThan(0);
    expect(s3.counts.faults['status-500'] ?? 0).toBeGreaterThan(0);
    // The fallback happened inside the copy: no activity failed and waited for Durable's retry.
    expect(invocations(readLog(app.logFile, logStart)).filter((run) => !run.ok)).toEqual([]);
    await expectVerifiedCopies(generated.auto, big);
    await expectContainerToHold(stack, 'midcopy-auto', expectedDocuments(specs.auto));
  });

  test('server: retried in place and by Durable, then each such file fails with RETRIES_EXHAUSTED naming it', async () => {
    const reads = new Map<string, number[]>();
    s3.plan = sourceFailingMidCopy(reads);
    const status = await migrate(generated.server, 'midcopy-server', 'server');
    s3.plan = NO_FAULTS;

    const big = generated.server.files.filter((f) => f.body.length > BLOCK_BYTES);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.files).toEqual(
      expect.objectContaining({
        total: 4,
        loaded: 1,
        failed: 3,
        copyMethods: { server: 1, stream: 0, skipped: 0 },
      }),
    );
    expect(status.output.files.failures).toHaveLength(3);
    for (const file of big) {
      const failure = status.output.files.failures.find((f: { file: string }) => f.file === file.key);
      expect(failure).toEqual({
        file: file.key,
        code: 'RETRIES_EXHAUSTED',
        message: expect.stringMatching(
          new RegExp(
            `^\\[RETRIES_EXHAUSTED\\] s3://${BUCKET}/${file.key.replace(/[.]/g, '\\.')}: the lake's server-side copy kept failing after ${SERVER_RETRY.maxAttempts} attempts per block \\(HTTP 500 CannotVerifyCopySource`,
          ),
        ),
      });
      // Durable ran the copy five times (transientRetry): the first block, which never fails, was read once each time.
      expect(reads.get(file.key)?.filter((start) => start === 0)).toHaveLength(5);
      // Nothing was streamed: copyMode server never reads through the app.
    }
    expect(status.output.validation.passed).toBe(false);
  });
});

describe('503 from the copy', () => {
  const spec: ExportSpec = { prefix: 'exports/busy-copy', itemCount: 600, fileCount: 2, seed: 53 };
  let generated: GeneratedExport;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(directClients(stack).s3, BUCKET, generated);
  }, 120_000);
  afterEach(() => {
    s3.plan = NO_FAULTS;
    lake.plan = NO_FAULTS;
  });

  test('ServerBusy from the lake and SlowDown from S3 under it: retried in place, every file still copied server-side', async () => {
    const [first, second] = generated.files;
    const busy = new Map<string, number>();
    // The lake answers 503 ServerBusy three times running to one block's Put Block From URL (the fourth try goes through).
    lake.plan = (request) => {
      if (request.method !== 'PUT' || request.headers['x-ms-copy-source'] === undefined) return undefined;
      if (
        !decodeURIComponent(request.url).includes(first.key) ||
        request.headers['x-ms-source-range'] !== `bytes=${BLOCK_BYTES}-${2 * BLOCK_BYTES - 1}`
      )
        return undefined;
      const n = (busy.get('lake') ?? 0) + 1;
      busy.set('lake', n);
      return n <= SERVER_RETRY.maxAttempts - 1 ? serverBusy() : undefined;
    };
    // S3 answers the lake's read of another block 503 SlowDown once: the layer answers 503 CannotVerifyCopySource.
    s3.plan = (request) => {
      const read = presignedRead(request);
      if (!read || read.key !== second.key || read.start !== BLOCK_BYTES || busy.has('s3')) return undefined;
      busy.set('s3', 1);
      return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
    };
    const logStart = logSize(app.logFile);
    const status = await migrate(generated, 'busy-copy', 'server');
    lake.plan = NO_FAULTS;
    s3.plan = NO_FAULTS;

    expect(status.runtimeStatus).toBe('Completed');
    expect(lake.counts.faults['status-503']).toBe(SERVER_RETRY.maxAttempts - 1);
    expect(s3.counts.faults['status-503']).toBe(1);
    expect(status.output.files).toEqual(
      expect.objectContaining({ total: 3, loaded: 3, failed: 0, copyMethods: { server: 3, stream: 0, skipped: 0 } }),
    );
    expect(status.output.validation.passed).toBe(true);
    expect(invocations(readLog(app.logFile, logStart)).filter((run) => !run.ok)).toEqual([]);
    await expectVerifiedCopies(
      generated,
      generated.files.map((f) => f.key),
    );
    await expectContainerToHold(stack, 'busy-copy', expectedDocuments(spec));

    // A later migration in auto mode still copies server-side: a 503 never turned the server-side copy off.
    const again = buildFullExport({ ...spec, prefix: 'exports/busy-copy-after', seed: 54 });
    await uploadExport(directClients(stack).s3, BUCKET, again);
    const after = await migrate(again, 'busy-copy-after', 'auto');
    expect(after.output.files.copyMethods).toEqual({ server: 3, stream: 0, skipped: 0 });
  });
});
