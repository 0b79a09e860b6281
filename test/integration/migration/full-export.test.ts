import { PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { rawCopyPath } from '../../../src/lake/paths';
import { DynamoItem, MappingOptions } from '../../../src/mapping';
import { buildFullExport, exportItems, ExportSpec, GeneratedExport } from '../../../tools/sample/build-export';
import { ensureBucket, uploadExport } from '../../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { Documents, expectContainerToHold, mappedDocuments } from '../../support/container';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'source-exports';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

function clients() {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return {
    s3: createS3Client(settings),
    cosmos: createCosmosClient(settings),
    lake: createLakeContainerClient(settings),
  };
}

function body(generated: GeneratedExport, container: string, options: object = {}) {
  return {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'itest', container },
    options: { sampleSize: 500, ...options },
  };
}

function expectedDocuments(spec: ExportSpec, skipFile?: number): Documents {
  const items = [...exportItems(spec)].filter(({ file }) => file !== skipFile).map(({ item }) => item as DynamoItem);
  return mappedDocuments(items, mapping);
}

describe('GET /api/health', () => {
  test('answers 200 with every dependency reachable', async () => {
    const response = await fetch(`${app.url}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { dependencies: { name: string; ok: boolean }[] };
    expect(body.dependencies.map((d) => [d.name, d.ok]).sort()).toEqual([
      ['cosmos', true],
      ['lake', true],
      ['s3', true],
    ]);
  });
});

describe('POST /api/migrations: request errors', () => {
  test('a body with problems gets 400 naming each one', async () => {
    const response = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: 'Bad_Name' },
      keySchema: {},
      target: { database: 'd' },
      extra: 1,
    });
    expect(response.status).toBe(400);
    expect(response.body.problems.map((p: { field: string }) => p.field)).toEqual(
      expect.arrayContaining([
        'extra',
        'source.bucket',
        'source.exportPrefix',
        'keySchema.partitionKey',
        'target.container',
      ]),
    );
  });

  test('a body that is not JSON gets 400', async () => {
    const response = await postJson(`${app.url}/api/migrations`, '{"source":');
    expect(response.status).toBe(400);
    expect(response.body.problems[0].message).toMatch(/not valid JSON/);
  });

  test('an export without manifest-summary.json fails the orchestration with a message naming it', async () => {
    await ensureBucket(clients().s3, BUCKET);
    const response = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: BUCKET, exportPrefix: 'nothing/here/AWSDynamoDB/01700000000000-00000000' },
      keySchema: { partitionKey: 'pk' },
      target: { database: 'itest', container: 'never' },
    });
    expect(response.status).toBe(202);
    const status = await waitForCompletion(response.body.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(
      /EXPORT_INCOMPLETE.*s3:\/\/source-exports\/nothing\/here\/AWSDynamoDB\/01700000000000-00000000\/manifest-summary.json does not exist/,
    );
  });
});

describe('a full export of 50,000 items in 8 files (plus an empty one)', () => {
  const spec: ExportSpec = { prefix: 'exports/orders', itemCount: 50_000, fileCount: 8, seed: 7 };
  let generated: GeneratedExport;
  let first: any;

  beforeAll(async () => {
    generated = buildFullExport(spec);
    await uploadExport(clients().s3, BUCKET, generated);
  }, 120_000);

  test('is migrated: 202, 409 while running, progress in customStatus, a passing report', async () => {
    const started = await postJson(`${app.url}/api/migrations`, body(generated, 'orders'));
    expect(started.status).toBe(202);
    expect(started.body).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^migrate-/),
        statusQueryGetUri: expect.any(String),
        terminatePostUri: expect.any(String),
      }),
    );

    const again = await postJson(`${app.url}/api/migrations`, body(generated, 'orders'));
    expect(again.status).toBe(409);
    expect(again.body.id).toBe(started.body.id);

    const phases = new Set<string>();
    const status = await waitForCompletion(
      started.body.statusQueryGetUri,
      300_000,
      (s) => s.customStatus?.phase && phases.add(s.customStatus.phase),
    );
    expect(status.runtimeStatus).toBe('Completed');
    expect(phases.has('loading')).toBe(true);
    first = status.output;
    expect(first).toEqual(
      expect.objectContaining({
        exportId: generated.exportId,
        exportType: 'FULL_EXPORT',
        files: expect.objectContaining({ total: 9, loaded: 9, failed: 0, copied: 9, copySkipped: 0 }),
        items: { expected: 50_000, read: 50_000, written: 50_000, deleted: 0, deadLettered: 0 },
        validation: expect.objectContaining({
          passed: true,
          countsReconciled: true,
          sampled: 500,
          mismatched: 0,
          mismatches: [],
        }),
      }),
    );
    expect(first.renames).toEqual({ id: 1, _ts: 1, _etag: 1 });
    expect(first.numbers.keptAsStrings).toBeGreaterThan(0);
    expect(first.durationMs).toBeGreaterThan(0);
    expect(status.customStatus.phase).toBe('done');
  });

  test('ran in maxParallelFiles lanes, each history under 250 events; the files view reads them', async () => {
    const url = (id: string, query = '') =>
      `${app.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}?showInput=true${query}`;
    const migration = (await (await fetch(url(first.instanceId, '&showHistory=true'))).json()) as any;
    // The state its last execution started with names the lanes: the default 8, for 9 files.
    const lanes: string[] = migration.input.resume.lanes;
    expect(lanes).toHaveLength(8);
    expect(lanes.every((id) => id.startsWith(`${first.instanceId}:`) && /:lane-\d$/.test(id))).toBe(true);
    expect(migration.historyEvents.length).toBeLessThanOrEqual(250);
    for (const id of lanes) {
      const lane = (await (await fetch(url(id, '&showHistory=true'))).json()) as any;
      expect(lane.runtimeStatus).toBe('Completed');
      expect(lane.historyEvents.length).toBeLessThanOrEqual(250);
    }
    const files = (await (await fetch(`${app.url}/api/migrations/${first.instanceId}/files`)).json()) as any;
    expect(files.totals).toMatchObject({ total: 9, loaded: 9, failed: 0 });
    expect(new Set(files.files.map((f: { lane: string }) => f.lane))).toEqual(new Set(lanes));
  });

  test('the container matches the expected mapping document by document', async () => {
    await expectContainerToHold(stack, 'itest', 'orders', expectedDocuments(spec));
  });

  test('the lake holds every raw file with the manifest checksum, and the report', async () => {
    const { lake } = clients();
    for (const file of generated.files) {
      const properties = await lake.getBlockBlobClient(rawCopyPath(BUCKET, file.key)).getProperties();
      expect(Buffer.from(properties.contentMD5 as Uint8Array).toString('base64')).toBe(file.md5Checksum);
    }
    const report = JSON.parse((await lake.getBlockBlobClient(first.lake.report).downloadToBuffer()).toString());
    expect(report.validation.passed).toBe(true);
    expect(report.exportId).toBe(generated.exportId);
  });

  test('a re-run changes nothing and duplicates nothing; copies are skipped', async () => {
    const started = await postJson(`${app.url}/api/migrations`, body(generated, 'orders'));
    expect(started.status).toBe(202);
    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(status.output.files).toEqual(expect.objectContaining({ copySkipped: 9, copied: 0, loaded: 9 }));
    expect(status.output.validation.passed).toBe(true);
    await expectContainerToHold(stack, 'itest', 'orders', expectedDocuments(spec));
  });
});

describe('a data file whose bytes do not match the manifest checksum', () => {
  const spec: ExportSpec = { prefix: 'exports/tampered', itemCount: 900, fileCount: 3, seed: 11 };

  test('fails that file with a message naming it; nothing from it is written; the others load', async () => {
    const generated = buildFullExport(spec);
    await uploadExport(clients().s3, BUCKET, generated);
    const tampered = generated.files[1];
    await clients().s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: tampered.key,
        Body: gzipSync('{"Item":{"pk":{"S":"evil"},"sk":{"N":"1"}}}\n'),
      }),
    );

    const started = await postJson(`${app.url}/api/migrations`, body(generated, 'tampered'));
    const status = await waitForCompletion(started.body.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 4, loaded: 3, failed: 1 }));
    expect(report.files.failures).toEqual([
      {
        file: tampered.key,
        code: 'CHECKSUM_MISMATCH',
        message: expect.stringContaining(`s3://${BUCKET}/${tampered.key}`),
      },
    ]);
    expect(report.validation.passed).toBe(false);
    expect(report.validation.countsReconciled).toBe(false);
    await expectContainerToHold(stack, 'itest', 'tampered', expectedDocuments(spec, 1));
    expect(await clients().lake.getBlockBlobClient(rawCopyPath(BUCKET, tampered.key)).exists()).toBe(false);
  });
});
