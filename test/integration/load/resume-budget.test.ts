/**
 * A load that runs out of its time budget again and again, on the local stack (Azurite for the lake, the local
 * Cosmos DB server behind the strict layer): each attempt continues after its checkpoint, and in the end every line
 * was written exactly once. The service says so: into an empty container, a line written twice would be answered
 * 200 (replaced) instead of 201 (created), and the load counts both answers.
 */
import { gzipSync } from 'node:zlib';
import { createCosmosClient, createLakeContainerClient } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { RuBudget } from '../../../src/cosmos/ru-budget';
import { ensureTargetContainer } from '../../../src/cosmos/target';
import { loadFile, LoadFileResult } from '../../../src/load/load-file';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true });
const LINES = 3000;
const line = (n: number) =>
  JSON.stringify({
    Item: { pk: { S: `p${n % 7}` }, sk: { N: String(n) }, note: { S: `item ${n} ${'x'.repeat(n % 90)}` } },
  });

test('stopped by its budget at every attempt, a load resumes after its checkpoint and writes each line once', async () => {
  const settings = readSettings(stack.settings as unknown as NodeJS.ProcessEnv);
  const lake = createLakeContainerClient(settings);
  const cosmos = createCosmosClient(settings, { requestTimeoutMs: 60_000 });
  await lake.createIfNotExists();
  await ensureTargetContainer(cosmos, { database: 'resume', container: 'budget', partitionKeyPaths: ['/pk'] });
  const container = cosmos.database('resume').container('budget');
  const lakePath = 'bucket/exports/resume/data/file.json.gz';
  const body = gzipSync(Array.from({ length: LINES }, (_, i) => line(i + 1)).join('\n') + '\n');
  await lake.getBlockBlobClient(lakePath).uploadData(body);

  // Writes paced at 2,000 RU/s (a few hundred of these items a second), so the file takes many 250 ms budgets
  // however fast the machine is; unpaced, a quiet machine loaded it in one or two attempts.
  const ruBudget = new RuBudget(2000);
  const resumedAfter: number[] = [];
  let result: LoadFileResult | undefined;
  for (let attempt = 0; !result?.complete; attempt++) {
    if (attempt > 100) throw new Error('the load made no progress');
    result = await loadFile({
      lake,
      container,
      lakePath,
      sourceName: 'exports/resume/data/file.json.gz',
      fileIndex: 0,
      incremental: false,
      mapping: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' },
      migrationFolder: 'bucket/exports/resume/_migration/resume/budget',
      sampleQuota: 10,
      runId: 'run-budget',
      timeBudgetMs: 250,
      ruBudget,
    });
    if (result.resumedAfterLine !== undefined) resumedAfter.push(result.resumedAfterLine);
  }

  // Several attempts, each after the one before it got further.
  expect(resumedAfter.length).toBeGreaterThanOrEqual(2);
  expect([...resumedAfter].sort((a, b) => a - b)).toEqual(resumedAfter);
  expect(new Set(resumedAfter).size).toBe(resumedAfter.length);
  // Every line once: read and written once each, every write a create.
  expect(result).toMatchObject({ linesRead: LINES, written: LINES, created: LINES, replaced: 0, deadLettered: 0 });
  const { resources } = await container.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
  expect(resources).toEqual([LINES]);
}, 300_000);
