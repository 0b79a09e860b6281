/**
 * Hostile or careless input against the real local stack and host: names spelled as paths, aliases of one
 * export or table, identical requests racing each other, items with lone surrogates and special attribute
 * names, S3 failing in ways nobody planned for, a 50 MiB field. Every request answers 202, 400, 404 or 409;
 * nothing reaches outside its own folders; and the suite ends by searching everything it produced (answers,
 * status payloads, outputs, ledgers, reports, dead letters) for stack traces and paths of the machine.
 */
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { deadLetterPath, reportRunFolder } from '../../src/lake/paths';
import { sampleItem } from '../../tools/sample/items';
import { buildFullExport, GeneratedExport, md5Base64 } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { s3Error } from './support/answers';
import { exportOfLines, uploadWithout } from './support/exports';
import { FaultPlan, FaultProxy, startFaultProxy } from './support/fault-proxy';
import { BUCKET, countDocuments, DATABASE, directClients, migrationBody } from './support/migration';

const MISSING_BUCKET = 'hostile-missing-bucket';
const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = { ALLOWED_SOURCES: `${BUCKET}/exports/hostile,${MISSING_BUCKET}` };
let s3proxy: FaultProxy;
/** Faults the tests switch on for the keys they name; everything else reaches S3 untouched. */
const s3Faults: FaultPlan[] = [];
beforeAll(async () => {
  s3proxy = await startFaultProxy(stack.endpoints.s3);
  s3proxy.plan = (request) =>
    s3Faults.reduce<ReturnType<FaultPlan>>((fault, plan) => fault ?? plan(request), undefined);
  hostEnv.S3_ENDPOINT = s3proxy.url;
});
afterAll(async () => s3proxy?.stop());
const app = useAppHost(stack, hostEnv);

/** Every answer the suite got, searched at the end. */
const answers: { what: string; body: string }[] = [];

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  answers.push({ what: `${method} ${path.slice(0, 120)} → ${response.status}`, body: text });
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

/**
 * A request with a body of many megabytes, on a connection of its own: a pooled keep-alive connection the host
 * closes while the body is still being written would end in EPIPE, which says nothing about the app.
 */
function callLarge(method: string, path: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((done, fail) => {
    const url = new URL(`${app.url}/${path}`);
    const sent = httpRequest(
      {
        method,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          answers.push({ what: `${method} ${path} (large body) → ${response.statusCode}`, body: text });
          done({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
        response.on('error', fail);
      },
    );
    sent.on('error', fail);
    sent.end(body);
  });
}

async function finished(statusUrl: string, timeoutMs = 120_000): Promise<any> {
  const status = await waitForCompletion(statusUrl, timeoutMs);
  answers.push({ what: `status ${status.instanceId}`, body: JSON.stringify(status) });
  return status;
}

async function instanceCount(): Promise<number> {
  return ((await call('GET', 'runtime/webhooks/durabletask/instances')).body as unknown[]).length;
}

const problemsOf = (body: { problems: { field: string; message: string }[] }): Record<string, string> =>
  Object.fromEntries(body.problems.map((p) => [p.field, p.message]));

/** Rewrites manifest-files.json (and its .md5) to list `keys` for the export's data files, in order. */
function listKeys(generated: GeneratedExport, keys: string[], itemCounts?: number[]): void {
  const text =
    keys
      .map((key, i) => {
        const file = generated.files[Math.min(i, generated.files.length - 1)];
        return JSON.stringify({
          itemCount: itemCounts?.[i] ?? file.itemCount,
          md5Checksum: file.md5Checksum,
          etag: 'x-1',
          dataFileS3Key: key,
        });
      })
      .join('\n') + '\n';
  const set = (suffix: string, body: string): void => {
    const object = generated.objects.find((o) => o.key.endsWith(suffix));
    if (!object) throw new Error(`no ${suffix}`);
    object.body = Buffer.from(body);
  };
  set('/manifest-files.json', text);
  set('/manifest-files.md5', md5Base64(text));
}

const goodLines = (seed: number, count: number): string[] =>
  Array.from({ length: count }, (_, n) => JSON.stringify({ Item: sampleItem(seed, n) }));

// Migrations that meet S3 failures nobody planned for run through Durable's five attempts (about 75 s), so they
// start first and are checked last, while everything else runs.
const unknownS3Error = exportOfLines('exports/hostile/unknown-s3-error', [goodLines(901, 20)], 901);
const unparsableS3Answer = exportOfLines('exports/hostile/unparsable-s3', [goodLines(902, 20)], 902);
const slowStarts: Record<string, string> = {};
beforeAll(async () => {
  const { s3 } = directClients(stack);
  for (const generated of [unknownS3Error, unparsableS3Answer]) await uploadWithout(s3, BUCKET, generated);
  const summaryOf = (generated: GeneratedExport) => `/${BUCKET}/${generated.exportPrefix}/manifest-summary.json`;
  s3Faults.push((request) => {
    const path = request.url.split('?')[0];
    if (path === summaryOf(unknownS3Error)) return s3Error(400, 'WeirdNewError', 'Something S3 never said before');
    if (path === summaryOf(unparsableS3Answer)) {
      return { kind: 'status', status: 400, headers: { 'content-type': 'application/xml' }, body: '<<<not xml at all' };
    }
    return undefined;
  });
  for (const [name, generated] of Object.entries({ unknownS3Error, unparsableS3Answer })) {
    const started = await call('POST', 'api/migrations', migrationBody(generated, `hostile-${name}`));
    expect(started.status).toBe(202);
    slowStarts[name] = started.body.statusQueryGetUri;
  }
}, 120_000);

describe('names are data, never paths', () => {
  const victim = exportOfLines('exports/hostile/victim', [goodLines(911, 30)], 911);
  let victimReport: any;

  beforeAll(async () => {
    await uploadWithout(directClients(stack).s3, BUCKET, victim);
    const started = await call('POST', 'api/migrations', migrationBody(victim, 'hostile-victim'));
    victimReport = (await finished(started.body.statusQueryGetUri)).output;
    expect(victimReport.validation.passed).toBe(true);
  }, 180_000);

  test.each([
    ['a dot-dot escape into another bucket', `../other-bucket/${'x'}`, 'must not contain "." or ".." segments'],
    ['an empty segment', 'exports/hostile//victim', 'must not contain empty segments ("a//b")'],
    ['a dot segment', 'exports/hostile/./victim', 'must not contain "." or ".." segments'],
    [
      'a control character',
      'exports/hostile/\u0007bell',
      'must not contain control characters (U+0007 at position 16)',
    ],
  ])('exportPrefix with %s: 400 naming it, nothing started', async (_case, exportPrefix, message) => {
    const before = await instanceCount();
    const response = await call('POST', 'api/migrations', {
      ...migrationBody(victim, 'hostile-never'),
      source: { bucket: BUCKET, exportPrefix },
    });
    expect(response.status).toBe(400);
    expect(problemsOf(response.body)).toEqual({ 'source.exportPrefix': message });
    expect(await instanceCount()).toBe(before);
  });

  test('ALLOWED_SOURCES is compared segment by segment after normalisation, so `..` cannot climb out of an entry', async () => {
    const climbing = await call('POST', 'api/migrations', {
      ...migrationBody(victim, 'hostile-never'),
      source: { bucket: BUCKET, exportPrefix: 'exports/hostile/../../exports/elsewhere/AWSDynamoDB/X' },
    });
    expect(climbing.status).toBe(400);
    expect(problemsOf(climbing.body)).toEqual({ 'source.exportPrefix': 'must not contain "." or ".." segments' });
    const sibling = await call('POST', 'api/migrations', {
      ...migrationBody(victim, 'hostile-never'),
      source: { bucket: BUCKET, exportPrefix: 'exports/hostilex/AWSDynamoDB/X' },
    });
    expect(sibling.status).toBe(400);
    expect(problemsOf(sibling.body).source).toMatch(/is not in the app's ALLOWED_SOURCES/);
  });

  test.each([
    ['.', 'must not be "." or ".."'],
    ['..', 'must not be "." or ".."'],
    ['tab\there', 'must not contain control characters (U+0009 at position 3)'],
    ['lone\ud800', 'must not contain a lone UTF-16 surrogate (U+D800 at position 4): it has no UTF-8 form'],
  ])('database and container %j: 400 naming both', async (name, message) => {
    const response = await call('POST', 'api/migrations', {
      ...migrationBody(victim, 'x'),
      target: { database: name, container: name },
    });
    expect(response.status).toBe(400);
    expect(problemsOf(response.body)).toEqual({ 'target.database': message, 'target.container': message });
  });

  test("a manifest key that climbs into another export's folder fails the migration as MANIFEST_INVALID; the other export's lake copy is untouched", async () => {
    const { lake } = directClients(stack);
    const victimCopy = lake.getBlockBlobClient(`${BUCKET}/${victim.files[0].key}`);
    const before = await victimCopy.getProperties();
    const hostile = exportOfLines('exports/hostile/escape', [goodLines(912, 30)], 912);
    // `<export>/../../../victim/AWSDynamoDB/<id>/data/<file>`, with the hostile file's (different) checksum.
    const climbing = `${hostile.exportPrefix}/../../../victim/AWSDynamoDB/${victim.exportId}/data/${victim.files[0].key.split('/').pop()}`;
    listKeys(hostile, [climbing]);
    await uploadWithout(directClients(stack).s3, BUCKET, hostile);
    const started = await call('POST', 'api/migrations', migrationBody(hostile, 'hostile-escape'));
    const status = await finished(started.body.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain(
      `[MANIFEST_INVALID] s3://${BUCKET}/${hostile.exportPrefix}/manifest-files.json line 1: data file key "${climbing.slice(0, 80)}"…`,
    );
    const after = await victimCopy.getProperties();
    expect([after.etag, after.contentLength]).toEqual([before.etag, before.contentLength]);
    expect(await countDocuments(stack, 'hostile-escape')).toBe(0);
  });

  test('one data file listed in three spellings is MANIFEST_INCONSISTENT; nothing is written', async () => {
    const aliased = exportOfLines('exports/hostile/aliased', [goodLines(913, 20)], 913);
    const key = aliased.files[0].key;
    const folder = key.slice(0, key.lastIndexOf('/'));
    const name = key.slice(key.lastIndexOf('/') + 1);
    listKeys(aliased, [key, `${folder}/./${name}`, `${folder}/zz/../${name}`], [20, 20, 20]);
    const summary = aliased.objects.find((o) => o.key.endsWith('/manifest-summary.json'))!;
    const text = JSON.stringify({ ...JSON.parse(summary.body.toString()), itemCount: 60 });
    summary.body = Buffer.from(text);
    aliased.objects.find((o) => o.key.endsWith('/manifest-summary.md5'))!.body = Buffer.from(md5Base64(text));
    await uploadWithout(directClients(stack).s3, BUCKET, aliased);
    const started = await call('POST', 'api/migrations', migrationBody(aliased, 'hostile-aliased'));
    const status = await finished(started.body.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain(
      `[MANIFEST_INCONSISTENT] s3://${BUCKET}/${aliased.exportPrefix}/manifest-files.json: data file "${key}" is listed twice (entries 1 and 2, in any spelling of its key)`,
    );
    expect(await countDocuments(stack, 'hostile-aliased')).toBe(0);
  });

  test('instance ids are checked before they reach the Durable API', async () => {
    for (const id of ['..%2F..%2Finstances', '...', 'a%2Fb']) {
      expect((await call('GET', `api/migrations/${id}`)).status).toBe(400);
    }
    expect((await call('GET', 'api/migrations/migrate-00000000000000000000000000000000')).status).toBe(404);
  });

  test('a 50 MiB exportPrefix is a 400 naming the field, before anything is stored', async () => {
    const before = await instanceCount();
    const body = JSON.stringify({
      ...migrationBody(victim, 'hostile-huge'),
      source: { bucket: BUCKET, exportPrefix: `exports/hostile/${'p'.repeat(50 * 1024 * 1024)}` },
    });
    const response = await callLarge('POST', 'api/migrations', body);
    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([
      {
        field: 'source.exportPrefix',
        message: `must be at most 1002 bytes in UTF-8 (S3 keys have at most 1024), not ${16 + 50 * 1024 * 1024}`,
      },
    ]);
    expect(answers[answers.length - 1].body.length).toBeLessThan(1000);
    const table = await callLarge(
      'PUT',
      'api/tables/hostile_huge',
      JSON.stringify({
        source: { bucket: BUCKET, exportsPrefix: 'e'.repeat(50 * 1024 * 1024) },
        keySchema: { partitionKey: 'pk', sortKey: 'sk' },
        target: { database: DATABASE, container: 'hostile-huge' },
      }),
    );
    expect(table.status).toBe(400);
    expect(Object.keys(problemsOf(table.body))).toEqual(['source.exportsPrefix']);
    expect(await instanceCount()).toBe(before);
    expect((await call('GET', 'api/tables/hostile_huge')).status).toBe(404);
  });
});

describe('tables: every route and verb checks the name; aliases and races answer 400 or 409', () => {
  const TABLE = 'hostile_orders';
  // Small: the local Cosmos DB container has 400 RU/s, of which a migration takes 80% (src/cosmos/throughput.ts).
  const full = buildFullExport({ prefix: 'exports/hostile/sync', itemCount: 240, fileCount: 3, seed: 921 });
  const registration = {
    source: { bucket: BUCKET, exportsPrefix: 'exports/hostile/sync' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: DATABASE, container: 'hostile-sync' },
  };
  const registrationPath = `_sync/tables/${TABLE}/registration.json`;

  beforeAll(async () => {
    await uploadExport(directClients(stack).s3, BUCKET, full);
    expect((await call('PUT', `api/tables/${TABLE}`, registration)).status).toBe(201);
  }, 120_000);

  const pathLike = [
    `..%2F..%2F..%2Flake%2F_sync%2Ftables%2F${TABLE}`,
    `..%2F${TABLE}`,
    `x%2F..%2F${TABLE}`,
    `.%2F${TABLE}`,
    `${TABLE}%00`,
  ];

  test.each(pathLike)('GET, PUT, DELETE and POST …/sync on %s: 400, the registration untouched', async (name) => {
    const { lake } = directClients(stack);
    const before = await lake.getBlockBlobClient(registrationPath).getProperties();
    for (const [method, path, body] of [
      ['GET', `api/tables/${name}`, undefined],
      ['PUT', `api/tables/${name}`, registration],
      ['DELETE', `api/tables/${name}`, undefined],
      ['POST', `api/tables/${name}/sync`, undefined],
    ] as const) {
      const response = await call(method, path, body);
      expect([`${method} ${name}`, response.status]).toEqual([`${method} ${name}`, 400]);
      expect(response.body.problems).toEqual([
        { field: '(name)', message: 'must be a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -' },
      ]);
    }
    expect((await lake.getBlockBlobClient(registrationPath).getProperties()).etag).toBe(before.etag);
  });

  test('POST /api/tables/.%2Ft/sync is a 400 even for a table nobody registered', async () => {
    expect((await call('POST', 'api/tables/.%2Ft/sync')).status).toBe(400);
  });

  test('identical sync starts racing each other: one 202, the rest 409, never 500; aliases and DELETE cannot cut in', async () => {
    const starts = await Promise.all(Array.from({ length: 6 }, () => call('POST', `api/tables/${TABLE}/sync`)));
    expect(starts.map((s) => s.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    const started = starts.find((s) => s.status === 202)!;
    for (const alias of [`x%2F..%2F${TABLE}`, `.%2F${TABLE}`]) {
      expect((await call('POST', `api/tables/${alias}/sync`)).status).toBe(400);
      expect((await call('DELETE', `api/tables/${alias}`)).status).toBe(400);
    }
    const deleting = await call('DELETE', `api/tables/${TABLE}`);
    expect(deleting.status).toBe(409);
    const status = await finished(started.body.statusQueryGetUri, 180_000);
    expect(status.output).toEqual(expect.objectContaining({ table: TABLE, state: 'up-to-date' }));
    expect(status.output.applied).toEqual([expect.objectContaining({ exportId: full.exportId, passed: true })]);
    expect(await countDocuments(stack, 'hostile-sync')).toBe(full.itemCount);
  });

  test('a synced table whose bucket does not exist: the sync fails with [EXPORT_NOT_FOUND], in its output and its ledger', async () => {
    // The longest table name there is: its sync's instance id is shortened to fit Durable's 256 characters.
    const name = `hostile_nobucket_${'x'.repeat(255 - 17)}`;
    expect(
      (
        await call('PUT', `api/tables/${name}`, {
          ...registration,
          source: { bucket: MISSING_BUCKET, exportsPrefix: 'x' },
        })
      ).status,
    ).toBe(201);
    const started = await call('POST', `api/tables/${name}/sync`);
    expect(started.status).toBe(202);
    const status = await finished(started.body.statusQueryGetUri);
    const reason = `[EXPORT_NOT_FOUND] bucket "${MISSING_BUCKET}" does not exist (reading s3://${MISSING_BUCKET}/x/AWSDynamoDB/)`;
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(expect.objectContaining({ state: 'failed', reason }));
    const table = await call('GET', `api/tables/${name}`);
    expect(table.body.ledger.status).toEqual(expect.objectContaining({ state: 'failed', reason }));
  });
});

describe('races: identical starts of one migration', () => {
  test('six identical starts at once: one 202, five 409 with the running instance, never 500', async () => {
    const generated = buildFullExport({ prefix: 'exports/hostile/race', itemCount: 240, fileCount: 3, seed: 931 });
    await uploadExport(directClients(stack).s3, BUCKET, generated);
    const body = migrationBody(generated, 'hostile-race');
    const starts = await Promise.all(Array.from({ length: 6 }, () => call('POST', 'api/migrations', body)));
    expect(starts.map((s) => s.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    const started = starts.find((s) => s.status === 202)!;
    for (const refused of starts.filter((s) => s.status === 409)) {
      expect(refused.body.id).toBe(started.body.id);
      expect(refused.body.error).toMatch(/^this export is already being migrated into faults\/hostile-race/);
    }
    const status = await finished(started.body.statusQueryGetUri, 180_000);
    expect(status.output.validation.passed).toBe(true);
    expect(status.output.items.written).toBe(generated.itemCount);
  });
});

describe('validation survives any item', () => {
  test('a lone surrogate in a key is dead-lettered with its reason; __proto__ and constructor are stored and validated', async () => {
    const good = goodLines(941, 40);
    const lone = '{"Item":{"pk":{"S":"CUST#\\ud800"},"sk":{"N":"1"},"note":{"S":"lone"}}}';
    const special =
      '{"Item":{"pk":{"S":"SPECIAL"},"sk":{"N":"2"},"__proto__":{"M":{"polluted":{"BOOL":true}}},"constructor":{"S":"c"},"toString":{"N":"3"},"note":{"S":"x\\udc00y"}}}';
    const generated = exportOfLines(
      'exports/hostile/items',
      [[...good.slice(0, 20), lone, special, ...good.slice(20)]],
      941,
    );
    await uploadWithout(directClients(stack).s3, BUCKET, generated);
    const started = await call('POST', 'api/migrations', migrationBody(generated, 'hostile-items'));
    const status = await finished(started.body.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.items).toEqual({ expected: 42, read: 42, written: 41, deleted: 0, deadLettered: 1 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, sampled: 41, mismatched: 0 }));

    const letters = (
      await directClients(stack)
        .lake.getBlockBlobClient(deadLetterPath(reportRunFolder(report), 0))
        .downloadToBuffer()
    )
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(letters).toEqual([
      {
        file: generated.files[0].key,
        line: 21,
        reason: expect.stringMatching(
          /^\[BAD_VALUE\] pk: the key value holds a lone UTF-16 surrogate \(U\+D800 at position 5\)/,
        ),
        raw: lone,
      },
    ]);
    const { resource } = await directClients(stack)
      .cosmos.database(DATABASE)
      .container('hostile-items')
      .item('SPECIAL|2', 'SPECIAL')
      .read<Record<string, unknown>>();
    expect(Object.hasOwn(resource!, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(resource, '__proto__')?.value).toEqual({ polluted: true });
    expect([resource!.constructor, resource!.toString, resource!.note]).toEqual(['c', 3, 'x\udc00y']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('errors cross the API as codes and messages only', () => {
  test('S3 errors nobody planned for end as [TRANSIENT] naming the object, after the retries, without a stack', async () => {
    const unknown = await finished(slowStarts.unknownS3Error, 240_000);
    expect(unknown.runtimeStatus).toBe('Failed');
    expect(unknown.output).toBe(
      `Orchestrator function 'migrateExport' failed: [TRANSIENT] s3://${BUCKET}/${unknownS3Error.exportPrefix}/manifest-summary.json: S3 answered HTTP 400 WeirdNewError (Something S3 never said before)`,
    );
    const unparsable = await finished(slowStarts.unparsableS3Answer, 240_000);
    expect(unparsable.runtimeStatus).toBe('Failed');
    expect(String(unparsable.output)).toMatch(
      new RegExp(
        `^Orchestrator function 'migrateExport' failed: \\[TRANSIENT\\] s3://${BUCKET}/${unparsableS3Answer.exportPrefix}/manifest-summary.json: `,
      ),
    );
    const viaApi = await call('GET', `api/migrations/${unparsable.instanceId}`);
    expect(viaApi.body.output).toMatch(/^\[TRANSIENT\] s3:\/\//);
  }, 300_000);

  test('no stack trace and no path of the machine in any answer, status, output, ledger, report or dead letter', async () => {
    const payloads: { what: string; body: string }[] = [...answers];
    const instances = (await call('GET', 'runtime/webhooks/durabletask/instances')).body as {
      instanceId: string;
      name: string;
    }[];
    for (const { instanceId } of instances) {
      payloads.push({
        what: `status of ${instanceId}`,
        body: JSON.stringify(
          (await call('GET', `runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`)).body,
        ),
      });
      if (instanceId.startsWith('migrate-') && !instanceId.includes(':')) {
        payloads.push({
          what: `GET /api/migrations/${instanceId}`,
          body: JSON.stringify((await call('GET', `api/migrations/${instanceId}`)).body),
        });
      }
    }
    const tables = (await call('GET', 'api/tables')).body.tables as { name: string }[];
    for (const { name } of tables) {
      payloads.push({
        what: `GET /api/tables/${name}`,
        body: JSON.stringify((await call('GET', `api/tables/${name}`)).body),
      });
    }
    const { lake } = directClients(stack);
    const kinds = { report: 0, deadLetter: 0, ledger: 0 };
    for await (const blob of lake.listBlobsFlat()) {
      const kind = blob.name.endsWith('/report.json')
        ? 'report'
        : blob.name.includes('/deadletter/')
          ? 'deadLetter'
          : blob.name.endsWith('/ledger.json')
            ? 'ledger'
            : undefined;
      if (!kind) continue;
      kinds[kind]++;
      payloads.push({
        what: `lake ${blob.name}`,
        body: (await lake.getBlockBlobClient(blob.name).downloadToBuffer()).toString('utf8'),
      });
    }
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const leaks: [string, RegExp][] = [
      ['stack frame', /\n\s*at \S|\bat \S+ \([^)]*:\d+:\d+\)|\bat (?:\/|file:|node:)/],
      ['StackTraceString', /StackTraceString/],
      ['node_modules', /node_modules/],
      ['the repository path', new RegExp(escape(resolve(__dirname, '../..')))],
      ['dist/', /(?:^|[\s"'(/])dist\//],
      ['the temporary directory', new RegExp(`${escape(tmpdir())}/`)],
    ];
    const found = payloads.flatMap(({ what, body }) =>
      leaks.filter(([, pattern]) => pattern.test(body)).map(([name]) => `${what}: ${name}`),
    );
    expect(instances.length).toBeGreaterThanOrEqual(8);
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(kinds.report).toBeGreaterThanOrEqual(3);
    expect(kinds.deadLetter).toBeGreaterThanOrEqual(3);
    expect(kinds.ledger).toBeGreaterThanOrEqual(2);
    expect(found).toEqual([]);
  }, 120_000);
});
