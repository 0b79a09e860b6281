/**
 * migrateFileBatch replayed by the real durable-functions handler (test/support/replay.ts): waves of copies then
 * loads, re-loads of a load that stopped at its time budget, and what a failed file comes to.
 */
import { migrateFileBatch } from '../../../orchestrators/migrate-file-batch';
import type { BatchInput, CopyFileInput, FileOutcome, LoadFileInput } from '../../../src/migration/contracts';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import { callsOf, parsedOutput, simulate, SimulateOptions, SimulationResult } from '../../support/replay';
import { copied, loaded, manifestFiles, request } from './fixtures';

const files = (itemCounts: number[]) => manifestFiles(itemCounts).map((file) => ({ ...file, sampleQuota: 1 }));

function batchInput(itemCounts: number[], filesPerBatch: number): BatchInput & { filesPerBatch: number } {
  return {
    request: request(),
    incremental: true,
    files: files(itemCounts),
    filesPerBatch,
    runId: 'mig@2024-01-01T00:00:00.001Z',
    parallelFiles: 3,
  };
}

/** `copyFile:0`, `loadFile:0`, … in scheduling order. */
function steps(result: SimulationResult): string[] {
  return callsOf(result, { kind: 'activity' }).map(
    (call) => `${call.name}:${(call.input as { file: { index: number } }).file.index}`,
  );
}

const run = (
  input: ReturnType<typeof batchInput>,
  activities: Parameters<typeof simulate>[2],
  options: SimulateOptions = {},
) => simulate(migrateFileBatch, input, activities, { name: 'migrateFileBatch', instanceId: 'mig:batch-0', ...options });

describe('migrateFileBatch (replayed)', () => {
  test('copies then loads each wave of filesPerBatch files, passing the request fields through', async () => {
    const input = batchInput([1, 2, 3, 4, 5], 2);
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => copied(i.file),
      loadFile: (i: LoadFileInput) => loaded(i.file),
    });

    expect(result.outcome).toBe('completed');
    expect(steps(result)).toEqual([
      'copyFile:0',
      'copyFile:1',
      'loadFile:0',
      'loadFile:1',
      'copyFile:2',
      'copyFile:3',
      'loadFile:2',
      'loadFile:3',
      'copyFile:4',
      'loadFile:4',
    ]);
    const [firstCopy] = callsOf(result, { name: 'copyFile' });
    expect(firstCopy.input).toEqual({ request: input.request, file: input.files[0] });
    const [firstLoad] = callsOf(result, { name: 'loadFile' });
    expect(firstLoad.input).toEqual({
      request: input.request,
      incremental: true,
      file: input.files[0],
      lakePath: `exports/${input.files[0].key}`,
      runId: 'mig@2024-01-01T00:00:00.001Z',
      parallelFiles: 3,
    });

    const outcomes = parsedOutput(result) as FileOutcome[];
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
    const { ok: _copyOk, ...copy } = copied(input.files[2]) as { ok: true };
    const { ok: _loadOk, ...load } = loaded(input.files[2]) as { ok: true };
    expect(outcomes[2]).toEqual({ index: 2, key: input.files[2].key, itemCount: 3, copy, load });
    expect(outcomes.every((o) => o.error === undefined)).toBe(true);
  });

  test('a load that stopped at its time budget is loaded again until complete; the others are not', async () => {
    const input = batchInput([10, 20, 30], 3);
    let rounds = 0;
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => copied(i.file),
      loadFile: (i: LoadFileInput) => {
        if (i.file.index !== 1) return loaded(i.file);
        rounds++;
        return rounds < 3
          ? loaded(i.file, { linesRead: rounds * 5, written: rounds * 5, complete: false })
          : loaded(i.file, { resumedAfterLine: 10 });
      },
    });

    expect(result.outcome).toBe('completed');
    expect(steps(result)).toEqual([
      'copyFile:0',
      'copyFile:1',
      'copyFile:2',
      'loadFile:0',
      'loadFile:1',
      'loadFile:2',
      'loadFile:1',
      'loadFile:1',
    ]);
    // Every round loads the same copy of the same file of the same run.
    const reloads = callsOf(result, { name: 'loadFile' }).filter((c) => (c.input as LoadFileInput).file.index === 1);
    expect(new Set(reloads.map((c) => JSON.stringify(c.input))).size).toBe(1);
    const outcomes = parsedOutput(result) as FileOutcome[];
    expect(outcomes[1].load).toMatchObject({ linesRead: 20, written: 20, complete: true, resumedAfterLine: 10 });
  });

  test('a permanent copy failure fails that file only and it is not loaded', async () => {
    const input = batchInput([1, 2, 3], 3);
    const result = await run(input, {
      copyFile: (i: CopyFileInput) =>
        i.file.index === 1
          ? {
              ok: false,
              code: 'CHECKSUM_MISMATCH',
              message: `[CHECKSUM_MISMATCH] s3://exports/${i.file.key}: MD5 differs`,
            }
          : copied(i.file),
      loadFile: (i: LoadFileInput) => loaded(i.file),
    });

    expect(result.outcome).toBe('completed');
    expect(steps(result)).toEqual(['copyFile:0', 'copyFile:1', 'copyFile:2', 'loadFile:0', 'loadFile:2']);
    const outcomes = parsedOutput(result) as FileOutcome[];
    expect(outcomes[1]).toEqual({
      index: 1,
      key: input.files[1].key,
      itemCount: 2,
      error: {
        code: 'CHECKSUM_MISMATCH',
        message: `[CHECKSUM_MISMATCH] s3://exports/${input.files[1].key}: MD5 differs`,
      },
    });
    expect(outcomes[0].load?.complete).toBe(true);
    expect(outcomes[2].load?.complete).toBe(true);
  });

  test('a permanent load failure keeps the copy and records the error', async () => {
    const input = batchInput([1, 2], 2);
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => copied(i.file),
      loadFile: (i: LoadFileInput) =>
        i.file.index === 0
          ? { ok: false, code: 'CORRUPT_GZIP', message: '[CORRUPT_GZIP] breaks off after line 7' }
          : loaded(i.file),
    });

    const outcomes = parsedOutput(result) as FileOutcome[];
    expect(outcomes[0].copy).toEqual({ lakePath: `exports/${input.files[0].key}`, bytes: 1000, method: 'stream' });
    expect(outcomes[0].load).toBeUndefined();
    expect(outcomes[0].error).toEqual({ code: 'CORRUPT_GZIP', message: '[CORRUPT_GZIP] breaks off after line 7' });
    expect(outcomes[1].error).toBeUndefined();
    // A failed load is not retried by the orchestrator (it came back as data).
    expect(callsOf(result, { name: 'loadFile' })).toHaveLength(2);
  });

  test('an activity that keeps throwing is tried 5 times, 5 s doubling apart, then its file fails', async () => {
    const input = batchInput([1, 2], 2);
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => {
        if (i.file.index === 0) throw new Error('socket hang up');
        return copied(i.file);
      },
      loadFile: (i: LoadFileInput) => {
        throw new Error(`[TRANSIENT] throttled loading ${i.file.index}`);
      },
    });

    expect(result.outcome).toBe('completed');
    expect(steps(result)).toEqual([
      'copyFile:0',
      'copyFile:1',
      'copyFile:0',
      'copyFile:0',
      'copyFile:0',
      'copyFile:0',
      'loadFile:1',
      'loadFile:1',
      'loadFile:1',
      'loadFile:1',
      'loadFile:1',
    ]);
    const gaps = result.history
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) => Date.parse(e.FireAt ?? '') - Date.parse(e.Timestamp));
    // The SDK arms one more (dummy) retry timer after the last attempt before it surfaces the failure.
    expect(gaps).toEqual([5000, 10000, 20000, 40000, 80000, 5000, 10000, 20000, 40000, 80000]);
    const outcomes = parsedOutput(result) as FileOutcome[];
    // No code in the message: the retries ran out. The report gets one line with a correlation id.
    expect(outcomes[0].error?.code).toBe('RETRIES_EXHAUSTED');
    expect(outcomes[0].error?.message).toMatch(
      new RegExp(
        `^\\[RETRIES_EXHAUSTED\\] copying ${input.files[0].key} failed: socket hang up \\(correlation id [0-9a-f-]{36}\\)$`,
      ),
    );
    expect(outcomes[0].copy).toBeUndefined();
    // A code in the message is kept, and the message starts at it.
    expect(outcomes[1].error).toEqual({ code: 'TRANSIENT', message: '[TRANSIENT] throttled loading 1' });
    expect(outcomes[1].copy?.method).toBe('stream');
  });

  /**
   * Runs a wave of two files where copying file `failing` always throws; the other copy's result takes `otherMs`
   * (virtual) to arrive. Returns the failed file's correlation id and what was logged under it.
   */
  async function correlated(failing: number, otherMs = 0) {
    const input = batchInput([1, 2], 2);
    const result = await run(
      input,
      {
        copyFile: (i: CopyFileInput) => {
          if (i.file.index === failing) throw new Error('socket hang up');
          return copied(i.file);
        },
        loadFile: (i: LoadFileInput) => loaded(i.file),
      },
      {
        latency: (call) =>
          call.name === 'copyFile' && (call.input as CopyFileInput).file.index !== failing ? otherMs : 0,
      },
    );
    const message = (parsedOutput(result) as FileOutcome[])[failing].error!.message;
    const id = /\(correlation id ([0-9a-f-]{36})\)$/.exec(message)![1];
    return { id, logged: result.logs.filter((entry) => entry.message.includes(id)) };
  }

  test.each([0, 1])(
    "Durable's details of a file that ran out of retries are logged once under its correlation id (file %i failed)",
    async (failing) => {
      const { logged } = await correlated(failing);
      expect(logged.map((entry) => entry.level)).toEqual(['error']);
      expect(logged[0].message).toContain('RETRIES_EXHAUSTED');
      expect(logged[0].message).toContain('StackTraceString');
    },
  );

  // Known problem (reported): publicFailure logs only when !context.df.isReplaying, and the SDK sets isReplaying from
  // the task yielded last. settleAll collects the tasks in order, so a failure that arrived while the orchestrator
  // still waited for an earlier file (here file 1 fails for good after about 155 s, file 0's copy takes an hour) is
  // worked out in a later episode with isReplaying true, and the details behind its correlation id are never
  // logged. Remove `.failing` once that is fixed.
  test.failing('...also when it failed while an earlier file of the wave was still being copied', async () => {
    const { logged } = await correlated(1, 3_600_000);
    expect(logged.map((entry) => entry.level)).toEqual(['error']);
  });

  test('an activity that throws once succeeds on the retry and its file is loaded', async () => {
    const input = batchInput([3], 1);
    let attempts = 0;
    const result = await run(input, {
      copyFile: (i: CopyFileInput) => {
        attempts++;
        if (attempts === 1) throw new Error('ECONNRESET');
        return copied(i.file);
      },
      loadFile: (i: LoadFileInput) => loaded(i.file),
    });

    expect(steps(result)).toEqual(['copyFile:0', 'copyFile:0', 'loadFile:0']);
    const [outcome] = parsedOutput(result) as FileOutcome[];
    expect(outcome.error).toBeUndefined();
    expect(outcome.load?.written).toBe(3);
  });

  test('no files: nothing scheduled, an empty list', async () => {
    const result = await run(batchInput([], 4), {});
    expect(result.outcome).toBe('completed');
    expect(result.calls).toEqual([]);
    expect(parsedOutput(result)).toEqual([]);
  });
});
