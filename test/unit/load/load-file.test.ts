/**
 * loadFile on a lake in memory: a line over the cap is dead-lettered with its length and never held; a process
 * that dies while skipping it is followed by an attempt that resumes right before it, and a second death there
 * fails the file with FILE_POISONED; what a file that fails had loaded is counted; memory stays bounded.
 */
import { gzipSync } from 'node:zlib';
import { MAX_LINE_BYTES } from '../../../src/export/read-lines';
import { DeadLetter } from '../../../src/lake/dead-letters';
import { SAMPLE_BUDGET_BYTES } from '../../../src/load/line-ledger';
import { loadFile, LoadFailure, LoadFileResult } from '../../../src/load/load-file';
import {
  acceptingContainer,
  CHECKPOINT,
  DEAD_LETTERS,
  fileWithLongLine,
  itemLine,
  LAKE_PATH,
  loadInput,
  MARKER,
  MemoryGuard,
  MemoryLake,
  MiB,
  runPaths,
  until,
} from './support';

const before = [1, 2, 3].map((n) => itemLine(n));
const after = [5, 6].map((n) => itemLine(n));

function deadLetters(lake: MemoryLake): DeadLetter[] {
  return (lake.text(DEAD_LETTERS) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetter);
}

/** Starts a load that will "die" (its lake stops answering) when the marker names a line being skipped. */
async function loadThatDies(lake: MemoryLake, logs: string[]): Promise<void> {
  lake.dieWhen = (path, body) => path === MARKER && body.includes('"skipping"');
  const { container } = acceptingContainer();
  void loadFile(loadInput(lake, container, { log: (line) => logs.push(line) })).catch(() => undefined);
  await until(() => lake.dead);
  lake.revive();
}

describe('a line over the cap', () => {
  test('a 1 GiB line is dead-lettered with its length and reason, holding none of it; the other lines load', async () => {
    const { body, longLineBytes } = fileWithLongLine(before, 16, after);
    expect(body.length).toBeLessThan(2 * MiB);
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, body);
    const written = acceptingContainer();
    const logs: string[] = [];
    const guard = new MemoryGuard();
    const stop = guard.watch();
    const started = Date.now();
    let result: LoadFileResult;
    try {
      result = await loadFile(loadInput(lake, written.container, { log: (line) => logs.push(line) }));
    } finally {
      stop();
    }
    console.log(`1 GiB line through loadFile: peak +${(guard.peak / MiB).toFixed(1)} MiB, ${Date.now() - started} ms`);
    expect(guard.peak).toBeLessThan(128 * MiB);
    expect(result).toMatchObject({ linesRead: 6, written: 5, deadLettered: 1, complete: true });
    expect(written.ids.size).toBe(5);

    const letters = deadLetters(lake);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      file: 'exports/t/data/f.json.gz',
      line: 4,
      code: 'LINE_TOO_LONG',
      bytes: longLineBytes,
      rawTruncated: true,
    });
    expect(letters[0].bytesAtLeast).toBeUndefined();
    expect(letters[0].reason).toContain(
      `[LINE_TOO_LONG] line 4 is ${longLineBytes} bytes long, over the limit of ${MAX_LINE_BYTES} bytes`,
    );
    expect(letters[0].raw.startsWith('{"Item":{"pk":{"S":"huge"}')).toBe(true);
    expect(letters[0].raw.length).toBeLessThanOrEqual(1024);

    // Before skipping it, everything before it was checkpointed and the marker named it; then the marker went.
    expect(logs).toContain(`exports/t/data/f.json.gz: checkpoint after line 3`);
    expect(logs.some((l) => /line 4 is longer than the limit of 4194304 bytes; skipping it/.test(l))).toBe(true);
    expect(lake.blobs.has(MARKER)).toBe(false);
    expect(lake.requests.filter((r) => r === `upload ${MARKER}`).length).toBeGreaterThanOrEqual(16);
  });

  test('a file of long lines under the cap: the sample keeps its byte budget, memory stays bounded', async () => {
    // 80 lines of 3 MiB each (under the 4 MiB cap); the sample's quota (500) would otherwise hold all 240 MiB.
    const blob = 'b'.repeat(3 * MiB);
    const lines = Array.from({ length: 80 }, (_, n) =>
      JSON.stringify({ Item: { pk: { S: 'p' }, sk: { N: String(n) }, blob: { S: blob } } }),
    );
    const lineLength = lines[0].length;
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, gzipSync(lines.join('\n') + '\n', { level: 1 }));
    lines.length = 0;
    const guard = new MemoryGuard();
    const written = acceptingContainer(() => guard.check(true));
    const result = await loadFile(loadInput(lake, written.container, { sampleQuota: 500 }));
    console.log(`80 lines of 3 MiB through loadFile: live peak +${(guard.peak / MiB).toFixed(1)} MiB`);
    expect(result).toMatchObject({ linesRead: 80, written: 80, complete: true });
    // As many as fit the sample's budget: 5 of these lines.
    expect(result.sampled).toBe(Math.floor(SAMPLE_BUDGET_BYTES / lineLength));
    expect(guard.peak).toBeLessThan(96 * MiB);
    const checkpoint = JSON.parse(lake.text(CHECKPOINT)!);
    expect(checkpoint.sample.capacity).toBe(result.sampled);
    expect(checkpoint.sample.seen).toBe(80);
  });
});

describe('a process that dies on the file (poison marker)', () => {
  test('dies once while skipping a long line: the next attempt resumes before it, says so, and ends right', async () => {
    const { body, longLineBytes } = fileWithLongLine(before, 4, after);
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, body);
    const logs: string[] = [];
    await loadThatDies(lake, logs);
    expect(JSON.parse(lake.text(MARKER)!)).toMatchObject({ after: 3, deaths: 0, skipping: { line: 4 } });

    const written = acceptingContainer();
    const result = await loadFile(loadInput(lake, written.container, { log: (line) => logs.push(line) }));
    expect(logs).toEqual(
      expect.arrayContaining([
        'exports/t/data/f.json.gz: resuming from checkpoint after line 3',
        expect.stringMatching(
          /the previous attempt at this file did not end: its process died while skipping line 4, longer than the limit of 4194304 bytes \(at least \d+ bytes\); 1 in a row without progress/,
        ),
      ]),
    );
    // Every line counted once: 1-3 from the checkpoint, the long one dead-lettered once, 5-6 written now.
    expect(result).toMatchObject({ linesRead: 6, written: 5, deadLettered: 1, complete: true, resumedAfterLine: 3 });
    expect(deadLetters(lake)).toEqual([expect.objectContaining({ line: 4, bytes: longLineBytes })]);
    expect(written.ids.size).toBe(2);
    expect(lake.blobs.has(MARKER)).toBe(false);
  });

  test('dies twice there: the third attempt fails the file with FILE_POISONED without reading it, counting lines 1-3', async () => {
    const { body } = fileWithLongLine(before, 4, after);
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, body);
    const logs: string[] = [];
    await loadThatDies(lake, logs);
    await loadThatDies(lake, logs);
    expect(JSON.parse(lake.text(MARKER)!)).toMatchObject({ after: 3, deaths: 1, skipping: { line: 4 } });

    const requestsBefore = lake.requests.length;
    const written = acceptingContainer();
    const failure = await loadFile(loadInput(lake, written.container)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LoadFailure);
    const { code, message, loaded, retryable } = failure as LoadFailure;
    expect(code).toBe('FILE_POISONED');
    expect(retryable).toBe(false);
    expect(message).toMatch(
      /^\[FILE_POISONED\] exports\/t\/data\/f\.json\.gz: the process loading this file died 2 times in a row while skipping line 4, longer than the limit of 4194304 bytes \(at least \d+ bytes\), so it is not loaded again; lines 1 to 3 were loaded \(3 written, 0 dead-lettered\)/,
    );
    expect(loaded).toMatchObject({ linesRead: 3, written: 3, deadLettered: 0, complete: false, fileIndex: 0 });
    expect(lake.requests.slice(requestsBefore).filter((r) => r.startsWith('download '))).toEqual([]);
    expect(written.calls).toBe(0);
    // The marker stays: the same run asking again gets the same answer.
    expect(lake.blobs.has(MARKER)).toBe(true);
    await expect(loadFile(loadInput(lake, written.container))).rejects.toMatchObject({ code: 'FILE_POISONED' });
  });

  test('a marker of another run is not this one; a death followed by progress counts as one, not two', async () => {
    const lines = Array.from({ length: 20 }, (_, n) => itemLine(n + 1));
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, gzipSync(lines.join('\n') + '\n'));
    const { etag } = await lake.getBlockBlobClient(LAKE_PATH).getProperties();
    const marker = { version: 1, runId: 'run-1', lakePath: LAKE_PATH, etag, after: 0, deaths: 1 };
    const { container } = acceptingContainer();

    lake.put(MARKER, JSON.stringify({ ...marker, runId: 'run-0' }));
    await expect(loadFile(loadInput(lake, container))).resolves.toMatchObject({ written: 20 });
    expect(lake.blobs.has(MARKER)).toBe(false);

    // Run 2 stops at its time budget after a checkpoint; a marker saying an attempt died after line 0 once
    // before is then from before that progress: this attempt goes on.
    const logs: string[] = [];
    const stopping = loadInput(lake, container, { runId: 'run-2', checkpointIntervalMs: 0, timeBudgetMs: 0 });
    await expect(loadFile(stopping)).resolves.toMatchObject({ complete: false });
    expect(JSON.parse(lake.text(runPaths('run-2').checkpoint)!).settledThrough).toBeGreaterThan(0);
    lake.put(runPaths('run-2').marker, JSON.stringify({ ...marker, runId: 'run-2' }));
    const result = await loadFile(loadInput(lake, container, { runId: 'run-2', log: (line) => logs.push(line) }));
    expect(result).toMatchObject({ written: 20, complete: true });
    expect(logs.some((l) => /its process died after line 0; 1 in a row without progress/.test(l))).toBe(true);
  });

  test('deaths outside a long line: the third in a row after one checkpoint fails the file', async () => {
    const lines = Array.from({ length: 20 }, (_, n) => itemLine(n + 1));
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, gzipSync(lines.join('\n') + '\n'));
    const { etag } = await lake.getBlockBlobClient(LAKE_PATH).getProperties();
    const marker = { version: 1, lakePath: LAKE_PATH, etag, after: 0 };
    const { container } = acceptingContainer();

    // Two earlier attempts died (the marker counts the first, this finds the second): this one goes on.
    lake.put(runPaths('run-a').marker, JSON.stringify({ ...marker, runId: 'run-a', deaths: 1 }));
    await expect(loadFile(loadInput(lake, container, { runId: 'run-a' }))).resolves.toMatchObject({ written: 20 });
    // Three: this one does not.
    lake.put(runPaths('run-b').marker, JSON.stringify({ ...marker, runId: 'run-b', deaths: 2 }));
    await expect(loadFile(loadInput(lake, container, { runId: 'run-b' }))).rejects.toMatchObject({
      code: 'FILE_POISONED',
      message: expect.stringContaining('died 3 times in a row after line 0, so it is not loaded again'),
      loaded: expect.objectContaining({ linesRead: 0, written: 0 }),
    });
  });

  test('an attempt that fails (its process lives) removes its marker: no death is counted', async () => {
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, 'not gzip');
    const { container } = acceptingContainer();
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(loadFile(loadInput(lake, container))).rejects.toMatchObject({ code: 'CORRUPT_GZIP' });
      expect(lake.blobs.has(MARKER)).toBe(false);
    }
  });
});

describe('a file whose gzip data breaks off (item 8 of issue 14)', () => {
  test('what was written before the break is counted: the failure carries it', async () => {
    const lines = Array.from({ length: 3000 }, (_, n) => itemLine(n + 1));
    const whole = gzipSync(lines.join('\n') + '\n');
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, whole.subarray(0, Math.floor(whole.length * 0.5)));
    const written = acceptingContainer();
    const failure = (await loadFile(loadInput(lake, written.container)).catch(
      (error: unknown) => error,
    )) as LoadFailure;
    expect(failure).toBeInstanceOf(LoadFailure);
    expect(failure.code).toBe('CORRUPT_GZIP');
    const cut = /truncated after line (\d+).*\((\d+) written, 0 dead-lettered\)/.exec(failure.message);
    expect(cut).not.toBeNull();
    expect(Number(cut![2])).toBe(Number(cut![1]));
    expect(failure.loaded).toMatchObject({ linesRead: Number(cut![1]), written: Number(cut![1]), complete: false });
    expect(written.ids.size).toBe(failure.loaded.written);
    expect(failure.loaded.written).toBeGreaterThan(1000);
    expect(lake.blobs.has(MARKER)).toBe(false);
  });

  test('breaking off inside a line over the cap dead-letters it as at least the bytes seen', async () => {
    // The file ends with the long line's newline in a gzip member of its own: cut that and 1,000 bytes of 'a's.
    const { body } = fileWithLongLine(before, 2, [], undefined, '');
    const lake = new MemoryLake();
    lake.put(LAKE_PATH, body.subarray(0, body.length - gzipSync('\n').length - 1000));
    const failure = (await loadFile(loadInput(lake, acceptingContainer().container)).catch(
      (error: unknown) => error,
    )) as LoadFailure;
    expect(failure.code).toBe('CORRUPT_GZIP');
    expect(failure.loaded).toMatchObject({ linesRead: 4, written: 3, deadLettered: 1 });
    const [letter] = deadLetters(lake);
    expect(letter).toMatchObject({ line: 4, code: 'LINE_TOO_LONG', bytesAtLeast: true });
    expect(letter.bytes).toBeGreaterThan(MAX_LINE_BYTES);
    expect(letter.reason).toContain(`line 4 is at least ${letter.bytes} bytes long (the data breaks off inside it)`);
  });
});
