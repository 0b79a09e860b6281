/**
 * The loader splits what it wrote by the service's answer (created or replaced, removed or already absent), so
 * validation knows how many documents the container should hold; lines sent again after a resume are counted
 * apart, because the interrupted attempt may have made their change itself.
 */
import { AppendBlobClient } from '@azure/storage-blob';
import { DeadLetterSink } from '../../../src/lake/dead-letters';
import { emptyTotals, LoadCheckpoint } from '../../../src/load/checkpoint';
import { LineLedger, PendingLine } from '../../../src/load/line-ledger';

function letters(): DeadLetterSink {
  const blob = {
    create: async () => undefined,
    createIfNotExists: async () => undefined,
    appendBlock: async () => undefined,
  } as unknown as AppendBlobClient;
  return new DeadLetterSink(blob, false);
}

function answer(pending: PendingLine, status: number): void {
  pending.state = 'written';
  pending.status = status;
}

function resumedAt(line: number, totals = emptyTotals()): LoadCheckpoint {
  return {
    version: 1,
    runId: 'r',
    lakePath: 'p',
    etag: 'e',
    settledThrough: line,
    readThrough: line,
    complete: false,
    totals,
    deadLetterBytes: 0,
    sample: { seen: 0, items: [] },
  };
}

describe('change counts of a load', () => {
  test('201 is a create, 200 a replace, 204 a removal, 404 a delete of nothing', async () => {
    const ledger = new LineLedger('f', letters(), 0);
    answer(ledger.handOut(1, 'a', 'put'), 201);
    answer(ledger.handOut(2, 'b', 'put'), 200);
    answer(ledger.handOut(3, 'c', 'put'), 201);
    answer(ledger.handOut(4, 'd', 'delete'), 204);
    answer(ledger.handOut(5, 'e', 'delete'), 404);
    const rejected = ledger.handOut(6, 'f', 'put');
    rejected.state = 'rejected';
    rejected.reason = 'HTTP 400';
    await ledger.settle();
    expect(ledger.totals).toEqual(
      expect.objectContaining({
        written: 3,
        deleted: 2,
        created: 2,
        replaced: 1,
        deletedPresent: 1,
        deletedAbsent: 1,
        replacedOnResend: 0,
        absentOnResend: 0,
      }),
    );
  });

  test('counted once, in line order, and only once the line settles', async () => {
    const ledger = new LineLedger('f', letters(), 0);
    const first = ledger.handOut(1, 'a', 'put');
    answer(ledger.handOut(2, 'b', 'put'), 201);
    await ledger.settle();
    expect(ledger.totals.created).toBe(0);
    answer(first, 200);
    await ledger.settle();
    await ledger.settle();
    expect(ledger.totals).toEqual(expect.objectContaining({ created: 1, replaced: 1 }));
  });

  test('after a resume, replaces and deletes of nothing are also counted as uncertain', async () => {
    const ledger = new LineLedger('f', letters(), 0, resumedAt(10, { ...emptyTotals(), written: 10, created: 10 }));
    answer(ledger.handOut(11, 'a', 'put'), 200);
    answer(ledger.handOut(12, 'b', 'put'), 201);
    answer(ledger.handOut(13, 'c', 'delete'), 404);
    answer(ledger.handOut(14, 'd', 'delete'), 204);
    await ledger.settle();
    expect(ledger.snapshot({ requestCharge: 0, retries: 0 })).toEqual(
      expect.objectContaining({
        written: 12,
        created: 11,
        replaced: 1,
        deletedPresent: 1,
        deletedAbsent: 1,
        replacedOnResend: 1,
        absentOnResend: 1,
      }),
    );
  });

  test('a checkpoint from before the split resumes with the split counted from then on', async () => {
    const old = resumedAt(5);
    const { created: _c, replaced: _r, deletedPresent: _p, deletedAbsent: _a, ...legacy } = old.totals;
    const ledger = new LineLedger('f', letters(), 0, { ...old, totals: { ...legacy, written: 5 } });
    answer(ledger.handOut(6, 'a', 'put'), 201);
    await ledger.settle();
    expect(ledger.totals).toEqual(expect.objectContaining({ written: 6, created: 1 }));
  });
});
