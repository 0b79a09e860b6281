import { AppendBlobClient } from '@azure/storage-blob';
import { DeadLetterSink } from '../../../src/lake/dead-letters';
import { LineLedger } from '../../../src/load/line-ledger';

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
});
