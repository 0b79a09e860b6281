import { Container, OperationInput } from '@azure/cosmos';
import { BulkWriter } from '../../../src/cosmos/bulk-writer';
import { RuBudget } from '../../../src/cosmos/ru-budget';

interface Calls {
  bulk: number[];
  upserts: number;
  deletes: number;
  maxInFlight: number;
}

/**
 * A container whose bulk calls answer after a tick: the first `throttleCalls` bulk calls answer 429 for every
 * operation, the rest succeed at `charge` RU per operation. Point operations succeed at the same charge.
 */
function fakeContainer(options: { throttleCalls?: number; charge?: number; url?: string } = {}): {
  container: Container;
  calls: Calls;
} {
  const calls: Calls = { bulk: [], upserts: 0, deletes: 0, maxInFlight: 0 };
  let inFlight = 0;
  let throttled = 0;
  const charge = options.charge ?? 5;
  const container = {
    url: options.url ?? `dbs/d/colls/${Math.random()}`,
    read: async () => ({ resource: { partitionKey: { paths: ['/pk'] } } }),
    items: {
      executeBulkOperations: async (operations: OperationInput[]) => {
        calls.bulk.push(operations.length);
        inFlight++;
        calls.maxInFlight = Math.max(calls.maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        if (throttled < (options.throttleCalls ?? 0)) {
          throttled++;
          return operations.map(() => ({
            error: Object.assign(new Error('throttled'), { code: 429, retryAfterInMs: 1 }),
          }));
        }
        return operations.map(() => ({ response: { statusCode: 200, requestCharge: charge } }));
      },
      upsert: async () => {
        calls.upserts++;
        return { statusCode: 201, requestCharge: charge };
      },
    },
    item: () => ({
      delete: async () => {
        calls.deletes++;
        throw Object.assign(new Error('gone'), { code: 404 });
      },
    }),
  } as unknown as Container;
  return { container, calls };
}

const upsert = (i: number, pk = `p${i}`): OperationInput => ({
  operationType: 'Upsert',
  partitionKey: pk,
  resourceBody: { id: `d${i}`, pk: `p${i}` },
});
const fastBackoff = { initialMs: 1, maxMs: 2, maxAttempts: 50 };

describe('BulkWriter', () => {
  test('the window halves when Cosmos DB throttles and grows again while it does not', async () => {
    const { container, calls } = fakeContainer({ throttleCalls: 3 });
    const written: number[] = [];
    const writer = new BulkWriter<number>(container, {
      concurrency: 8,
      maxConcurrency: 12,
      batchSize: 100,
      backoff: fastBackoff,
      onWritten: (i) => written.push(i),
      onRejected: () => undefined,
    });
    for (let i = 0; i < 800; i++) await writer.write(upsert(i), i);
    await writer.flush();
    // Eight calls in flight together, three throttled: one cut, 8 → 4.
    expect(writer.concurrency).toBe(4);
    for (let i = 800; i < 20_000; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(written.length).toBe(20_000);
    expect(writer.throttling.throttles).toBe(3);
    expect(writer.throttling.decreases).toBe(1);
    expect(writer.concurrency).toBe(12);
    expect(calls.maxInFlight).toBeLessThanOrEqual(12);
  });

  test('a few operations go as point operations (no bulk call and its 1 s wait); many as bulk calls', async () => {
    const { container, calls } = fakeContainer();
    const written: number[] = [];
    const writer = new BulkWriter<number>(container, {
      onWritten: (i) => written.push(i),
      onRejected: () => undefined,
    });
    await writer.write(upsert(1), 1);
    await writer.write(upsert(2), 2);
    await writer.write({ operationType: 'Delete', id: 'gone', partitionKey: 'p' }, 3);
    await writer.flush();
    expect(calls).toEqual(expect.objectContaining({ bulk: [], upserts: 2, deletes: 1 }));
    expect(written).toEqual([1, 2, 3]);
    expect(writer.requestCharge).toBe(10);

    const big = new BulkWriter<number>(container, { onWritten: () => undefined, onRejected: () => undefined });
    for (let i = 0; i < 120; i++) await big.write(upsert(i), i);
    await big.flush();
    expect(calls.bulk).toEqual([120]);
  });

  test('an upsert whose given partition key is not the document’s goes in a bulk call, as before', async () => {
    const { container, calls } = fakeContainer();
    const writer = new BulkWriter<number>(container, { onWritten: () => undefined, onRejected: () => undefined });
    await writer.write(upsert(1, 'other'), 1);
    await writer.flush();
    expect(calls.bulk).toEqual([1]);
    expect(calls.upserts).toBe(0);
  });

  test('an RU budget holds the charge per second and sizes calls to about a bucket of it, after a probe', async () => {
    const clock = { time: 0, now: () => clock.time, sleep: async (ms: number) => void (clock.time += ms) };
    const budget = new RuBudget(500, 1, clock);
    const { container, calls } = fakeContainer({ charge: 5 });
    const writer = new BulkWriter<number>(container, {
      ruBudget: budget,
      pointWriteLimit: 0,
      onWritten: () => undefined,
      onRejected: () => undefined,
    });
    for (let i = 0; i < 2000; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(budget.charged).toBe(10_000);
    // 10,000 RU at 500 RU/s, the first 500 from the full bucket: at least 19 s of (fake) waiting.
    expect(clock.time).toBeGreaterThanOrEqual(18_000);
    // The first call is a probe of 10 operations, alone in flight; then calls carry about one bucket of the
    // budget (here a second's worth): 500 / 5 = 100 operations.
    expect(calls.bulk[0]).toBe(10);
    expect(Math.max(...calls.bulk)).toBe(100);
  });

  test('under a budget the 429s slow the budget, not the window, and are retried together through it', async () => {
    const clock = { time: 0, now: () => clock.time, sleep: async (ms: number) => void (clock.time += ms) };
    const budget = new RuBudget(2000, 0.25, clock);
    const { container, calls } = fakeContainer({ throttleCalls: 2, charge: 5 });
    const written = new Set<number>();
    const writer = new BulkWriter<number>(container, {
      ruBudget: budget,
      concurrency: 4,
      pointWriteLimit: 0,
      backoff: fastBackoff,
      onWritten: (i) => written.add(i),
      onRejected: () => undefined,
    });
    for (let i = 0; i < 1000; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(written.size).toBe(1000);
    // Both throttled calls were the probe and its retry (alone in flight): every operation of them 429.
    expect(budget.throttling.throttles).toBe(20);
    expect(writer.throttling).toEqual({ throttles: 2, decreases: 0 });
    expect(writer.concurrency).toBeGreaterThanOrEqual(4);
    // One cut of the rate; the retry was sent before it, so its 429s did not cut again.
    expect(budget.throttling.cuts).toBe(1);
    expect(calls.bulk.slice(0, 3)).toEqual([10, 10, 10]);
  });

  test('a load that starts while another of the migration runs skips the probe: their budget knows the charge', async () => {
    const clock = { time: 0, now: () => clock.time, sleep: async (ms: number) => void (clock.time += ms) };
    const budget = new RuBudget(4000, 0.25, clock);
    const first = fakeContainer({ charge: 10 });
    const options = { ruBudget: budget, pointWriteLimit: 0, onWritten: () => undefined, onRejected: () => undefined };
    const writer = new BulkWriter<number>(first.container, options);
    for (let i = 0; i < 300; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(first.calls.bulk[0]).toBe(10);
    const second = fakeContainer({ charge: 10 });
    const next = new BulkWriter<number>(second.container, options);
    for (let i = 0; i < 300; i++) await next.write(upsert(i), i);
    await next.flush();
    // A quarter of a second of 4,000 RU/s at 10 RU per operation from the first call on.
    expect(second.calls.bulk[0]).toBe(100);
  });

  test('under a budget nothing is sent beside the probe until its charge is known', async () => {
    const clock = { time: 0, now: () => clock.time, sleep: async (ms: number) => void (clock.time += ms) };
    const budget = new RuBudget(800, 0.25, clock);
    const { container, calls } = fakeContainer({ charge: 19 });
    const writer = new BulkWriter<number>(container, {
      ruBudget: budget,
      concurrency: 8,
      pointWriteLimit: 0,
      onWritten: () => undefined,
      onRejected: () => undefined,
    });
    for (let i = 0; i < 500; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(calls.bulk[0]).toBe(10);
    // A quarter of a second of 800 RU/s at 19 RU per operation: 10 operations (the floor), 190 RU per call.
    expect(Math.max(...calls.bulk)).toBe(10);
    expect(budget.charged).toBe(500 * 19);
    // 9,500 RU at 800 RU/s, 200 from the full bucket: at least 11.6 s.
    expect(clock.time).toBeGreaterThanOrEqual(11_500);
  });

  test('an operation the SDK failed before sending it (a failed metadata lookup) is retried, not rejected', async () => {
    const { container } = fakeContainer();
    let calls = 0;
    const bulk = container.items.executeBulkOperations.bind(container.items);
    // As @azure/cosmos answers when its container or partition key range lookup failed: the error itself per
    // operation (a rejected promise's reason), code 500.
    (container.items as { executeBulkOperations: unknown }).executeBulkOperations = async (
      operations: OperationInput[],
    ) =>
      ++calls === 1
        ? operations.map(() => Object.assign(new Error('Request rate is large'), { code: 500 }))
        : bulk(operations);
    const written = new Set<number>();
    const rejected: string[] = [];
    const writer = new BulkWriter<number>(container, {
      pointWriteLimit: 0,
      backoff: fastBackoff,
      onWritten: (i) => written.add(i),
      onRejected: (_, reason) => rejected.push(reason),
    });
    for (let i = 0; i < 100; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(rejected).toEqual([]);
    expect(written.size).toBe(100);
    expect(calls).toBeGreaterThan(1);
  });

  test('time spent waiting for the RU budget does not count against the retries of a throttled call', async () => {
    // A real clock: the budget's waits (its debt after each call that cost more than a bucket) take real time, more
    // than the retry policy's whole time, which only the service's own refusals may spend.
    const budget = new RuBudget(100, 0.25);
    const { container } = fakeContainer({ charge: 5 });
    let calls = 0;
    const bulk = container.items.executeBulkOperations.bind(container.items);
    (container.items as { executeBulkOperations: unknown }).executeBulkOperations = async (
      operations: OperationInput[],
    ) =>
      ++calls % 2 === 1
        ? operations.map(() => ({ error: Object.assign(new Error('throttled'), { code: 429, retryAfterInMs: 1 }) }))
        : bulk(operations);
    const written = new Set<number>();
    const writer = new BulkWriter<number>(container, {
      ruBudget: budget,
      concurrency: 1,
      pointWriteLimit: 0,
      backoff: { initialMs: 1, maxMs: 2, maxAttempts: 50, maxTotalMs: 150 },
      onWritten: (i) => written.add(i),
      onRejected: () => undefined,
    });
    for (let i = 0; i < 30; i++) await writer.write(upsert(i), i);
    await writer.flush();
    expect(written.size).toBe(30);
    expect(budget.waitedMs).toBeGreaterThan(150);
  }, 30_000);

  test('bytes in flight are bounded whatever the window allows', async () => {
    const { container, calls } = fakeContainer();
    const writer = new BulkWriter<number>(container, {
      concurrency: 16,
      batchSize: 100,
      maxInFlightBytes: 25_000,
      pointWriteLimit: 0,
      onWritten: () => undefined,
      onRejected: () => undefined,
    });
    // 100 operations of 100 bytes per call: 10,000 bytes each, so two calls fit and a third waits.
    for (let i = 0; i < 3000; i++) await writer.write(upsert(i), i, 100);
    await writer.flush();
    expect(calls.bulk.length).toBe(30);
    expect(calls.maxInFlight).toBe(2);
  });
});
