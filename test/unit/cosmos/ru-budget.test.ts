import { leaseRuBudget, RuBudget, RuBudgetClock, shareOfCap } from '../../../src/cosmos/ru-budget';

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

  test('no known cap: starts at the least provisioned throughput and doubles while the budget holds writers back', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(Infinity, 1, clock);
    expect(budget.capKnown).toBe(false);
    expect(budget.ratePerSecond).toBe(400);
    for (let i = 0; i < 40; i++) budget.settle(await budget.acquire(200), 200);
    // Slow start: 8,000 RU took far less than the 20 s they would at a fixed 400 RU/s.
    expect(clock.time).toBeLessThan(6000);
    expect(budget.ratePerSecond).toBeGreaterThan(1600);
    expect(budget.charged).toBe(8000);
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

  test('no known cap: still one bucket per migration and process, its rate found from the 429s', () => {
    const first = leaseRuBudget('migration-d', undefined, 8);
    const second = leaseRuBudget('migration-d', undefined, 8);
    expect(second.budget).toBe(first.budget);
    expect(first.budget.capKnown).toBe(false);
    expect(first.budget.ratePerSecond).toBe(400);
    first.release();
    second.release();
  });
});

/** A presence whose answers the test gives: how many loads all processes run. */
function scriptedPresence(everywhere: () => number | undefined) {
  const published: number[] = [];
  return {
    published,
    presence: {
      publish: (leases: number) => {
        published.push(leases);
        return Promise.resolve(everywhere());
      },
    },
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('leaseRuBudget with a presence (loads in several processes)', () => {
  test('a process running every load of the migration gets the whole cap, however few they are', async () => {
    let running = 1;
    const { presence, published } = scriptedPresence(() => running);
    const first = leaseRuBudget('presence-a', 8000, 8, { presence });
    // Until the presence answers, the static share: one parallel file's.
    expect(first.budget.ratePerSecond).toBe(1000);
    await settled();
    expect(first.budget.ratePerSecond).toBe(8000);
    running = 2;
    const second = leaseRuBudget('presence-a', 8000, 8, { presence });
    await settled();
    expect(first.budget.ratePerSecond).toBe(8000);
    running = 1;
    second.release();
    await settled();
    expect(first.budget.ratePerSecond).toBe(8000);
    first.release();
    await settled();
    expect(published).toEqual([1, 2, 1, 0]);
  });

  test('loads elsewhere take their share: this process gets the cap times its share of all loads', async () => {
    let everywhere = 4;
    const { presence } = scriptedPresence(() => everywhere);
    const leases = [leaseRuBudget('presence-b', 8000, 8, { presence })];
    await settled();
    expect(leases[0].budget.ratePerSecond).toBe(2000);
    everywhere = 6;
    leases.push(leaseRuBudget('presence-b', 8000, 8, { presence }));
    // Before the answer, this load counts on top of what was heard: 2 of 5, never more than its share.
    expect(leases[0].budget.ratePerSecond).toBe(3200);
    await settled();
    expect(leases[0].budget.ratePerSecond).toBeCloseTo(8000 / 3);
    for (const lease of leases) lease.release();
  });

  test('an answer that cannot be had, or is out of date, falls back to the static share', async () => {
    const failing = { publish: () => Promise.reject(new Error('lake unavailable')) };
    const lease = leaseRuBudget('presence-c', 8000, 8, { presence: failing });
    await settled();
    expect(lease.budget.ratePerSecond).toBe(1000);
    lease.release();
    const stale = scriptedPresence(() => 1);
    const a = leaseRuBudget('presence-d', 8000, 8, { presence: stale.presence });
    const b = leaseRuBudget('presence-d', 8000, 8, { presence: stale.presence });
    await settled();
    // "1 load everywhere" while this process runs 2 is out of date: static share, 2 of 8 parallel files.
    expect(a.budget.ratePerSecond).toBe(2000);
    a.release();
    b.release();
  });
});

describe('shareOfCap', () => {
  test('static share without a count, share of all loads with one, no cap stays no cap', () => {
    expect(shareOfCap(8000, 3, 8)).toBe(3000);
    expect(shareOfCap(8000, 12, 8)).toBe(8000);
    expect(shareOfCap(8000, 3, 8, 3)).toBe(8000);
    expect(shareOfCap(8000, 3, 8, 12)).toBe(2000);
    expect(shareOfCap(Infinity, 3, 8, 12)).toBe(Infinity);
  });
});

describe('RuBudget under throttling', () => {
  test('a 429 cuts the rate; once the hold is over, busy seconds win it back up to the cap', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(1000, 0.25, clock);
    // Two seconds at the cap, then a request of that pace comes back with 3 operations throttled.
    for (let i = 0; i < 12; i++) budget.settle(await budget.acquire(200), 200);
    const start = clock.time;
    budget.settle(await budget.acquire(200), 200, { operations: 3, sentAt: start });
    expect(budget.ratePerSecond).toBe(900);
    expect(budget.throttling).toEqual({ throttles: 3, cuts: 1 });
    for (let i = 0; i < 40; i++) budget.settle(await budget.acquire(200), 200);
    expect(budget.ratePerSecond).toBe(1000);
    // 8,000 RU in about 8 s, a little more for the slower seconds after the cut: never far below the cap.
    expect(clock.time - start).toBeLessThan(8800);
  });

  test('a 429’s retry-after holds every writer of the budget back until then', async () => {
    const clock = fakeClock();
    const budget = new RuBudget(1000, 0.25, clock);
    budget.settle(await budget.acquire(100), 100, { operations: 5, retryAfterMs: 700 });
    await budget.acquire(10, 'another writer');
    expect(clock.time).toBeGreaterThanOrEqual(700);
  });

  test('the charge per operation one writer saw is there for the next', () => {
    const budget = new RuBudget(1000);
    expect(budget.ruPerOperation).toBeUndefined();
    budget.observe(10, 190);
    budget.observe(0, 5);
    expect(budget.ruPerOperation).toBe(19);
  });
});
