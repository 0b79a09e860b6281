import { createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { MappingOptions } from '../../../src/mapping';
import { uploadExport } from '../../../tools/sample/upload-export';
import { eventually, postJson, requestJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { expectContainerToHold, mappedDocuments } from '../../support/container';
import { useLocalStack } from '../../support/stack';
import { hoursAfter, T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'sync-exports';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

function s3() {
  return createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
}

function registration(prefix: string, container: string, options: object = {}) {
  return {
    source: { bucket: BUCKET, exportsPrefix: prefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'sync', container },
    options: { sampleSize: 200, ...options },
  };
}

async function syncNow(table: string): Promise<any> {
  const started = await postJson(`${app.url}/api/tables/${table}/sync`, {});
  expect(started.status).toBe(202);
  const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

describe('table registrations', () => {
  test('bad bodies and names get 400 naming each problem', async () => {
    const bad = await requestJson('PUT', `${app.url}/api/tables/x`, {
      source: { bucket: BUCKET, exportsPrefix: 'p/AWSDynamoDB/0170-ab' },
      keySchema: {},
      target: { database: 'd', container: 'c' },
      options: { allowGaps: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field)).toEqual([
      '(name)',
      'source.exportsPrefix',
      'keySchema.partitionKey',
      'options.allowGaps',
    ]);
  });

  test('register, read, list, update, delete', async () => {
    const created = await requestJson('PUT', `${app.url}/api/tables/crud-table`, registration('exports/crud', 'crud'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        name: 'crud-table',
        options: expect.objectContaining({ allowGaps: false, sampleSize: 200 }),
      }),
    );
    const updated = await requestJson(
      'PUT',
      `${app.url}/api/tables/crud-table`,
      registration('exports/crud', 'crud', { allowGaps: true }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body.createdAt).toBe(created.body.createdAt);
    const read = await requestJson('GET', `${app.url}/api/tables/crud-table`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(
      expect.objectContaining({
        options: expect.objectContaining({ allowGaps: true }),
        ledger: expect.objectContaining({ status: expect.objectContaining({ state: 'never-run' }), exports: [] }),
      }),
    );
    const list = await requestJson('GET', `${app.url}/api/tables`);
    expect(list.body.tables.map((t: { name: string }) => t.name)).toContain('crud-table');
    expect((await requestJson('DELETE', `${app.url}/api/tables/crud-table`)).status).toBe(204);
    expect((await requestJson('GET', `${app.url}/api/tables/crud-table`)).status).toBe(404);
    expect((await requestJson('POST', `${app.url}/api/tables/crud-table/sync`, {})).status).toBe(404);
  });
});

describe('a full export and two incrementals, applied by sync', () => {
  const chain = new TableChain('exports/orders', 600, 21);
  const full = chain.full();
  const first = chain.incremental(T0);
  const second = chain.incremental(hoursAfter(T0, 1), 'NEW_IMAGE');

  beforeAll(async () => {
    const put = await requestJson('PUT', `${app.url}/api/tables/orders`, registration('exports/orders', 'orders'));
    expect(put.status).toBe(201);
    // The later exports first: the sync must order them by time, not by arrival.
    for (const generated of [second, first, full]) await uploadExport(s3(), BUCKET, generated);
  }, 120_000);

  test('leave the container exactly equal to the table, in time order, each applied once', async () => {
    const output = await syncNow('orders');
    expect(output).toEqual(expect.objectContaining({ table: 'orders', state: 'up-to-date' }));
    expect(output.applied.map((a: { exportId: string; passed: boolean }) => [a.exportId, a.passed])).toEqual([
      [full.exportId, true],
      [first.exportId, true],
      [second.exportId, true],
    ]);
    await expectContainerToHold(stack, 'sync', 'orders', mappedDocuments(chain.finalItems(), mapping));

    const table = (await requestJson('GET', `${app.url}/api/tables/orders`)).body;
    expect(table.ledger.status.state).toBe('up-to-date');
    expect(table.ledger.reachedTime).toBe(hoursAfter(T0, 2));
    expect(table.ledger.exports.map((e: any) => [e.exportId, e.exportType, e.state, e.attempts])).toEqual([
      [full.exportId, 'FULL_EXPORT', 'applied', 1],
      [first.exportId, 'INCREMENTAL_EXPORT', 'applied', 1],
      [second.exportId, 'INCREMENTAL_EXPORT', 'applied', 1],
    ]);
    const incremental = table.ledger.exports[1];
    expect(incremental).toEqual(
      expect.objectContaining({
        fromTime: T0,
        toTime: hoursAfter(T0, 1),
        instanceId: `sync-orders-${first.exportId}-1`,
      }),
    );
    expect(incremental.report).toEqual(expect.objectContaining({ passed: true, deadLettered: 0 }));
    expect(incremental.report.deleted).toBeGreaterThan(0);
    expect(incremental.report.written + incremental.report.deleted).toBe(first.itemCount);
    expect(table.sync.runtimeStatus).toBe('Completed');
  });

  test('a second sync finds nothing new and changes nothing', async () => {
    const output = await syncNow('orders');
    expect(output).toEqual(expect.objectContaining({ state: 'up-to-date', applied: [] }));
    const table = (await requestJson('GET', `${app.url}/api/tables/orders`)).body;
    expect(table.ledger.exports.every((e: any) => e.state === 'applied' && e.attempts === 1)).toBe(true);
  });

  test('applying the latest export once more leaves the container unchanged', async () => {
    const again = await postJson(`${app.url}/api/migrations`, {
      source: { bucket: BUCKET, exportPrefix: second.exportPrefix },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'sync', container: 'orders' },
    });
    expect(again.status).toBe(202);
    const status = await waitForCompletion(again.body.statusQueryGetUri);
    expect(status.output.validation.passed).toBe(true);
    await expectContainerToHold(stack, 'sync', 'orders', mappedDocuments(chain.finalItems(), mapping));
  });

  test('the table cannot be pointed at another container once synced', async () => {
    const moved = await requestJson('PUT', `${app.url}/api/tables/orders`, registration('exports/orders', 'elsewhere'));
    expect(moved.status).toBe(409);
    expect(moved.body.error).toMatch(/DELETE it first/);
  });
});

describe('a chain with a gap', () => {
  const chain = new TableChain('exports/gappy', 200, 5);
  const full = chain.full();
  chain.incremental(T0); // exported nowhere: the missing window
  const late = chain.incremental(hoursAfter(T0, 1));

  beforeAll(async () => {
    expect(
      (await requestJson('PUT', `${app.url}/api/tables/gappy`, registration('exports/gappy', 'gappy'))).status,
    ).toBe(201);
    for (const generated of [full, late]) await uploadExport(s3(), BUCKET, generated);
  }, 120_000);

  test('stops after the full export, with the reason in GET /api/tables/{name}', async () => {
    const output = await syncNow('gappy');
    expect(output.state).toBe('stopped');
    expect(output.applied.map((a: { exportId: string }) => a.exportId)).toEqual([full.exportId]);
    const table = (await requestJson('GET', `${app.url}/api/tables/gappy`)).body;
    expect(table.ledger.status.state).toBe('stopped');
    expect(table.ledger.status.reason).toContain(
      `gap before ${late.exportId}: changes from ${T0} to ${hoursAfter(T0, 1)} are in no export`,
    );
    expect(table.ledger.exports.map((e: any) => e.state)).toEqual(['applied', 'gap']);
  });

  test('with allowGaps the late export is applied, with a warning in the ledger', async () => {
    expect(
      (
        await requestJson(
          'PUT',
          `${app.url}/api/tables/gappy`,
          registration('exports/gappy', 'gappy', { allowGaps: true }),
        )
      ).status,
    ).toBe(200);
    const output = await syncNow('gappy');
    expect(output.state).toBe('up-to-date');
    const table = (await requestJson('GET', `${app.url}/api/tables/gappy`)).body;
    expect(table.ledger.exports[1]).toEqual(
      expect.objectContaining({
        state: 'applied',
        warning: expect.stringContaining('applied anyway because options.allowGaps is set'),
      }),
    );
  });
});

describe('a host killed in the middle of a sync', () => {
  const chain = new TableChain('exports/crashy', 6000, 13);
  const full = chain.full(T0, 6);
  const first = chain.incremental(T0);

  test('resumes after kill -9: every export applied once, the container equal to the table', async () => {
    expect(
      (
        await requestJson(
          'PUT',
          `${app.url}/api/tables/crashy`,
          registration('exports/crashy', 'crashy', { maxParallelFiles: 1, bulkConcurrency: 1 }),
        )
      ).status,
    ).toBe(201);
    for (const generated of [full, first]) await uploadExport(s3(), BUCKET, generated);
    const started = await postJson(`${app.url}/api/tables/crashy/sync`, {});
    expect(started.status).toBe(202);
    await eventually(
      async () => {
        const status = (await (await fetch(started.body.statusQueryGetUri)).json()) as {
          customStatus?: { phase?: string };
        };
        return status.customStatus?.phase === 'applying' ? status : undefined;
      },
      60_000,
      'the sync to apply the full export',
    );
    await new Promise((r) => setTimeout(r, 1500));
    await app.restart(true);

    const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.state).toBe('up-to-date');
    const ledger = (await requestJson('GET', `${app.url}/api/tables/crashy`)).body.ledger;
    expect(ledger.exports.map((e: any) => [e.exportId, e.state, e.attempts])).toEqual([
      [full.exportId, 'applied', 1],
      [first.exportId, 'applied', 1],
    ]);
    await expectContainerToHold(stack, 'sync', 'crashy', mappedDocuments(chain.finalItems(), mapping));
  });
});
