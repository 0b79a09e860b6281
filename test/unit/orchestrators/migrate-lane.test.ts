/**
 * migrateLane replayed by the real durable-functions handler (test/support/replay.ts): the next file's copy beside
 * the current file's load, loads continued from their checkpoint, retries with back-off that hold up only the file
 * that failed, what a failed file comes to, the custom status after each file, and continue-as-new that keeps every
 * execution's history under 250 events.
 */
import type { LaneInput, LaneOutput, LaneStatus } from '../../../orchestrators/lane-contracts';
import { HISTORY_BUDGET, migrateLane } from '../../../orchestrators/migrate-lane';
import { newProgress } from '../../../orchestrators/progress';
import type { CopyFileInput, LoadFileInput } from '../../../src/migration/contracts';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import { callsOf, parsedOutput, simulate, SimulateOptions, SimulationResult, statusesOf } from '../../support/replay';
import { copied, loaded, manifestFiles, request } from './fixtures';

const RUN_ID = 'mig@2024-01-01T00:00:00.001Z';

function laneInput(itemCounts: number[]): LaneInput {
  return {
    request: request(),
    incremental: true,
    runId: RUN_ID,
    parallelFiles: 3,
    lane: 0,
    queue: manifestFiles(itemCounts).map((file) => ({ ...file, sampleQuota: 1 })),
    active: [],
    progress: newProgress(0, 0),
    records: [],
    generation: 0,
  };
}

/** `copyFile:0`, `loadFile:0`, … in scheduling order. */
function steps(result: SimulationResult): string[] {
  return callsOf(result, { kind: 'activity' }).map(
    (call) => `${call.name}:${(call.input as { file: { index: number } }).file.index}`,
  );
}

/** The activities scheduled together, episode by episode, in the lane's history. */
function episodesOf(result: SimulationResult): string[][] {
  const rounds: string[][] = [];
  let current: string[] = [];
  for (const event of result.history) {
    if (event.EventType === EventType.OrchestratorStarted) current = [];
    if (event.EventType === EventType.TaskScheduled) {
      // (The legacy protocol's TaskScheduled.Input: a JSON array holding the input.)
      const [input] = JSON.parse(String(event.Input)) as [{ file: { index: number } }];
      current.push(`${event.Name}:${input.file.index}`);
    }
    if (event.EventType === EventType.OrchestratorCompleted && current.length > 0) rounds.push(current);
  }
  return rounds;
}

const run = (input: LaneInput, activities: Parameters<typeof simulate>[2], options: SimulateOptions = {}) =>
  simulate(migrateLane, input, activities, {
    name: 'migrateLane',
    instanceId: 'mig:lane-0',
    maxGenerations: 1000,
    ...options,
  });

const happy = {
  copyFile: (i: CopyFileInput) => copied(i.file),
  loadFile: (i: LoadFileInput) => loaded(i.file),
};

describe('migrateLane (replayed)', () => {
  test("copies the next file while the current one loads, passing the request's fields through", async () => {
    const input = laneInput([1, 2, 3, 4]);
    const result = await run(input, happy);

    expect(result.outcome).toBe('completed');
    // Each round's tasks are scheduled together: the first two copies, then each load beside the next copy.
    expect(episodesOf(result)).toEqual([
      ['copyFile:0', 'copyFile:1'],
      ['loadFile:0'],
      ['loadFile:1', 'copyFile:2'],
      ['loadFile:2', 'copyFile:3'],
      ['loadFile:3'],
    ]);
    const [firstCopy] = callsOf(result, { name: 'copyFile' });
    expect(firstCopy.input).toEqual({ request: input.request, file: input.queue[0] });
    const [firstLoad] = callsOf(result, { name: 'loadFile' });
    expect(firstLoad.input).toEqual({
      request: input.request,
      incremental: true,
      file: input.queue[0],
      lakePath: `exports/${input.queue[0].key}`,
      runId: RUN_ID,
      parallelFiles: 3,
    });

    const output = parsedOutput(result) as LaneOutput;
    expect(output.records.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(output.records[2]).toEqual({
      index: 2,
      key: input.queue[2].key,
      itemCount: 3,
      load: { linesRead: 3, written: 3, deleted: 0, deadLettered: 0, requestCharge: 3 * 10.005 },
      attempts: 1,
      runs: { copy: 1, load: 1 },
    });
    expect(output.progress.files).toMatchObject({ copied: 4, loaded: 4, failed: 0 });
    expect(output.progress.items).toMatchObject({ read: 10, written: 10 });
    expect(output.progress.sampleFileIndexes).toEqual([0, 1, 2, 3]);
  });

  test('the custom status counts every file as it ends and names the file being loaded', async () => {
    const result = await run(laneInput([5, 6, 7]), happy);
    const statuses = statusesOf(result) as LaneStatus[];

    expect(statuses[0]).toMatchObject({ lane: 0, files: { total: 3, done: 0 } });
    expect([...new Set(statuses.map((s) => s.files.done))]).toEqual([0, 1, 2, 3]);
    const whenFirstDone = statuses.find((s) => s.files.done === 1)!;
    expect(whenFirstDone.progress.items.written).toBe(5);
    expect(whenFirstDone.loading).toEqual({ index: 1, key: manifestFiles([5, 6])[1].key });
    expect(statuses[statuses.length - 1]).toMatchObject({ files: { done: 3 }, progress: { items: { written: 18 } } });
    expect(statuses[statuses.length - 1].loading).toBeUndefined();
  });

  test('a load that stopped at its time budget is loaded again from its checkpoint until complete', async () => {
    let rounds = 0;
    const result = await run(laneInput([10, 20]), {
      ...happy,
      loadFile: (i: LoadFileInput) =>
        i.file.index === 0 && ++rounds < 3 ? loaded(i.file, { complete: false, written: 4 }) : loaded(i.file),
    });

    expect(steps(result)).toEqual(['copyFile:0', 'copyFile:1', 'loadFile:0', 'loadFile:0', 'loadFile:0', 'loadFile:1']);
    const output = parsedOutput(result) as LaneOutput;
    expect(output.records[0]).toMatchObject({ attempts: 1, runs: { copy: 1, load: 3 }, load: { written: 10 } });
    expect(output.progress.items.written).toBe(30);
  });

  test('a permanent copy failure fails that file only; it is not loaded and the next file moves up', async () => {
    const result = await run(laneInput([1, 2, 3]), {
      ...happy,
      copyFile: (i: CopyFileInput) =>
        i.file.index === 0
          ? { ok: false, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' }
          : copied(i.file),
    });

    expect(steps(result)).toEqual(['copyFile:0', 'copyFile:1', 'loadFile:1', 'copyFile:2', 'loadFile:2']);
    const output = parsedOutput(result) as LaneOutput;
    expect(output.records.find((r) => r.index === 1)).toMatchObject({ runs: { copy: 1, load: 1 } });
    expect(output.records.find((r) => r.index === 0)).toEqual({
      index: 0,
      key: manifestFiles([1])[0].key,
      itemCount: 1,
      error: { code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' },
      attempts: 1,
      runs: { copy: 1, load: 0 },
    });
    expect(output.progress.files).toMatchObject({ copied: 2, loaded: 2, failed: 1 });
    expect(output.progress.items.inFailedFiles).toBe(1);
    expect(output.progress.failures).toEqual([
      { file: manifestFiles([1])[0].key, code: 'CHECKSUM_MISMATCH', message: '[CHECKSUM_MISMATCH] MD5 differs' },
    ]);
  });

  test('a permanent load failure keeps the copy and counts what was loaded before it', async () => {
    const result = await run(laneInput([8]), {
      ...happy,
      loadFile: () => ({
        ok: false,
        code: 'CORRUPT_GZIP',
        message: '[CORRUPT_GZIP] breaks off',
        loaded: { ...(loaded(laneInput([8]).queue[0], { written: 5, linesRead: 5 }) as object), ok: undefined },
      }),
    });

    const output = parsedOutput(result) as LaneOutput;
    expect(output.records[0]).toMatchObject({ error: { code: 'CORRUPT_GZIP' }, load: { written: 5 } });
    expect(output.progress.files).toMatchObject({ copied: 1, loaded: 0, failed: 1 });
    expect(output.progress.items).toMatchObject({ written: 5, inFailedFiles: 8 });
    // A failure returned as data is not tried again.
    expect(callsOf(result, { name: 'loadFile' })).toHaveLength(1);
  });

  test('an activity that keeps throwing is tried 5 times, 5 s doubling apart, while the other file goes on', async () => {
    const input = laneInput([1, 2, 3]);
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => {
        if (i.file.index === 0) throw new Error('socket hang up');
        return copied(i.file);
      },
      loadFile: (i: LoadFileInput) => {
        if (i.file.index === 1) throw new Error(`[TRANSIENT] throttled loading ${i.file.index}`);
        return loaded(i.file);
      },
    });

    expect(result.outcome).toBe('completed');
    expect(steps(result).filter((s) => s === 'copyFile:0')).toHaveLength(5);
    expect(steps(result).filter((s) => s === 'loadFile:1')).toHaveLength(5);
    // File 1 was copied at once, beside file 0's first try: the retries held up neither its copy nor file 2.
    expect(steps(result).slice(0, 2)).toEqual(['copyFile:0', 'copyFile:1']);
    const gaps = result.history
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) => Date.parse(e.FireAt ?? '') - Date.parse(e.Timestamp));
    // (The back-off counts from the failure; the timer is made when the other task of the round has ended too, a
    // virtual millisecond later here.)
    expect(gaps.map((gap) => Math.round(gap / 1000) * 1000)).toEqual([
      5000, 10000, 20000, 40000, 5000, 10000, 20000, 40000,
    ]);

    const output = parsedOutput(result) as LaneOutput;
    const byIndex = new Map(output.records.map((r) => [r.index, r]));
    expect(byIndex.get(0)?.error?.message).toMatch(
      new RegExp(
        `^\\[RETRIES_EXHAUSTED\\] copying ${input.queue[0].key} failed: socket hang up \\(correlation id [0-9a-f-]{36}\\)$`,
      ),
    );
    expect(byIndex.get(0)).toMatchObject({ attempts: 5, runs: { copy: 5, load: 0 } });
    // A code in the message is kept, and the message starts at it.
    expect(byIndex.get(1)?.error).toEqual({ code: 'TRANSIENT', message: '[TRANSIENT] throttled loading 1' });
    expect(byIndex.get(2)?.load?.written).toBe(3);
  });

  /**
   * A lane of two files where copying file 1 always throws while file 0 loads in many continuations (each stops at
   * its time budget after `loadMs`, virtual), so each of file 1's tries runs beside one of file 0's loads. Returns
   * file 1's correlation id and what was logged under it.
   */
  async function correlated(loadMs: number) {
    const input = laneInput([1, 2]);
    let loads = 0;
    const result = await run(
      input,
      {
        copyFile: (i: CopyFileInput) => {
          if (i.file.index === 1) throw new Error('socket hang up');
          return copied(i.file);
        },
        loadFile: (i: LoadFileInput) =>
          i.file.index === 0 && ++loads < 20 ? loaded(i.file, { complete: false }) : loaded(i.file),
      },
      { latency: (call) => (call.name === 'loadFile' ? loadMs : 0) },
    );
    const record = (parsedOutput(result) as LaneOutput).records.find((r) => r.index === 1)!;
    const id = /\(correlation id ([0-9a-f-]{36})\)$/.exec(record.error!.message)![1];
    return { id, logged: result.logs.filter((entry) => entry.message.includes(id)) };
  }

  test("Durable's details of a file that ran out of retries are logged once under its correlation id", async () => {
    const { logged } = await correlated(0);
    expect(logged.map((entry) => entry.level)).toEqual(['error']);
    expect(logged[0].message).toContain('RETRIES_EXHAUSTED');
    expect(logged[0].message).toContain('StackTraceString');
  });

  test('...also when its last try failed while the file ahead of it was still loading', async () => {
    // File 1's last try fails at once, while file 0's load beside it takes 10 minutes: collected in the order they
    // were scheduled, the failure would be worked out only when the load ended, with isReplaying true, and never logged.
    const { logged } = await correlated(600_000);
    expect(logged.map((entry) => entry.level)).toEqual(['error']);
    expect(logged[0].message).toContain('StackTraceString');
  });

  test('an activity that throws once succeeds on the retry and its file is loaded', async () => {
    let attempts = 0;
    const result = await run(laneInput([3]), {
      ...happy,
      copyFile: (i: CopyFileInput) => {
        if (++attempts === 1) throw new Error('ECONNRESET');
        return copied(i.file);
      },
    });

    expect(steps(result)).toEqual(['copyFile:0', 'copyFile:0', 'loadFile:0']);
    const [record] = (parsedOutput(result) as LaneOutput).records;
    expect(record).toMatchObject({ attempts: 1, runs: { copy: 2, load: 1 }, load: { written: 3 } });
    expect(record.error).toBeUndefined();
  });

  test('no files: nothing scheduled, empty totals', async () => {
    const result = await run(laneInput([]), {});
    expect(result.outcome).toBe('completed');
    expect(result.calls).toEqual([]);
    expect((parsedOutput(result) as LaneOutput).records).toEqual([]);
  });

  test('continues as new before its history passes the budget, carrying its state; nothing is done twice', async () => {
    const counts = Array.from({ length: 200 }, (_, i) => 1 + (i % 7));
    let loadRounds = 0;
    const failedOnce = new Set<number>();
    const result = await run(laneInput(counts), {
      copyFile: (i: CopyFileInput) => {
        // A few copies fail once: their retry timers are part of the history too.
        if (i.file.index % 50 === 3 && !failedOnce.has(i.file.index)) {
          failedOnce.add(i.file.index);
          throw new Error('ECONNRESET');
        }
        return copied(i.file);
      },
      loadFile: (i: LoadFileInput) =>
        i.file.index % 40 === 0 && ++loadRounds % 2 === 1 ? loaded(i.file, { complete: false }) : loaded(i.file),
    });

    expect(result.outcome).toBe('completed');
    expect(result.inputs.length).toBeGreaterThan(5);
    expect(Math.max(...result.historyLengths)).toBeLessThanOrEqual(HISTORY_BUDGET);
    const output = parsedOutput(result) as LaneOutput;
    expect(output.records.map((r) => r.index).sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));
    expect(output.progress.files).toMatchObject({ loaded: 200, failed: 0 });
    expect(output.progress.items.written).toBe(counts.reduce((a, b) => a + b, 0));
    // Each file loaded to completion once (continuations aside): no step was repeated across executions.
    const completeLoads = callsOf(result, { name: 'loadFile' }).length - 5;
    expect(completeLoads).toBe(200);
  });
});
