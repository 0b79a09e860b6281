/**
 * Full verification of a synced table on the local stack (issue 16): after a full export and two incrementals,
 * POST /api/tables/{name}/verify finds the untampered container equal to the table, then names exactly the one
 * deleted, the one changed (with the attribute) and the one foreign document.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { mapItem, MappingOptions, newMappingStats } from '../../../src/mapping';
import { uploadExport } from '../../../tools/sample/upload-export';
import { postJson, requestJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { testCosmosClient } from '../../support/container';
import { useLocalStack } from '../../support/stack';
import { hoursAfter, T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'verify-exports';
const TABLE = 'verified';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

const chain = new TableChain('exports/verified', 400, 33);
const full = chain.full();
const first = chain.incremental(T0);
const second = chain.incremental(hoursAfter(T0, 1), 'NEW_IMAGE');

const CLI = resolve(__dirname, '../../../dist/src/cli/main.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, '--url', app.url, ...args], {
      timeout: 240_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

async function verifyNow(): Promise<{ output: any; status: any }> {
  const started = await postJson(`${app.url}/api/tables/${TABLE}/verify`, {});
  expect(started.status).toBe(202);
  expect(started.body).toEqual(
    expect.objectContaining({ id: `verify-${TABLE}`, statusQueryGetUri: expect.any(String) }),
  );
  const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
  expect(status.runtimeStatus).toBe('Completed');
  return { output: status.output, status };
}

beforeAll(async () => {
  const s3 = createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
  for (const generated of [full, first, second]) await uploadExport(s3, BUCKET, generated);
  const put = await requestJson('PUT', `${app.url}/api/tables/${TABLE}`, {
    source: { bucket: BUCKET, exportsPrefix: 'exports/verified' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'verify', container: TABLE },
    options: { sampleSize: 50 },
  });
  expect(put.status).toBe(201);
  const sync = await postJson(`${app.url}/api/tables/${TABLE}/sync`, {});
  const synced = await waitForCompletion(sync.body.statusQueryGetUri, 240_000);
  expect(synced.output.applied.map((a: { passed: boolean }) => a.passed)).toEqual([true, true, true]);
}, 300_000);

test('unknown and unnamed tables are refused before anything starts', async () => {
  expect((await postJson(`${app.url}/api/tables/nobody-here/verify`, {})).status).toBe(404);
  expect((await postJson(`${app.url}/api/tables/a/verify`, {})).status).toBe(400);
});

test('the untampered container verifies with 0 differences, and the ledger records it', async () => {
  const { output } = await verifyNow();
  const expected = chain.finalItems().length;
  expect(output).toEqual(
    expect.objectContaining({
      passed: true,
      expected,
      actual: expected,
      matched: expected,
      missingCount: 0,
      unexpectedCount: 0,
      differingCount: 0,
      missing: [],
      unexpected: [],
      differing: [],
      unmappable: 0,
    }),
  );
  expect(output.report).toMatch(new RegExp(`^_sync/tables/${TABLE}/verify/.+/report\\.json$`));
  const table = (await requestJson('GET', `${app.url}/api/tables/${TABLE}`)).body;
  expect(table.ledger.lastVerification).toEqual(
    expect.objectContaining({
      instanceId: `verify-${TABLE}`,
      passed: true,
      expected,
      matched: expected,
      lastExportId: second.exportId,
      reachedTime: hoursAfter(T0, 2),
      report: output.report,
    }),
  );
}, 300_000);

test('a deleted, a changed and a foreign document are named exactly, the change by its attribute', async () => {
  const container = testCosmosClient(stack).database('verify').container(TABLE);
  const items = chain.finalItems().map((item) => mapItem(item, mapping, newMappingStats()));
  const [gone, changed] = [items[5], items[11]];
  await container.item(gone.id, gone.partitionKey as string).delete();
  const { resource } = await container.item(changed.id, changed.partitionKey as string).read();
  const attribute = Object.keys(changed.document).find((name) => !['id', 'pk', 'sk'].includes(name)) as string;
  await container.items.upsert({ ...resource, [attribute]: 'tampered' });
  await container.items.upsert({ id: 'FOREIGN|1', pk: 'FOREIGN', note: 'written by someone else' });

  const { output } = await verifyNow();
  const expected = items.length;
  expect(output).toEqual(
    expect.objectContaining({
      passed: false,
      expected,
      actual: expected,
      matched: expected - 2,
      missingCount: 1,
      unexpectedCount: 1,
      differingCount: 1,
      missing: [{ id: gone.id, partitionKey: gone.partitionKey }],
      unexpected: [{ id: 'FOREIGN|1', partitionKey: 'FOREIGN' }],
    }),
  );
  expect(output.differing).toEqual([
    {
      id: changed.id,
      partitionKey: changed.partitionKey,
      differences: [{ path: attribute, expected: changed.document[attribute], actual: 'tampered' }],
    },
  ]);
  const table = (await requestJson('GET', `${app.url}/api/tables/${TABLE}`)).body;
  expect(table.ledger.lastVerification).toEqual(
    expect.objectContaining({ passed: false, missingCount: 1, unexpectedCount: 1, differingCount: 1 }),
  );
}, 300_000);

test('ddb2cosmos table verify shows progress and names the same three documents', async () => {
  const items = chain.finalItems().map((item) => mapItem(item, mapping, newMappingStats()));
  const { code, stdout } = await cli('table', 'verify', TABLE);
  expect(code).toBe(2);
  expect(stdout).toContain(`started verify-${TABLE}`);
  expect(stdout).toMatch(
    new RegExp(
      `Completed: done, export files (\\d+)/\\1, feed ranges 1/1, buckets 1/1, \\d+ export records, ${items.length} documents`,
    ),
  );
  expect(stdout).toContain(`verification FAILED: ${items.length - 2} of ${items.length} expected documents match`);
  expect(stdout).toContain(`missing     ${items[5].id} (partition key ${JSON.stringify(items[5].partitionKey)})`);
  expect(stdout).toContain('unexpected  FOREIGN|1 (partition key "FOREIGN")');
  expect(stdout).toMatch(new RegExp(`differing   ${items[11].id.replace(/[|]/g, '\\|')} .*: \\w+`));
}, 300_000);

test('a migration with --verify full verifies its export; ddb2cosmos verify prints the result', async () => {
  const started = await cli(
    'start',
    '--bucket',
    BUCKET,
    '--export-prefix',
    full.exportPrefix,
    '--partition-key',
    'pk',
    '--sort-key',
    'sk',
    '--database',
    'verify',
    '--container',
    'migrated',
    '--verify',
    'full',
    '--no-watch',
  );
  expect(started.code).toBe(0);
  const id = /started (\S+)/.exec(started.stdout)?.[1] as string;
  const { code, stdout } = await cli('verify', id);
  expect(code).toBe(0);
  expect(stdout).toContain(`verification PASSED: ${full.itemCount} of ${full.itemCount} expected documents match`);
  const report = (await requestJson('GET', `${app.url}/api/migrations/${id}`)).body.output;
  expect(report.validation).toEqual(
    expect.objectContaining({
      passed: true,
      verification: expect.objectContaining({ passed: true, expected: full.itemCount, unexpectedCount: 0 }),
    }),
  );
  expect(report.validation.verification.report).toMatch(/_migration\/verify\/migrated\/verify\/.+\/report\.json$/);
}, 300_000);
