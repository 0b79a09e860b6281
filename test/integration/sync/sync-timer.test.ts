import { readFileSync } from 'node:fs';
import { createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { MappingOptions } from '../../../src/mapping';
import { uploadExport } from '../../../tools/sample/upload-export';
import { eventually, requestJson, useAppHost } from '../../support/app-host';
import { expectContainerToHold, mappedDocuments } from '../../support/container';
import { useLocalStack } from '../../support/stack';
import { T0, TableChain } from '../../support/table-chain';

const stack = useLocalStack({ quiet: true, applyEnv: true });
// The timer fires every 2 seconds, far more often than one sync takes.
const app = useAppHost(stack, { SYNC_SCHEDULE: '*/2 * * * * *' });
const BUCKET = 'timer-exports';
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

function s3() {
  return createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
}

function timerRuns(): number {
  return (readFileSync(app.logFile, 'utf8').match(/Executed 'syncTimer'/g) ?? []).length;
}

async function table(): Promise<any> {
  return (await requestJson('GET', `${app.url}/api/tables/timed`)).body;
}

async function syncInstance(): Promise<any> {
  const response = await fetch(`${app.url}/runtime/webhooks/durabletask/instances/sync-timed`);
  // 202 while the instance runs, 200 once it has ended.
  return response.status === 200 || response.status === 202 ? response.json() : undefined;
}

describe('the sync timer', () => {
  const chain = new TableChain('exports/timed', 8000, 9);
  const full = chain.full(T0, 4);
  const incremental = chain.incremental(T0);

  test('applies a full export with no one asking, starting one sync however often it fires', async () => {
    expect(
      (
        await requestJson('PUT', `${app.url}/api/tables/timed`, {
          source: { bucket: BUCKET, exportsPrefix: 'exports/timed' },
          keySchema: { partitionKey: 'pk', sortKey: 'sk' },
          target: { database: 'timer', container: 'timed' },
          // One file at a time, at a capped rate: the sync then outlasts several timer periods.
          options: { maxParallelFiles: 1, maxRequestUnitsPerSecond: 1500 },
        })
      ).status,
    ).toBe(201);
    await uploadExport(s3(), BUCKET, full);

    // Watch the singleton while it applies the full export: one instance, created once.
    const running = await eventually(
      async () => {
        const status = await syncInstance();
        return status?.runtimeStatus === 'Running' && status.customStatus?.phase === 'applying' ? status : undefined;
      },
      60_000,
      'a running sync',
    );
    const firingsBefore = timerRuns();
    // Until the ledger says the export is applied, the first sync is still running (it writes that itself), so
    // every instance seen until then must be that one. Later syncs may start once it has completed.
    const created = new Set<string>();
    const ledger = await eventually(
      async () => {
        const status = await syncInstance();
        if (status) created.add(status.createdTime);
        const { ledger: current } = await table();
        return current.exports[0]?.state === 'applied' ? current : undefined;
      },
      180_000,
      'the full export to be applied',
    );
    const firingsDuring = timerRuns() - firingsBefore;

    expect(firingsDuring).toBeGreaterThanOrEqual(2);
    expect([...created]).toEqual([running.createdTime]);
    expect(ledger.exports.map((e: any) => [e.exportId, e.state, e.attempts])).toEqual([[full.exportId, 'applied', 1]]);
    expect(readFileSync(app.logFile, 'utf8')).toMatch(/sync of timed is Running; not started again/);
  });

  test('picks up a new incremental export dropped into S3', async () => {
    await uploadExport(s3(), BUCKET, incremental);
    const applied = await eventually(
      async () => {
        const ledger = (await table()).ledger;
        return ledger.exports.length === 2 && ledger.exports[1].state === 'applied' ? ledger : undefined;
      },
      180_000,
      'the incremental to be applied',
    );
    expect(applied.exports[1]).toEqual(expect.objectContaining({ exportId: incremental.exportId, attempts: 1 }));
    await expectContainerToHold(stack, 'timer', 'timed', mappedDocuments(chain.finalItems(), mapping));
  });
});
