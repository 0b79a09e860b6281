/**
 * Amazon Ion exports on the local stack (issue 17): a full Ion export of a table with every type, every decimal
 * spelling, escaped keys, ids over 1,023 bytes and reserved names migrates into exactly the documents the same
 * table gives when exported as DynamoDB JSON, and passes validation; unreadable Ion lines are dead-lettered with
 * the reason; table sync applies a chain of exports that mixes both formats.
 */
import { PartitionKeyDefinitionVersion } from '@azure/cosmos';
import { gunzipSync } from 'node:zlib';
import { createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { deadLetterPath, reportRunFolder } from '../../../src/lake/paths';
import { DynamoItem, MappingOptions } from '../../../src/mapping';
import {
  buildFullExport,
  GeneratedExport,
  gzipDataFile,
  manifestObjects,
  toIonExport,
} from '../../../tools/sample/build-export';
import { edgeCaseItems, sampleItem, typeCaseItems } from '../../../tools/sample/items';
import { uploadExport } from '../../../tools/sample/upload-export';
import { postJson, requestJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { expectContainerToHold, mappedDocuments, testCosmosClient } from '../../support/container';
import { useLocalStack } from '../../support/stack';
import { hoursAfter, T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'ion-exports';
const DATABASE = 'ion';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

function clients() {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  return { s3: createS3Client(settings), lake: createLakeContainerClient(settings) };
}

/**
 * The target containers, made beforehand with room to write: a container the migration creates gets 400 RU/s,
 * which the local Cosmos server enforces, and the test is about formats, not throttling.
 */
beforeAll(async () => {
  const { database } = await testCosmosClient(stack).databases.createIfNotExists({ id: DATABASE });
  for (const id of ['from-ion', 'from-json', 'ion-bad', 'mixed'])
    await database.containers.createIfNotExists({
      id,
      // Version 2, as the app creates containers: keys up to 2 KB (the table has a 1,100-byte one).
      partitionKey: { paths: ['/pk'], version: PartitionKeyDefinitionVersion.V2 },
      throughput: 10_000,
    });
}, 120_000);

async function migrate(generated: GeneratedExport, container: string): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: DATABASE, container },
    options: { sampleSize: 800 },
  });
  expect(started.status).toBe(202);
  const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

describe('a full export of one table, as Ion and as DynamoDB JSON', () => {
  const items: DynamoItem[] = [
    ...edgeCaseItems(),
    ...typeCaseItems(),
    ...Array.from({ length: 1500 }, (_, n) => sampleItem(17, n)),
  ];
  const spec = { itemCount: 0, fileCount: 3, items, seed: 17 };
  // `literal`: each N string spelled as itself in Ion, so 103., 6d2, 2d3, 5d-1, 0.50 and -0. are all in the file.
  const ion = buildFullExport({ ...spec, prefix: 'exports/ion', format: 'ION', ionSpelling: 'literal' });
  const json = buildFullExport({ ...spec, prefix: 'exports/json' });

  beforeAll(async () => {
    for (const generated of [ion, json]) await uploadExport(clients().s3, BUCKET, generated);
  }, 120_000);

  test('migrate into identical documents, and both pass validation', async () => {
    const text = ion.files.map((f) => gunzipSync(f.body).toString()).join('');
    for (const spelling of [':103.', ':6d2', ':2d3', ':5d-1', ':0.50', ':-0.,', '$dynamodb_NS::[', "'odd-name':"])
      expect(text).toContain(spelling);

    const fromIon = await migrate(ion, 'from-ion');
    const fromJson = await migrate(json, 'from-json');
    for (const report of [fromIon, fromJson]) {
      expect(report).toEqual(
        expect.objectContaining({
          exportType: 'FULL_EXPORT',
          files: expect.objectContaining({ total: 4, loaded: 4, failed: 0 }),
          items: { expected: items.length, read: items.length, written: items.length, deleted: 0, deadLettered: 0 },
          validation: expect.objectContaining({ passed: true, countsReconciled: true, mismatched: 0 }),
        }),
      );
    }
    expect(fromIon.validation.sampled).toBe(800);
    // The same renames and numbers kept as strings, path by path.
    expect(fromIon.renames).toEqual(fromJson.renames);
    expect(fromIon.renames).toEqual(expect.objectContaining({ id: 1, _ts: 1, _etag: 1 }));
    expect(fromIon.numbers).toEqual(fromJson.numbers);

    const expected = mappedDocuments(items, mapping);
    expect([...expected.keys()].some((id) => id.startsWith('sha256-'))).toBe(true);
    expect(expected.has('a%2Fb%5Cc%3Fd%23e%7Cf%25g|3')).toBe(true);
    await expectContainerToHold(stack, DATABASE, 'from-ion', expected);
    await expectContainerToHold(stack, DATABASE, 'from-json', expected);
  });
});

describe('Ion lines that cannot be read', () => {
  test('are dead-lettered with file, line and reason; every other line is written', async () => {
    const good = Array.from({ length: 40 }, (_, n) => sampleItem(23, n));
    const base = buildFullExport({ prefix: 'exports/ion-bad', itemCount: 0, fileCount: 1, items: good, format: 'ION' });
    const lines = gunzipSync(base.files[0].body).toString().trim().split('\n');
    const bad: [number, string, RegExp][] = [
      [
        2,
        '$ion_1_0 {Item:{pk:"CUST#t",sk:1.,when:2026-01-01T}}',
        /^Item\.when: an Ion timestamp is not a DynamoDB type$/,
      ],
      [5, '$ion_1_0 {Item:{pk:"CUST#broken",sk:2.', /^line is not valid Ion \(/],
      [9, '$ion_1_0 {Item:{pk:"CUST#f",sk:3.,ratio:1.5e0}}', /^Item\.ratio: an Ion float is not a DynamoDB type$/],
      [12, '$ion_1_0 {NewImage:{pk:"CUST#i",sk:4.}}', /a full export line must have an "Item" struct/],
      [15, '$ion_1_0 {Item:{pk:"CUST#m",note:"no sort key"}}', /\bsk\b/],
    ];
    for (const [at, line] of bad) lines.splice(at - 1, 0, line);
    const file = gzipDataFile(base.files[0].key, lines);
    const time = '2026-02-01T00:00:00.000Z';
    const generated: GeneratedExport = {
      ...base,
      itemCount: file.itemCount,
      files: [file],
      objects: manifestObjects(base.exportId, base.exportPrefix, 'exports/ion-bad', 'Orders', [file], {
        version: '2020-06-30',
        startTime: time,
        endTime: time,
        exportTime: time,
        outputFormat: 'ION',
      }),
    };
    await uploadExport(clients().s3, BUCKET, generated);

    const report = await migrate(generated, 'ion-bad');
    expect(report.items).toEqual({
      expected: lines.length,
      read: lines.length,
      written: good.length,
      deleted: 0,
      deadLettered: bad.length,
    });
    expect(report.validation).toEqual(expect.objectContaining({ passed: true, countsReconciled: true }));
    const letters = (
      await clients()
        .lake.getBlockBlobClient(deadLetterPath(reportRunFolder(report), 0))
        .downloadToBuffer()
    )
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; raw: string });
    expect(letters.map((l) => l.line).sort((a, b) => a - b)).toEqual(bad.map(([at]) => at));
    for (const [at, raw, reason] of bad) {
      expect(letters.find((l) => l.line === at)).toEqual(
        expect.objectContaining({ file: file.key, line: at, reason: expect.stringMatching(reason), raw }),
      );
    }
    await expectContainerToHold(stack, DATABASE, 'ion-bad', mappedDocuments(good, mapping));
  });
});

describe('table sync over a chain that mixes Ion and DynamoDB JSON', () => {
  const chain = new TableChain('exports/mixed', 500, 29);
  // A full export and an incremental as Ion, then one as DynamoDB JSON, then Ion again (NEW_IMAGE view).
  const full = toIonExport(chain.full(), 'varied', 1);
  const first = toIonExport(chain.incremental(T0), 'varied', 2);
  const second = chain.incremental(hoursAfter(T0, 1), 'NEW_IMAGE');
  const third = toIonExport(chain.incremental(hoursAfter(T0, 2), 'NEW_IMAGE'), 'aws');

  beforeAll(async () => {
    const put = await requestJson('PUT', `${app.url}/api/tables/mixed`, {
      source: { bucket: BUCKET, exportsPrefix: 'exports/mixed' },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: DATABASE, container: 'mixed' },
      options: { sampleSize: 200 },
    });
    expect(put.status).toBe(201);
    for (const generated of [third, second, first, full]) await uploadExport(clients().s3, BUCKET, generated);
  }, 120_000);

  test('applies upserts and deletes of every export in time order: the container equals the table', async () => {
    expect(full.files.every((f) => f.key.endsWith('.ion.gz'))).toBe(true);
    expect(second.files.every((f) => f.key.endsWith('.json.gz'))).toBe(true);
    const started = await postJson(`${app.url}/api/tables/mixed/sync`, {});
    expect(started.status).toBe(202);
    const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.state).toBe('up-to-date');
    expect(status.output.applied.map((a: { exportId: string; passed: boolean }) => [a.exportId, a.passed])).toEqual([
      [full.exportId, true],
      [first.exportId, true],
      [second.exportId, true],
      [third.exportId, true],
    ]);
    const ledger = (await requestJson('GET', `${app.url}/api/tables/mixed`)).body.ledger;
    for (const entry of ledger.exports.slice(1)) {
      expect(entry.report).toEqual(expect.objectContaining({ passed: true, deadLettered: 0 }));
      expect(entry.report.deleted).toBeGreaterThan(0);
    }
    await expectContainerToHold(stack, DATABASE, 'mixed', mappedDocuments(chain.finalItems(), mapping));
  });
});
