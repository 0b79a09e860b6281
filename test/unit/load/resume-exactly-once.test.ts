/**
 * A load that resumes, again and again, from its checkpoint (stopped by its time budget, or killed with its process
 * after a checkpoint) loads each line exactly once: every line is written, none before the checkpoint is handed to
 * the writer again, and each is counted once in the totals however many attempts it took.
 */
import type { Container, OperationInput } from '@azure/cosmos';
import { gzipSync } from 'node:zlib';
import { loadFile, LoadFileResult } from '../../../src/load/load-file';
import { itemLine, loadInput, MemoryLake, LAKE_PATH, until } from './support';

const LINES = 4000;

/** A container that records, per attempt, the items (by their sort key) each bulk call wrote. */
function recordingContainer() {
  const attempts: number[][] = [];
  const container = {
    url: `dbs/test/colls/c-${Math.random()}`,
    id: 'c',
    database: { id: 'test' },
    read: async () => ({ resource: { partitionKey: { paths: [] } } }),
    items: {
      executeBulkOperations: async (operations: OperationInput[]) => {
        const current = attempts.at(-1) as number[];
        // Half a millisecond per operation, however they are batched: with a 15 ms budget the load needs several
        // attempts on a fast machine too (its reading runs ahead of the writes, so the writes set the pace).
        await new Promise((resolve) => setTimeout(resolve, 2 + operations.length / 2));
        for (const operation of operations) {
          const body = (operation as { resourceBody?: { sk?: number | string } }).resourceBody;
          current.push(Number(body?.sk));
        }
        return operations.map(() => ({ response: { statusCode: 200, requestCharge: 1 } }));
      },
    },
  };
  return { container: container as unknown as Container, attempts };
}

const isCheckpoint = (path: string) => /\/checkpoints\/\d+\.json$/.test(path);

test('stopped by its budget and killed after checkpoints, a load writes and counts every line once', async () => {
  const lake = new MemoryLake();
  lake.put(LAKE_PATH, gzipSync(Array.from({ length: LINES }, (_, i) => itemLine(i + 1)).join('\n') + '\n'));
  const { container, attempts } = recordingContainer();
  const results: (LoadFileResult | 'died')[] = [];
  /** Per attempt, the line its checkpoint said every line up to had settled (0: it started from line 1). */
  const resumedAfter: number[] = [];
  let result: LoadFileResult | undefined;
  for (let attempt = 0; !result?.complete; attempt++) {
    if (attempt > 200) throw new Error('the load made no progress');
    attempts.push([]);
    resumedAfter.push(0);
    const log = (line: string) => {
      const resumed = /resuming from checkpoint after line (\d+)/.exec(line);
      if (resumed) resumedAfter[attempt] = Number(resumed[1]);
    };
    const input = loadInput(lake, container, { timeBudgetMs: 15, checkpointIntervalMs: 5, log });
    if (attempt % 3 === 1) {
      // This attempt's process dies right after its second checkpoint: the next one resumes from that checkpoint
      // and sends again what was in flight after it.
      let checkpoints = 0;
      lake.dieWhen = (path) => isCheckpoint(path) && ++checkpoints === 2;
      void loadFile(input).catch(() => undefined);
      await until(() => lake.dead);
      lake.revive();
      results.push('died');
      continue;
    }
    result = await loadFile(input);
    results.push(result);
  }
  expect(results.length).toBeGreaterThanOrEqual(4);
  expect(results).toContain('died');

  // Every line reached the container.
  const written = new Set(attempts.flat());
  expect(written.size).toBe(LINES);
  // No attempt was handed a line at or before the checkpoint it resumed from; later ones did resume.
  const earliest = attempts.map((items) => Math.min(...items));
  expect(earliest).toEqual(resumedAfter.map((after, i) => Math.max(after + 1, earliest[i])));
  expect(resumedAfter.filter((after) => after > 0).length).toBeGreaterThanOrEqual(3);
  // Each line counted once, whatever was sent again after a death.
  expect(result).toMatchObject({ linesRead: LINES, written: LINES, deadLettered: 0, complete: true });
});
