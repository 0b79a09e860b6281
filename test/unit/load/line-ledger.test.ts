import { AppendBlobClient } from '@azure/storage-blob';
import { DeadLetterSink } from '../../../src/lake/dead-letters';
import { BoundedSample, LineLedger } from '../../../src/load/line-ledger';
import type { SampleRecord } from '../../../src/validation/sample-record';

function sink(): { sink: DeadLetterSink; appended: string[] } {
  const appended: string[] = [];
  const blob = {
    create: async () => undefined,
    createIfNotExists: async () => undefined,
    appendBlock: async (body: string) => {
      appended.push(body);
    },
  } as unknown as AppendBlobClient;
  return { sink: new DeadLetterSink(blob, false), appended };
}

describe('LineLedger', () => {
  test('settles lines in line order whatever order their writes finish in', async () => {
    const { sink: letters } = sink();
    const ledger = new LineLedger('f.json.gz', letters, 10);
    const [a, b, c] = [ledger.handOut(1, 'a', 'put'), ledger.handOut(2, 'b', 'put'), ledger.handOut(4, 'c', 'delete')];
    await ledger.unmappable(5, 'bad', 'd', true);
    c.state = 'written';
    b.state = 'written';
    await ledger.settle();
    expect(ledger.settledThrough()).toBe(0);
    expect(ledger.totals.written).toBe(0);
    a.state = 'rejected';
    a.reason = 'HTTP 400';
    await ledger.settle();
    expect(ledger.settledThrough()).toBe(5);
    expect(ledger.totals).toEqual(expect.objectContaining({ written: 1, deleted: 1 }));
    expect(ledger.sample.items.map((s) => s.line)).toEqual([2, 4]);
    expect(letters.count).toBe(2);
  });

  test('a snapshot is a value: later counts do not change it', async () => {
    const { sink: letters } = sink();
    const ledger = new LineLedger('f', letters, 0);
    const first = ledger.handOut(1, 'a', 'put');
    first.state = 'written';
    await ledger.settle();
    const snapshot = ledger.snapshot({ requestCharge: 1.234, retries: 2 });
    ledger.handOut(2, 'b', 'put').state = 'written';
    await ledger.settle();
    expect(snapshot).toEqual(expect.objectContaining({ written: 1, requestCharge: 1.23, retries: 2 }));
    expect(ledger.totals.written).toBe(2);
  });

  test('resumes with the checkpoint totals, sample and position', () => {
    const { sink: letters } = sink();
    const totals = {
      linesRead: 10,
      written: 9,
      deleted: 0,
      deadLettered: 1,
      requestCharge: 5,
      retries: 1,
      stats: { numbersAsStrings: { n: 2 }, precisionLost: {}, renames: {} },
    };
    const ledger = new LineLedger('f', letters, 5, {
      version: 1,
      runId: 'r',
      lakePath: 'p',
      etag: 'e',
      settledThrough: 10,
      readThrough: 12,
      complete: false,
      totals,
      deadLetterBytes: 100,
      sample: { seen: 9, items: [{ file: 'f', line: 3, kind: 'put', raw: 'x' }] },
    });
    expect(ledger.settledThrough()).toBe(10);
    expect(ledger.sample.seen).toBe(9);
    expect(ledger.snapshot({ requestCharge: 1, retries: 1 })).toEqual(
      expect.objectContaining({ written: 9, requestCharge: 6, retries: 2 }),
    );
    ledger.totals.stats.numbersAsStrings.n = 3;
    expect(totals.stats.numbersAsStrings.n).toBe(2);
  });

  test('counts the characters of the lines it holds unsettled', async () => {
    const { sink: letters } = sink();
    const ledger = new LineLedger('f', letters, 0);
    const a = ledger.handOut(1, 'x'.repeat(100), 'put');
    ledger.handOut(2, 'y'.repeat(50), 'put').state = 'written';
    await ledger.settle();
    expect(ledger.unsettledChars).toBe(150);
    a.state = 'written';
    await ledger.settle();
    expect(ledger.unsettledChars).toBe(0);
  });

  test('a line over the cap is dead-lettered with its code, length and first bytes, and counted', async () => {
    const { sink: letters, appended } = sink();
    const ledger = new LineLedger('data/f.json.gz', letters, 5);
    await ledger.tooLong(7, 2_500_000_000, '{"Item":', 4_194_304, true);
    await ledger.tooLong(8, 9_000_000, '{"It', 4_194_304, false);
    await letters.flush();
    expect(ledger.readThrough).toBe(8);
    expect(ledger.snapshot({ requestCharge: 0, retries: 0 }).deadLettered).toBe(1);
    expect(JSON.parse(appended.join(''))).toEqual({
      file: 'data/f.json.gz',
      line: 7,
      code: 'LINE_TOO_LONG',
      reason:
        '[LINE_TOO_LONG] line 7 is 2500000000 bytes long, over the limit of 4194304 bytes for a line (a DynamoDB item of 400 KB is at most about 3.6 MB of DynamoDB JSON); it was skipped without being read',
      raw: '{"Item":',
      rawTruncated: true,
      bytes: 2_500_000_000,
    });
  });
});

describe('BoundedSample', () => {
  const record = (line: number, size: number): SampleRecord => ({
    file: 'f',
    line,
    kind: 'put',
    raw: 'r'.repeat(size),
  });

  test('holds its quota while the lines fit the budget', () => {
    const sample = new BoundedSample(3, 1000);
    for (let line = 1; line <= 10; line++) sample.offer(record(line, 10));
    expect(sample.items).toHaveLength(3);
    expect(sample.capacity).toBe(3);
    expect(sample.bytes).toBe(30);
    expect(sample.seen).toBe(10);
  });

  test('long lines shrink its capacity to the budget; every line keeps the same chance of being held', () => {
    const held = new Map<number, number>();
    const runs = 4000;
    for (let run = 0; run < runs; run++) {
      // Ten short lines, then lines long enough that only three fit the budget.
      const sample = new BoundedSample(10, 1000);
      for (let line = 1; line <= 20; line++) sample.offer(record(line, line <= 10 ? 10 : 300 + line));
      expect(sample.bytes).toBeLessThanOrEqual(1000);
      expect(sample.bytes).toBe(sample.items.reduce((sum, item) => sum + item.raw.length, 0));
      expect(sample.capacity).toBe(3);
      expect(sample.items).toHaveLength(3);
      for (const item of sample.items) held.set(item.line, (held.get(item.line) ?? 0) + 1);
    }
    // Uniform over the 20 lines: the short early ones are not favoured over the long late ones.
    const early = [...held].filter(([line]) => line <= 10).reduce((sum, [, n]) => sum + n, 0);
    const late = [...held].filter(([line]) => line > 10).reduce((sum, [, n]) => sum + n, 0);
    expect(early / late).toBeGreaterThan(0.9);
    expect(early / late).toBeLessThan(1.1);
    // And line by line: each is held in about 3/20 of the runs.
    for (let line = 1; line <= 20; line++) expect(Math.abs((held.get(line) ?? 0) / runs - 3 / 20)).toBeLessThan(0.03);
  });

  test('restores a saved sample with the capacity it had shrunk to', () => {
    const sample = new BoundedSample(10, 1000);
    sample.restore({ seen: 40, items: [record(1, 300), record(9, 300)], capacity: 2 });
    expect(sample.capacity).toBe(2);
    expect(sample.bytes).toBe(600);
    sample.offer(record(41, 300));
    expect(sample.items.length).toBeLessThanOrEqual(2);
    expect(sample.seen).toBe(41);
  });
});
