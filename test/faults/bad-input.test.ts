import { gzipSync } from 'node:zlib';
import { deadLetterPath, reportRunFolder } from '../../src/lake/paths';
import { DynamoItem, mapItem, newMappingStats } from '../../src/mapping';
import { sampleItem } from '../../tools/sample/items';
import { GeneratedExport } from '../../tools/sample/build-export';
import { postJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { dataFile, exportOfLines, rewriteManifests, uploadWithout } from './support/exports';
import { cosmosItemSizeLimit } from './support/answers';
import { cosmosServerCertificate, FaultProxy, startFaultProxy } from './support/fault-proxy';
import {
  BUCKET,
  countDocuments,
  DATABASE,
  directClients,
  expectContainerToHold,
  MAPPING,
  migrationBody,
} from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = { ALLOWED_SOURCES: `${BUCKET}/exports/bad,missing-exports` };
let cosmos: FaultProxy;
beforeAll(async () => {
  // The local Cosmos server accepts documents of any size; in front of it, the 2 MB item limit of the service.
  cosmos = await startFaultProxy(stack.endpoints.cosmos, { tls: cosmosServerCertificate() });
  cosmos.operationVerdict = cosmosItemSizeLimit;
  hostEnv.COSMOS_ENDPOINT = cosmos.url;
});
afterAll(async () => cosmos?.stop());
const app = useAppHost(stack, hostEnv);

const goodLine = (seed: number, n: number): string => JSON.stringify({ Item: sampleItem(seed, n) });
/** Items `from`… of a sample table; ranges that do not overlap have distinct keys. */
const goodLines = (seed: number, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, n) => goodLine(seed, from + n));
const documentsOf = (lines: string[]): Map<string, Record<string, unknown>> =>
  new Map(
    lines.map((line) => {
      const mapped = mapItem((JSON.parse(line) as { Item: DynamoItem }).Item, MAPPING, newMappingStats());
      return [mapped.id, mapped.document];
    }),
  );

async function migrate(generated: GeneratedExport, container: string, options: object = {}): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, migrationBody(generated, container, options));
  expect(started.status).toBe(202);
  return waitForCompletion(started.body.statusQueryGetUri, 180_000);
}

/** The orchestration's failure message, which must name its error code exactly once. */
function failureOf(status: { runtimeStatus: string; output: unknown }): string {
  expect(status.runtimeStatus).toBe('Failed');
  const message = String(status.output);
  expect(message.match(/\[[A-Z_]+\]/g)).toHaveLength(1);
  return message;
}

async function instanceCount(): Promise<number> {
  const response = await fetch(`${app.url}/runtime/webhooks/durabletask/instances`);
  return ((await response.json()) as unknown[]).length;
}

async function containerExists(container: string): Promise<boolean> {
  try {
    await directClients(stack).cosmos.database(DATABASE).container(container).read();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

describe('request-level problems: 400 naming each one, nothing started', () => {
  test('fields of the wrong type and unknown fields', async () => {
    const before = await instanceCount();
    const response = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: BUCKET, exportPrefix: 42, region: 'eu-west-1' },
      keySchema: { partitionKey: ['pk'] },
      target: 'app/orders',
      options: { sampleSize: '500', bulkConcurrency: 0, turbo: true },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid request');
    const problems = Object.fromEntries(
      response.body.problems.map((p: { field: string; message: string }) => [p.field, p.message]),
    );
    expect(problems).toEqual(
      expect.objectContaining({
        'source.exportPrefix': 'must be a non-empty string',
        'source.region': expect.stringContaining('is not a known field'),
        'keySchema.partitionKey': 'must be a non-empty string',
        target: 'must be an object',
        'options.sampleSize': expect.stringContaining('must be an integer'),
        'options.bulkConcurrency': 'must be an integer from 1 to 64',
        'options.turbo': expect.stringContaining('is not a known field'),
      }),
    );
    expect(await instanceCount()).toBe(before);
  });

  test.each([
    ['another bucket', 'other-exports', 'exports/bad/AWSDynamoDB/01700000000000-00000000'],
    ['a sibling prefix', BUCKET, 'exports/badly/AWSDynamoDB/01700000000000-00000000'],
  ])('a source outside ALLOWED_SOURCES (%s)', async (_case, bucket, exportPrefix) => {
    const before = await instanceCount();
    const response = await postJson(`${app.url}/api/migrations`, {
      source: { bucket, exportPrefix },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: DATABASE, container: 'never' },
    });
    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([
      {
        field: 'source',
        message: `s3://${bucket}/${exportPrefix} is not in the app's ALLOWED_SOURCES; ask the operator to add it`,
      },
    ]);
    expect(await instanceCount()).toBe(before);
  });
});

describe('export-level problems: the migration fails naming the manifest, nothing is written', () => {
  const lines = goodLines(51, 0, 40);

  test('an incomplete export: manifest-files.json is missing', async () => {
    const generated = exportOfLines('exports/bad/incomplete', [lines]);
    await uploadWithout(directClients(stack).s3, BUCKET, generated, [`${generated.exportPrefix}/manifest-files.json`]);
    const status = await migrate(generated, 'incomplete');
    expect(failureOf(status)).toContain(
      `[EXPORT_INCOMPLETE] s3://${BUCKET}/${generated.exportPrefix}/manifest-files.json does not exist: the export is incomplete`,
    );
    expect(await containerExists('incomplete')).toBe(false);
  });

  test('a bucket that does not exist', async () => {
    const response = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: 'missing-exports', exportPrefix: 'exports/bad/AWSDynamoDB/01700000000000-00000000' },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: DATABASE, container: 'no-bucket' },
    });
    const status = await waitForCompletion(response.body.statusQueryGetUri, 60_000);
    expect(failureOf(status)).toContain(
      '[EXPORT_NOT_FOUND] bucket "missing-exports" does not exist (reading s3://missing-exports/exports/bad/AWSDynamoDB/01700000000000-00000000/manifest-summary.json)',
    );
    expect(await containerExists('no-bucket')).toBe(false);
  });

  test('an unsupported outputFormat', async () => {
    const generated = rewriteManifests(exportOfLines('exports/bad/csv', [lines]), { outputFormat: 'CSV' });
    await uploadWithout(directClients(stack).s3, BUCKET, generated);
    const status = await migrate(generated, 'csv');
    expect(failureOf(status)).toContain(
      `[UNSUPPORTED_FORMAT] s3://${BUCKET}/${generated.exportPrefix}/manifest-summary.json: outputFormat "CSV" is not supported; export the table again with ExportFormat DYNAMODB_JSON or ION`,
    );
    expect(await containerExists('csv')).toBe(false);
  });

  test('a manifest that does not match its checksum file', async () => {
    const generated = exportOfLines('exports/bad/manifest-md5', [lines]);
    const sidecar = generated.objects.find((o) => o.key.endsWith('/manifest-files.md5'));
    if (sidecar) sidecar.body = Buffer.from('AAAAAAAAAAAAAAAAAAAAAA==');
    await uploadWithout(directClients(stack).s3, BUCKET, generated);
    const status = await migrate(generated, 'manifest-md5');
    expect(failureOf(status)).toContain(
      `[CHECKSUM_MISMATCH] s3://${BUCKET}/${generated.exportPrefix}/manifest-files.json does not match its checksum file ${generated.exportPrefix}/manifest-files.md5`,
    );
    expect(await containerExists('manifest-md5')).toBe(false);
  });

  test('a container partitioned on another path', async () => {
    const { database } = await directClients(stack).cosmos.databases.createIfNotExists({ id: DATABASE });
    await database.containers.createIfNotExists({ id: 'pk-differs', partitionKey: { paths: ['/sk'] } });
    const generated = exportOfLines('exports/bad/pk-differs', [lines]);
    await uploadWithout(directClients(stack).s3, BUCKET, generated);
    const status = await migrate(generated, 'pk-differs');
    expect(failureOf(status)).toContain(
      `[PARTITION_KEY_MISMATCH] container ${DATABASE}/pk-differs is partitioned on [/sk] but the migration needs [/pk]`,
    );
    expect(await countDocuments(stack, 'pk-differs')).toBe(0);
  });
});

describe('file-level problems: that file fails naming it, the other files load', () => {
  test('a listed file that is absent, a truncated gzip file and bytes that are not gzip', async () => {
    const files = [
      goodLines(61, 0, 300),
      goodLines(61, 300, 100),
      goodLines(61, 400, 400),
      [],
      goodLines(61, 800, 300),
    ];
    const generated = exportOfLines('exports/bad/files', files);
    const whole = gzipSync(files[2].join('\n') + '\n');
    generated.files[2] = dataFile(generated.files[2].key, whole.subarray(0, Math.floor(whole.length * 0.6)), 400);
    generated.files[3] = dataFile(generated.files[3].key, Buffer.from('this is not gzip data\n'), 0);
    rewriteManifests(generated);
    const [absent, truncated, notGzip] = [generated.files[1].key, generated.files[2].key, generated.files[3].key];
    await uploadWithout(directClients(stack).s3, BUCKET, generated, [absent]);

    const status = await migrate(generated, 'bad-files');
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 5, loaded: 2, failed: 3 }));
    const failures = Object.fromEntries(
      report.files.failures.map((f: { file: string; code: string; message: string }) => [f.file, f]),
    );
    expect(failures[absent]).toEqual({
      file: absent,
      code: 'DATA_FILE_MISSING',
      message: `[DATA_FILE_MISSING] s3://${BUCKET}/${absent} is listed in the manifest but does not exist`,
    });
    expect(failures[notGzip]).toEqual(
      expect.objectContaining({
        code: 'CORRUPT_GZIP',
        message: expect.stringContaining(`${notGzip}: gzip data is corrupt or truncated after line 0`),
      }),
    );
    expect(failures[truncated].code).toBe('CORRUPT_GZIP');
    const cut =
      /: gzip data is (?:corrupt or )?truncated after line (\d+).*the lines before it were loaded \((\d+) written, 0 dead-lettered\)/.exec(
        failures[truncated].message,
      );
    expect(failures[truncated].message).toContain(truncated);
    expect(cut).not.toBeNull();
    const [readable, written] = [Number(cut?.[1]), Number(cut?.[2])];
    expect(readable).toBeGreaterThan(0);
    expect(readable).toBeLessThan(400);
    expect(written).toBe(readable);
    // What the truncated file wrote before the break is counted: the counts agree with the container.
    expect(report.items).toEqual(
      expect.objectContaining({ expected: 1100, read: 600 + readable, written: 600 + readable, deadLettered: 0 }),
    );
    expect(report.validation.countsReconciled).toBe(false);
    expect(report.validation.passed).toBe(false);

    // Everything readable is in the container, nothing else: files 0 and 4 and the first lines of the truncated file.
    const expected = new Map([
      ...documentsOf(files[0]),
      ...documentsOf(files[4]),
      ...documentsOf(files[2].slice(0, readable)),
    ]);
    await expectContainerToHold(stack, 'bad-files', expected);
  });
});

describe('line-level problems: dead-lettered with file, line and reason, counted; every other line is written', () => {
  test('a line that is not JSON, an unknown type descriptor, a missing key, a bad number, no Item, a document Cosmos rejects', async () => {
    const good = goodLines(71, 0, 200);
    const second = goodLines(71, 200, 100);
    const bad: [number, string, RegExp][] = [
      [3, '{"Item": {"pk": {"S": "CUST#broken"}', /line is not valid JSON/],
      [10, '{"Item":{"pk":{"S":"CUST#q"},"sk":{"N":"1"},"colour":{"Q":"teal"}}}', /unknown type descriptor "Q"/],
      [20, '{"Item":{"pk":{"S":"CUST#m"},"note":{"S":"no sort key"}}}', /sk.*the key attribute is missing/],
      [30, '{"Item":{"pk":{"S":"CUST#n"},"sk":{"N":"1"},"price":{"N":"12.3.4"}}}', /price/],
      [40, '{"NewImage":{"pk":{"S":"CUST#i"},"sk":{"N":"1"}}}', /a full export line must have an "Item" object/],
      [
        50,
        JSON.stringify({ Item: { pk: { S: 'CUST#big' }, sk: { N: '1' }, blob: { S: 'x'.repeat(2_200_000) } } }),
        /Cosmos DB rejected the document \(HTTP 413\)/,
      ],
    ];
    const lines = [...good];
    for (const [at, line] of bad) lines.splice(at - 1, 0, line);
    const generated = exportOfLines('exports/bad/lines', [lines, second]);
    await uploadWithout(directClients(stack).s3, BUCKET, generated);

    const status = await migrate(generated, 'bad-lines');
    expect(status.runtimeStatus).toBe('Completed');
    const report = status.output;
    expect(report.files).toEqual(expect.objectContaining({ total: 2, loaded: 2, failed: 0 }));
    expect(report.items).toEqual({ expected: 306, read: 306, written: 300, deleted: 0, deadLettered: 6 });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true }));
    expect(status.customStatus.items.deadLettered).toBe(6);

    const letters = (
      await directClients(stack)
        .lake.getBlockBlobClient(deadLetterPath(reportRunFolder(report), 0))
        .downloadToBuffer()
    )
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; raw: string });
    expect(letters.map((l) => l.line).sort((a, b) => a - b)).toEqual(bad.map(([at]) => at));
    for (const [at, raw, reason] of bad) {
      const letter = letters.find((l) => l.line === at);
      expect(letter).toEqual({ file: generated.files[0].key, line: at, reason: expect.stringMatching(reason), raw });
    }
    expect(
      await directClients(stack)
        .lake.getBlockBlobClient(deadLetterPath(reportRunFolder(report), 1))
        .downloadToBuffer(),
    ).toHaveLength(0);
    await expectContainerToHold(stack, 'bad-lines', new Map([...documentsOf(good), ...documentsOf(second)]));
  });
});
