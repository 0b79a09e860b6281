import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AZURITE_KEY } from '../../tools/localstack/constants';
import { localS3ClientConfig } from '../../tools/localstack/s3-client-config';
import { buildFullExport, GeneratedExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { s3Error } from './support/answers';
import { FaultProxy, startFaultProxy } from './support/fault-proxy';
import { BUCKET, directClients, migrationBody } from './support/migration';
import { call as apiCall } from '../../src/cli/api-client';

/** s3rver ships no types; the part used here. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
}) => S3rverInstance;

/** Secrets no one has seen before, so any occurrence anywhere is a leak. */
const FUNCTION_KEY = randomBytes(24).toString('base64url');
const COSMOS_KEY = randomBytes(64).toString('base64');
const AWS_ACCESS_KEY_ID = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
const AWS_SECRET_ACCESS_KEY = randomBytes(30).toString('base64');
const SECRETS: Record<string, string> = {
  FUNCTION_KEY,
  COSMOS_KEY,
  AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY,
  AZURITE_ACCOUNT_KEY: AZURITE_KEY,
};
/** Shapes of credentials in URLs and connection strings: SAS signatures, presigned URL signatures and credentials, account keys. */
const SECRET_SHAPES: Record<string, RegExp> = {
  'SAS signature': /[?&]sig=/i,
  'presigned URL signature': /X-Amz-Signature/i,
  'presigned URL credential': /X-Amz-Credential/i,
  'account key': /AccountKey=/i,
  'session token': /X-Amz-Security-Token/i,
};

function leaksIn(where: string, text: string): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    // A prefix too, in case something printed a truncated secret.
    if (text.includes(secret) || text.includes(secret.slice(0, 16))) found.push(`${where}: ${name}`);
  }
  for (const [name, shape] of Object.entries(SECRET_SHAPES)) if (shape.test(text)) found.push(`${where}: ${name}`);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const stack = useLocalStack({ quiet: true, applyEnv: true });
const s3Dir = mkdtempSync(join(tmpdir(), 's3rver-secrets-'));
const hostEnv: Record<string, string> = {
  DEVHOST_FUNCTION_KEY: FUNCTION_KEY,
  COSMOS_KEY,
  AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY,
};
let s3server: S3rverInstance;
let s3proxy: FaultProxy;
let s3: S3Client;
beforeAll(async () => {
  // An S3 server of its own that knows only this test's key pair (the stack's s3rver accepts its built-in key only).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver ships no types; its account registry is patched in place
  const S3rver = require('s3rver') as S3rverClass;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
  const accounts = require('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  accounts.DUMMY_ACCOUNT.createKeyPair(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY);
  s3server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true });
  const { port } = await s3server.run();
  s3proxy = await startFaultProxy(`http://127.0.0.1:${port}`);
  hostEnv.S3_ENDPOINT = s3proxy.url;
  s3 = new S3Client({
    ...localS3ClientConfig(`http://127.0.0.1:${port}`),
    credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
  });
});
afterAll(async () => {
  await s3proxy?.stop();
  await s3server?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});
const app = useAppHost(stack, hostEnv);

/** The app's API as the CLI calls it; `headers` carries the function key when a test sends one. */
function call(
  method: string,
  path: string,
  headers: { 'x-functions-key'?: string } = {},
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return apiCall({ baseUrl: app.url, functionKey: headers['x-functions-key'] }, method, path.replace(/^\//, ''), body);
}

describe('outside local mode (a function key is configured)', () => {
  let generated: GeneratedExport;
  const instances: string[] = [];

  beforeAll(async () => {
    generated = buildFullExport({ prefix: 'exports/secret', itemCount: 900, fileCount: 3, seed: 81 });
    await uploadExport(s3, BUCKET, generated);
  }, 120_000);

  test('the migrations API needs the key; health does not', async () => {
    const body = migrationBody(generated, 'secret-auth');
    expect((await call('POST', '/api/migrations', {}, body)).status).toBe(401);
    expect((await call('POST', '/api/migrations', { 'x-functions-key': `${FUNCTION_KEY}x` }, body)).status).toBe(401);
    expect(
      (await call('POST', `/api/migrations?code=${encodeURIComponent(FUNCTION_KEY.slice(1))}`, {}, body)).status,
    ).toBe(401);
    expect((await call('GET', '/api/migrations/migrate-00000000000000000000000000000000')).status).toBe(401);
    expect((await call('GET', '/api/health')).status).not.toBe(401);

    const started = await call('POST', '/api/migrations', { 'x-functions-key': FUNCTION_KEY }, body);
    expect(started.status).toBe(202);
    instances.push(started.body.id);
    const viaQuery = await call('GET', `/api/migrations/${started.body.id}?code=${encodeURIComponent(FUNCTION_KEY)}`);
    expect([200, 202]).toContain(viaQuery.status);
    const status = await waitForCompletion(started.body.statusQueryGetUri, 120_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.validation.passed).toBe(true);
  });

  test('no secret reaches the log, status, output, report, lake files or Durable state, on success or failure', async () => {
    const key = { 'x-functions-key': FUNCTION_KEY };
    // Failures whose messages could carry a URL or a credential: S3 refusing one file, S3 refusing the lake's
    // server-side copy from a presigned URL (the lake answers CannotVerifyCopySource), S3 refusing the manifest.
    const [fileDenied, serverCopy, manifestDenied] = [82, 83, 84].map((seed) =>
      buildFullExport({ prefix: `exports/secret-${seed}`, itemCount: 60, fileCount: 2, seed }),
    );
    for (const each of [fileDenied, serverCopy, manifestDenied]) await uploadExport(s3, BUCKET, each);
    const deniedFile = fileDenied.files[0].key;
    const deniedServerCopy = serverCopy.files[0].key;
    s3proxy.plan = (request) =>
      request.url.split('?')[0].endsWith(`/${deniedFile}`) ||
      request.url.split('?')[0].endsWith(`/${deniedServerCopy}`) ||
      request.url.split('?')[0].endsWith(`/${manifestDenied.exportPrefix}/manifest-summary.json`)
        ? s3Error(403, 'AccessDenied', 'Access Denied')
        : undefined;
    const runs = [
      migrationBody(fileDenied, 'secret-file-denied'),
      migrationBody(serverCopy, 'secret-server-copy', { copyMode: 'server' }),
      migrationBody(manifestDenied, 'secret-manifest-denied'),
    ];
    const outcomes: string[] = [];
    for (const body of runs) {
      const started = await call('POST', '/api/migrations', key, body);
      expect(started.status).toBe(202);
      instances.push(started.body.id);
      const status = await waitForCompletion(started.body.statusQueryGetUri, 120_000);
      outcomes.push(
        status.runtimeStatus === 'Completed'
          ? status.output.files.failures.map((f: { code: string }) => f.code).join(',')
          : String(status.output),
      );
    }
    s3proxy.plan = () => undefined;
    expect(outcomes[0]).toBe('SOURCE_ACCESS_DENIED');
    expect(outcomes[1]).toBe('SOURCE_ACCESS_DENIED');
    expect(outcomes[2]).toMatch(/failed: \[SOURCE_ACCESS_DENIED\] s3:\/\/source-exports\/exports\/secret-84\//);
    // A rejected key attempt is logged without the key that was tried.
    await call('POST', '/api/migrations', { 'x-functions-key': `${FUNCTION_KEY}-wrong` }, runs[0]);

    const leaks: string[] = [];
    leaks.push(...leaksIn('host log', readFileSync(app.logFile, 'utf8')));
    const everyInstance = (await call('GET', '/runtime/webhooks/durabletask/instances?showInput=true')).body as {
      instanceId: string;
    }[];
    for (const { instanceId } of everyInstance) {
      const status = await call(
        'GET',
        `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?showHistory=true&showHistoryOutput=true&showInput=true`,
      );
      leaks.push(...leaksIn(`status of ${instanceId}`, JSON.stringify(status.body)));
    }
    for (const id of instances)
      leaks.push(
        ...leaksIn(`GET /api/migrations/${id}`, JSON.stringify((await call('GET', `/api/migrations/${id}`, key)).body)),
      );
    for (const file of filesUnder(join(dirname(app.logFile), 'durable')))
      leaks.push(...leaksIn(`Durable state ${file}`, readFileSync(file, 'utf8')));
    const { lake } = directClients(stack);
    let blobs = 0;
    for await (const blob of lake.listBlobsFlat()) {
      if (blob.name.endsWith('.json.gz')) continue;
      blobs++;
      leaks.push(
        ...leaksIn(`lake ${blob.name}`, (await lake.getBlockBlobClient(blob.name).downloadToBuffer()).toString('utf8')),
      );
    }
    expect(everyInstance.length).toBeGreaterThanOrEqual(4);
    expect(blobs).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  });
});
