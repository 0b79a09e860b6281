/**
 * Validation counts what the container holds (SELECT VALUE COUNT(1) on the strict local stack) and reconciles it
 * with what the export says it should hold: a container with a document the table does not have fails, naming
 * both numbers; a clean one reconciles; a migration of the same export again expects the same count.
 */
import { createCosmosClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { buildFullExport, GeneratedExport } from '../../../tools/sample/build-export';
import { uploadExport } from '../../../tools/sample/upload-export';
import { postJson, useAppHost, waitForCompletion } from '../../support/app-host';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack);
const BUCKET = 'count-exports';
const ITEMS = 300;

function settings() {
  return readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
}

async function migrate(generated: GeneratedExport, container: string): Promise<any> {
  const started = await postJson(`${app.url}/api/migrations`, {
    source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'counts', container },
    options: { sampleSize: 50 },
  });
  expect(started.status).toBe(202);
  const status = await waitForCompletion(started.body.statusQueryGetUri, 240_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

describe('the container count in the validation', () => {
  const generated = buildFullExport({ prefix: 'exports/counted', itemCount: ITEMS, fileCount: 2, seed: 41 });

  beforeAll(async () => {
    await uploadExport(createS3Client(settings()), BUCKET, generated);
  }, 120_000);

  test('a clean migration reconciles: the container holds exactly what the export wrote', async () => {
    const report = await migrate(generated, 'clean');
    expect(report.validation.container).toEqual({
      expected: ITEMS,
      actual: ITEMS,
      reconciled: true,
      detail: `the container holds ${ITEMS} documents, as expected (a full export: the ${ITEMS} documents it wrote)`,
      requestCharge: expect.any(Number),
    });
    expect(report.validation.container.requestCharge).toBeGreaterThan(0);
    expect(report.validation.passed).toBe(true);

    // The same export again: every document is replaced, none created, and the count still reconciles.
    const again = await migrate(generated, 'clean');
    expect(again.validation.container).toMatchObject({ expected: ITEMS, actual: ITEMS, reconciled: true });
    expect(again.validation.passed).toBe(true);
  }, 600_000);

  test('a container that already held a foreign document fails validation, naming both numbers', async () => {
    const cosmos = createCosmosClient(settings());
    const { database } = await cosmos.databases.createIfNotExists({ id: 'counts' });
    const { container } = await database.containers.createIfNotExists({
      id: 'foreign',
      partitionKey: { paths: ['/pk'], version: 2 },
    });
    await container.items.create({ id: 'not-from-the-table', pk: 'somebody-else' });

    const report = await migrate(generated, 'foreign');
    expect(report.items.written).toBe(ITEMS);
    expect(report.validation.countsReconciled).toBe(true);
    expect(report.validation.passed).toBe(false);
    expect(report.validation.container).toMatchObject({ expected: ITEMS, actual: ITEMS + 1, reconciled: false });
    expect(report.validation.container.detail).toBe(
      `the container holds ${ITEMS + 1} documents but ${ITEMS} were expected (a full export: the ${ITEMS} documents it wrote): 1 more`,
    );
  }, 600_000);
});
