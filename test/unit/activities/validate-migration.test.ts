/**
 * validateMigration on fakes: the counts are reconciled (pure), and the sampled records of the requested files
 * are read from the migration's folder and point-read from the request's container.
 */
import { validateMigrationActivity } from '../../../activities/validate-migration';
import { parseRecord } from '../../../src/export/records';
import { mapItem, newMappingStats } from '../../../src/mapping';
import type { ValidateInput } from '../../../src/migration/contracts';
import { mappingOptionsOf } from '../../../src/migration/request-views';
import type { SampleRecord } from '../../../src/validation/sample-record';
import { runFolder, samplePath } from '../../../src/lake/paths';
import { request } from '../orchestrators/fixtures';
import { dependencies, FakeLake } from './fakes';

const FOLDER = 'exports/orders/AWSDynamoDB/01700000000000-abcdef01/_migration/shop/orders';
const RUN_ID = 'mig-1@2024-01-01T00:00:00.001Z';
const RAW = JSON.stringify({ Item: { pk: { S: 'a' }, sk: { S: 'b' }, total: { N: '12.5' } } });

function validateInput(extra: Partial<ValidateInput> = {}): ValidateInput {
  return {
    request: request(),
    incremental: false,
    counts: { expected: 5, read: 5, written: 4, deleted: 0, deadLettered: 1, inFailedFiles: 0 },
    sampleFileIndexes: [],
    runId: RUN_ID,
    ...extra,
  };
}

/**
 * A container that answers point reads from `documents` (by id), counts `held` documents (or as many as
 * `documents` has) in two pages, and records which database/container/item was asked for.
 */
function fakeCosmos(documents: Record<string, Record<string, unknown>>, held = Object.keys(documents).length) {
  const asked: unknown[] = [];
  const cosmos = {
    database: (database: string) => ({
      container: (container: string) => {
        asked.push(['container', database, container]);
        const pages = [[held - 1], [1]];
        return {
          id: container,
          url: `dbs/${database}/colls/${container}`,
          database: {
            id: database,
            readOffer: async () => ({ resource: undefined }),
          },
          readOffer: async () => ({ resource: undefined }),
          items: {
            query: (text: string) => {
              asked.push(['query', text]);
              let next = 0;
              return {
                hasMoreResults: () => next < pages.length,
                fetchNext: async () => ({ resources: pages[next++], requestCharge: 2.5 }),
              };
            },
          },
          item: (id: string, partitionKey: unknown) => ({
            read: async () => {
              asked.push(['read', id, partitionKey]);
              const resource = documents[id];
              return { resource, statusCode: resource ? 200 : 404 };
            },
          }),
        };
      },
    }),
  };
  return { cosmos, asked };
}

/** What the mapping makes of the sampled line: the document the container should hold. */
function expected() {
  const record = parseRecord(RAW, false);
  if (record.kind !== 'put') throw new Error('a full export line is a put');
  return mapItem(record.item, mappingOptionsOf(request()), newMappingStats());
}

function withSample(lake: FakeLake, fileIndex: number, runId = RUN_ID): void {
  const record: SampleRecord = { file: 'data/aaa.json.gz', line: 7, kind: 'put', raw: RAW };
  lake.put(samplePath(runFolder(FOLDER, runId), fileIndex), `${JSON.stringify(record)}\n`);
}

describe('validateMigration activity', () => {
  test('counts that add up and no sample files: passed, nothing read', async () => {
    const lake = new FakeLake();
    const { cosmos, asked } = fakeCosmos({}, 4);
    const result = await validateMigrationActivity(dependencies({ lake, cosmos }))(validateInput());

    expect(result).toEqual({
      passed: true,
      countsReconciled: true,
      countsDetail: '5 records = 4 written + 0 deleted + 1 dead-lettered',
      sampled: 0,
      mismatched: 0,
      mismatches: [],
      container: {
        expected: 4,
        actual: 4,
        reconciled: true,
        detail: 'the container holds 4 documents, as expected (a full export: the 4 documents it wrote)',
        requestCharge: 5,
      },
    });
    expect(asked).toContainEqual(['query', 'SELECT VALUE COUNT(1) FROM c']);
    expect(lake.requests).toEqual([]);
  });

  test('records in failed files fail the validation, with the reason', async () => {
    const { cosmos } = fakeCosmos({});
    const result = await validateMigrationActivity(dependencies({ cosmos }))(
      validateInput({ counts: { expected: 5, read: 2, written: 2, deleted: 0, deadLettered: 0, inFailedFiles: 3 } }),
    );

    expect(result.passed).toBe(false);
    expect(result.countsReconciled).toBe(false);
    expect(result.countsDetail).toContain('3 records are in files that failed');
  });

  test('sampled records of the requested files are read back by id and partition key and match', async () => {
    const lake = new FakeLake();
    withSample(lake, 3);
    const mapped = expected();
    const { cosmos, asked } = fakeCosmos({ [mapped.id]: mapped.document as Record<string, unknown> }, 4);
    const result = await validateMigrationActivity(dependencies({ lake, cosmos }))(
      validateInput({ sampleFileIndexes: [3] }),
    );

    expect(lake.requests).toEqual([`downloadToBuffer ${samplePath(runFolder(FOLDER, RUN_ID), 3)}`]);
    expect(asked).toContainEqual(['read', mapped.id, mapped.partitionKey]);
    expect(result).toMatchObject({ passed: true, sampled: 1, mismatched: 0 });
  });

  test("another run's samples are not this run's: a terminated run's loads may still be writing theirs", async () => {
    const lake = new FakeLake();
    withSample(lake, 3, 'mig-1@2023-12-31T00:00:00.000Z');
    const { cosmos } = fakeCosmos({});
    const result = await validateMigrationActivity(dependencies({ lake, cosmos }))(
      validateInput({ sampleFileIndexes: [3] }),
    );
    expect(result).toMatchObject({ sampled: 0, mismatched: 0 });
  });

  test('an input from before runId existed reads the newest run folder of the migration', async () => {
    const lake = new FakeLake();
    const older = 'mig-1@2023-12-31T00:00:00.000Z';
    withSample(lake, 3);
    const listed = [runFolder(FOLDER, RUN_ID), runFolder(FOLDER, older)].map((run) => ({
      kind: 'prefix',
      name: `${run}/`,
    }));
    Object.assign(lake, {
      listBlobsByHierarchy: () =>
        (async function* () {
          yield* listed;
        })(),
    });
    const mapped = expected();
    const { cosmos } = fakeCosmos({ [mapped.id]: mapped.document as Record<string, unknown> }, 4);
    const result = await validateMigrationActivity(dependencies({ lake, cosmos }))(
      validateInput({ sampleFileIndexes: [3], runId: undefined }),
    );
    expect(result).toMatchObject({ sampled: 1, mismatched: 0 });
  });

  test('a sampled record that differs in Cosmos fails the validation and is named', async () => {
    const lake = new FakeLake();
    withSample(lake, 0);
    const mapped = expected();
    const { cosmos } = fakeCosmos({ [mapped.id]: { ...(mapped.document as object), total: 99 } }, 4);
    const result = await validateMigrationActivity(dependencies({ lake, cosmos }))(
      validateInput({ sampleFileIndexes: [0] }),
    );

    expect(result.passed).toBe(false);
    expect(result.countsReconciled).toBe(true);
    expect(result.mismatched).toBe(1);
    expect(result.mismatches[0]).toMatchObject({
      id: mapped.id,
      file: 'data/aaa.json.gz',
      line: 7,
      reason: 'attributes differ',
    });
  });

  test('a container holding a document the export did not write fails the validation, naming both counts', async () => {
    const { cosmos } = fakeCosmos({}, 5);
    const result = await validateMigrationActivity(dependencies({ cosmos }))(validateInput());

    expect(result.passed).toBe(false);
    expect(result.countsReconciled).toBe(true);
    expect(result.container).toMatchObject({ expected: 4, actual: 5, reconciled: false });
    expect(result.container?.detail).toContain('holds 5 documents but 4 were expected');
  });

  test("an incremental export of a synced table: the ledger's count before, plus creates, minus removals", async () => {
    const counts = {
      ...{ expected: 3, read: 3, written: 2, deleted: 1, deadLettered: 0, inFailedFiles: 0 },
      ...{ created: 1, replaced: 1, deletedPresent: 1, deletedAbsent: 0 },
    };
    const synced = { ...request(), documentsBefore: 10 };
    const passes = await validateMigrationActivity(dependencies({ cosmos: fakeCosmos({}, 10).cosmos }))(
      validateInput({ request: synced, incremental: true, counts }),
    );
    expect(passes.container).toMatchObject({ expected: 10, actual: 10, reconciled: true });
    const fails = await validateMigrationActivity(dependencies({ cosmos: fakeCosmos({}, 9).cosmos }))(
      validateInput({ request: synced, incremental: true, counts }),
    );
    expect(fails).toMatchObject({ passed: false, container: { expected: 10, actual: 9, reconciled: false } });
    const unknown = await validateMigrationActivity(dependencies({ cosmos: fakeCosmos({}, 9).cosmos }))(
      validateInput({ incremental: true, counts }),
    );
    expect(unknown.passed).toBe(true);
    expect(unknown.container).toMatchObject({ actual: 9, reconciled: true });
    expect(unknown.container?.expected).toBeUndefined();
  });
});
