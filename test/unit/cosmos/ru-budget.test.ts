import { leaseRuBudget, RuBudget, RuBudgetClock } from '../../../src/cosmos/ru-budget';

/** A clock that only moves when someone sleeps on it. */
function fakeClock(): RuBudgetClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

describe('RuBudget', () => {
  test('starts with one second of budget, then holds consumption to the rate', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(1000, 1, clock);
    for (let i = 0; i < 50; i++) {
      const reserved = await budget.acquire(200);
      budget.settle(reserved, 200);
    }
    // 10,000 RU at 1,000 RU/s, the first 1,000 from the full bucket: 9 s.
    expect(clock.time).toBeGreaterThanOrEqual(9000);
    expect(clock.time).toBeLessThanOrEqual(9100);
    expect(budget.charged).toBe(10_000);
  });

  test('a request that cost more than reserved is a debt the next ones wait for', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(100, 1, clock);
    const reserved = await budget.acquire(10);
    budget.settle(reserved, 590);
    const before = clock.time;
    await budget.acquire(10);
    // 100 in the bucket − 590 spent = −490; reaching +10 at 100 RU/s takes 5 s.
    expect(clock.time - before).toBeGreaterThanOrEqual(4990);
  });

  test('a request cheaper than reserved gives the difference back', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(100, 1, clock);
    const reserved = await budget.acquire(100);
    budget.settle(reserved, 10);
    await budget.acquire(90);
    expect(clock.time).toBe(0);
  });

  test('an estimate above the bucket is capped at the bucket, so it cannot wait for ever', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(50, 1, clock);
    expect(await budget.acquire(10_000)).toBe(50);
  });

  test('a waiter is not stranded when the rate, and so the bucket, shrinks while it waits', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(500, 1, clock);
    budget.settle(await budget.acquire(500), 500);
    const waiting = budget.acquire(498);
    budget.setRate(400);
    // The bucket now holds at most 400: the reservation shrinks to that instead of waiting for 498 for ever.
    expect(await waiting).toBe(400);
    expect(clock.time).toBeLessThanOrEqual(1000);
  });

  test('no cap: nothing waits, charges are still counted', async () => {
    const budget = new RuBudget(Infinity);
    const reserved = await budget.acquire(1e9);
    budget.settle(reserved, 7);
    expect(reserved).toBe(0);
    expect(budget.charged).toBe(7);
  });

  test('concurrent writers are served in order and share the rate', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(1000, 1, clock);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, writer) => {
        for (let i = 0; i < 5; i++) {
          const reserved = await budget.acquire(500);
          order.push(writer);
          budget.settle(reserved, 500);
        }
      }),
    );
    // 10,000 RU at 1,000 RU/s, 1,000 of them from the full bucket.
    expect(clock.time).toBeGreaterThanOrEqual(9000);
    expect(new Set(order.slice(0, 8)).size).toBe(4);
  });
});

describe('RuBudget fairness between writers', () => {
  test('holders are served in turn: a writer with many requests waiting does not take a bigger share', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(100, 1, clock);
    await budget.acquire(100); // empty the bucket: from here every grant waits for the refill
    const order: string[] = [];
    const ask = (holder: string) => budget.acquire(50, holder).then(() => order.push(holder));
    const greedy = Array.from({ length: 4 }, () => ask('greedy'));
    const modest = [ask('modest'), ask('modest')];
    await Promise.all([...greedy, ...modest]);
    expect(order).toEqual(['greedy', 'modest', 'greedy', 'modest', 'greedy', 'greedy']);
    // 300 RU at 100 RU/s after the bucket was emptied.
    expect(clock.time).toBeGreaterThanOrEqual(3000);
  });

  test('the default bucket holds a quarter of a second, the live application’s share of one', () => {
    expect(new RuBudget(800).burst).toBe(200);
    const lease = leaseRuBudget('burst-check', 800, 1);
    expect(lease.budget.burst).toBe(200);
    lease.release();
  });
});

describe('leaseRuBudget', () => {
  test('loads of one migration in one process share one bucket, one parallel file’s share each', () => {
    const first = leaseRuBudget('migration-a', 8000, 8);
    expect(first.budget.ratePerSecond).toBe(1000);
    const second = leaseRuBudget('migration-a', 8000, 8);
    expect(second.budget).toBe(first.budget);
    expect(first.budget.ratePerSecond).toBe(2000);
    const other = leaseRuBudget('migration-b', 8000, 8);
    expect(other.budget).not.toBe(first.budget);
    second.release();
    second.release();
    expect(first.budget.ratePerSecond).toBe(1000);
    first.release();
    other.release();
    expect(leaseRuBudget('migration-a', 8000, 8).budget).not.toBe(first.budget);
  });

  test('never more than the whole cap in one process', () => {
    const leases = Array.from({ length: 5 }, () => leaseRuBudget('migration-c', 3000, 2));
    expect(leases[0].budget.ratePerSecond).toBe(3000);
    for (const lease of leases) lease.release();
  });

  test('no cap: a private unlimited bucket', () => {
    const lease = leaseRuBudget('migration-d', undefined, 8);
    expect(lease.budget.ratePerSecond).toBe(Infinity);
    lease.release();
  });
});
