/**
 * The cut-over check on the local stack: not ready while nothing is applied, while an export is being applied,
 * without a full verification of the last applied export, after a failed one, or past ?maxLagMinutes; ready after
 * a clean sync and a passing verification. The verification summaries are written into the ledger through the
 * table store, as a table verification writes them. Along the way the ledger carries the container's expected
 * count from the full export through an incremental (with a delete of a document never migrated), and an
 * incremental applied after a foreign document was added fails its validation, naming both numbers.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { TableStore } from '../../../src/sync/table-store';
import type { VerificationSummary } from '../../../src/sync/types';
import { uploadExport } from '../../../tools/sample/upload-export';
import { eventually, postJson, requestJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { useLocalStack } from '../../support/stack';
import { hoursAfter, T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'cutover-exports';
const TABLE = 'ledgered';
const CLI = resolve(__dirname, '../../../dist/src/cli/main.js');

function settings() {
  return readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
}

async function cutover(query = ''): Promise<any> {
  const answer = await requestJson('GET', `${app.url}/api/tables/${TABLE}/cutover${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, '--url', app.url, ...args], {
      timeout: 120_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

/** Writes a verification summary into the ledger, as a finished table verification does. */
async function recordVerification(summary: Partial<VerificationSummary>): Promise<void> {
  const store = new TableStore(createLakeContainerClient(settings()));
  const now = new Date().toISOString();
  await store.updateLedger(TABLE, now, (ledger) => ({
    ...ledger,
    lastVerification: {
      instanceId: 'verify-simulated',
      reachedTime: ledger.reachedTime,
      startedAt: now,
      finishedAt: now,
      passed: true,
      expected: ledger.expectedDocuments ?? 0,
      actual: ledger.expectedDocuments ?? 0,
      matched: ledger.expectedDocuments ?? 0,
      missingCount: 0,
      unexpectedCount: 0,
      differingCount: 0,
      report: '_verify/simulated/report.json',
      ...summary,
    },
  }));
}

describe('the cut-over check of a synced table', () => {
  const chain = new TableChain('exports/ledgered', 300, 7);
  const full = chain.full(T0, 2);
  const first = chain.incremental(T0);
  const afterFirst = chain.finalItems().length;
  const second = chain.incremental(hoursAfter(T0, 1));
  const afterSecond = chain.finalItems().length;

  beforeAll(async () => {
    const put = await requestJson('PUT', `${app.url}/api/tables/${TABLE}`, {
      source: { bucket: BUCKET, exportsPrefix: 'exports/ledgered' },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'cut', container: TABLE },
      options: { sampleSize: 50 },
    });
    expect(put.status).toBe(201);
    for (const generated of [full, first]) await uploadExport(createS3Client(settings()), BUCKET, generated);
  }, 120_000);

  test('bad requests: an invalid name or lag is a 400, an unknown table a 404', async () => {
    expect((await requestJson('GET', `${app.url}/api/tables/x/cutover`)).status).toBe(400);
    expect((await requestJson('GET', `${app.url}/api/tables/${TABLE}/cutover?maxLagMinutes=soon`)).status).toBe(400);
    expect((await requestJson('GET', `${app.url}/api/tables/unknown-table/cutover`)).status).toBe(404);
  });

  test('nothing applied yet: not ready', async () => {
    const check = await cutover();
    expect(check).toMatchObject({ table: TABLE, ready: false, deadLetters: { count: 0 } });
    expect(check.reasons).toContain('no export has been applied to the container yet');
  });

  test('while an export is being applied: not ready, naming it', async () => {
    const started = await postJson(`${app.url}/api/tables/${TABLE}/sync`, {});
    expect(started.status).toBe(202);
    const during = await eventually(
      async () => {
        const check = await cutover();
        return check.outstandingExports.length > 0 ? check : undefined;
      },
      120_000,
      'an export to be applying',
    );
    expect(during.ready).toBe(false);
    expect(during.reasons).toContainEqual(expect.stringMatching(/^export \S+ is being applied$/));
    const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
    expect(status.output.state).toBe('up-to-date');
  }, 300_000);

  test('after the sync the ledger carries the count the container holds; no verification yet: not ready', async () => {
    const ledger = (await requestJson('GET', `${app.url}/api/tables/${TABLE}`)).body.ledger;
    const container = createCosmosClient(settings()).database('cut').container(TABLE);
    const { resources } = await container.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
    expect(ledger.expectedDocuments).toBe(resources[0]);
    expect(ledger.expectedDocuments).toBe(afterFirst);

    const check = await cutover();
    expect(check).toMatchObject({
      ready: false,
      reachedTime: hoursAfter(T0, 1),
      lastApplied: { exportId: first.exportId, exportType: 'INCREMENTAL_EXPORT' },
      expectedDocuments: resources[0],
      outstandingExports: [],
      failedExports: [],
    });
    expect(check.lagMinutes).toBeGreaterThan(0);
    expect(check.reasons).toEqual(['no full verification has been run (POST /api/tables/{name}/verify)']);
  });

  test('a failed verification: not ready, with its counts', async () => {
    await recordVerification({ lastExportId: first.exportId, passed: false, missingCount: 1, differingCount: 1 });
    const check = await cutover();
    expect(check.ready).toBe(false);
    expect(check.lastVerification).toMatchObject({ passed: false, current: true });
    expect(check.reasons).toEqual([
      'the last full verification failed: 1 document missing, 0 unexpected, 1 differing (_verify/simulated/report.json)',
    ]);
  });

  test('a passing verification of the last applied export: ready, unless the lag is over the limit', async () => {
    await recordVerification({ lastExportId: first.exportId });
    const check = await cutover();
    expect(check).toMatchObject({ ready: true, reasons: [], lastVerification: { passed: true, current: true } });
    const lagging = await cutover('?maxLagMinutes=5');
    expect(lagging.ready).toBe(false);
    expect(lagging.reasons).toEqual([expect.stringContaining('more than the 5 allowed')]);

    const ready = await cli('table', 'cutover', TABLE);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toContain(`${TABLE}: READY to cut over`);
    const notReady = await cli('table', 'cutover', TABLE, '--max-lag-minutes', '5');
    expect(notReady.code).toBe(2);
    expect(notReady.stdout).toContain('NOT READY');
  }, 300_000);

  test('a foreign document fails the next export, both numbers named; the check lists the failed export', async () => {
    const container = createCosmosClient(settings()).database('cut').container(TABLE);
    await container.items.create({ id: 'foreign-document', pk: 'written-by-someone-else' });
    await uploadExport(createS3Client(settings()), BUCKET, second);
    const started = await postJson(`${app.url}/api/tables/${TABLE}/sync`, {});
    const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
    expect(status.output.state).toBe('failed');

    const expected = afterSecond;
    const ledger = (await requestJson('GET', `${app.url}/api/tables/${TABLE}`)).body.ledger;
    const entry = ledger.exports.find((e: { exportId: string }) => e.exportId === second.exportId);
    expect(entry.state).toBe('failed');
    expect(entry.reason).toContain(`the container holds ${expected + 1} documents but ${expected} were expected`);
    expect(ledger.expectedDocuments).toBe(expected);

    const check = await cutover();
    expect(check.ready).toBe(false);
    expect(check.failedExports).toEqual([{ exportId: second.exportId, reason: entry.reason }]);
    expect(check.lastVerification.current).toBe(true);
  }, 300_000);
});
