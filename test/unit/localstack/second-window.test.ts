import { SecondWindowBudget } from '../../../tools/localstack/strict-cosmos/second-window';

function clock(start = 10_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('a partition RU budget (one-second windows)', () => {
  test('admits while the balance is positive, the last charge may overdraw it', () => {
    const time = clock();
    const budget = new SecondWindowBudget(400, time.now);
    let admitted = 0;
    while (budget.admit().admitted) {
      budget.charge(6);
      admitted++;
    }
    expect(admitted).toBe(67); // 66 charges of 6 leave 4 RU; the 67th takes it to -2
    expect(budget.available).toBe(-2);
  });

  test('refused requests are told how long until the window with budget left', () => {
    const time = clock(10_250);
    const budget = new SecondWindowBudget(400, time.now);
    budget.charge(400);
    expect(budget.admit()).toEqual({ admitted: false, retryAfterMs: 750 });
    budget.charge(500); // -500: the next window starts at -100, the one after at 300
    expect(budget.admit()).toEqual({ admitted: false, retryAfterMs: 1750 });
    time.advance(750);
    expect(budget.available).toBe(-100);
    time.advance(1000);
    expect(budget.admit().admitted).toBe(true);
    expect(budget.available).toBe(300);
  });

  test('each second starts with the full rate again, never more', () => {
    const time = clock();
    const budget = new SecondWindowBudget(1000, time.now);
    budget.charge(1000);
    time.advance(999);
    expect(budget.available).toBe(0);
    time.advance(1);
    expect(budget.available).toBe(1000);
    time.advance(10_000);
    expect(budget.available).toBe(1000);
  });

  test('no calendar second lets through much more than the rate, and a long run gets the rate', () => {
    const time = clock();
    const budget = new SecondWindowBudget(400, time.now);
    const perSecond = new Map<number, number>();
    for (let ms = 0; ms < 60_000; ms += 5) {
      time.advance(5);
      while (budget.admit().admitted) {
        budget.charge(5.7);
        const second = Math.floor(time.now() / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 5.7);
      }
    }
    for (const ru of perSecond.values()) expect(ru).toBeLessThan(400 + 5.7);
    const total = [...perSecond.values()].reduce((a, b) => a + b, 0);
    expect(total / 60).toBeGreaterThan(400 * 0.98);
  });

  test('a lower rate caps the balance at once', () => {
    const time = clock();
    const budget = new SecondWindowBudget(1000, time.now);
    budget.ratePerSecond = 400;
    expect(budget.available).toBe(400);
  });
});
