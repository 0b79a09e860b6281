import {
  RateController,
  THROTTLE_DECREASE,
  THROTTLE_HOLD_MS,
  UNKNOWN_CAP_DECREASE,
  UNKNOWN_CAP_START,
} from '../../../src/cosmos/ru-rate';

describe('RateController with a known cap', () => {
  test('starts at the cap: no ramp-up', () => {
    expect(new RateController(8000).rate).toBe(8000);
  });

  test('one second of 429s cuts once, and 429s of requests sent before the cut do not cut again', () => {
    const rate = new RateController(1000);
    rate.throttled(10_000, 40, 9_500);
    expect(rate.rate).toBe(1000 * THROTTLE_DECREASE);
    // Same second: one signal.
    rate.throttled(10_400, 12, 10_100);
    // Later, but sent before the cut: it could not have heeded it.
    rate.throttled(11_500, 30, 9_900);
    expect(rate.rate).toBe(1000 * THROTTLE_DECREASE);
    expect({ throttles: rate.throttles, cuts: rate.cuts }).toEqual({ throttles: 82, cuts: 1 });
    // Sent after the cut and still throttled: cut again.
    rate.throttled(11_500, 1, 10_500);
    expect(rate.rate).toBeCloseTo(1000 * THROTTLE_DECREASE ** 2);
  });

  test('busy seconds win the cap back after the hold, never above it', () => {
    const rate = new RateController(1000);
    rate.throttled(0);
    rate.busy(THROTTLE_HOLD_MS / 2, 500);
    expect(rate.rate).toBe(900);
    rate.busy(THROTTLE_HOLD_MS + 500, 500);
    expect(rate.rate).toBeCloseTo(922.5);
    rate.busy(THROTTLE_HOLD_MS + 5000, 4500);
    expect(rate.rate).toBe(1000);
  });

  test('a cap far above what the container gives comes down to what the charges say went through', () => {
    const rate = new RateController(4000);
    // Each second's responses are charged 1,000 RU in all: the container's 1,000 RU/s, not the cap's 4,000.
    const second = (start: number) => {
      for (let ms = start + 100; ms <= start + 1000; ms += 100) rate.charged(ms, 100);
    };
    second(0);
    rate.throttled(1000, 20, 900);
    // No deeper than half at once.
    expect(rate.rate).toBe(2000);
    second(1000);
    rate.throttled(2000, 20, 1900);
    expect(rate.rate).toBe(1000);
    second(2000);
    rate.throttled(3000, 20, 2900);
    expect(rate.rate).toBe(1000 * THROTTLE_DECREASE);
  });

  test('a second of little demand cuts no deeper than half the rate', () => {
    const rate = new RateController(2000);
    rate.charged(900, 50);
    rate.throttled(1000, 1, 900);
    expect(rate.rate).toBe(1000);
  });

  test('a new share keeps the ratio to the cap', () => {
    const rate = new RateController(1000);
    rate.throttled(0);
    rate.setCeiling(4000);
    expect(rate.rate).toBe(3600);
  });

  test('never cut below a twentieth of the cap', () => {
    const rate = new RateController(1000);
    for (let second = 0; second < 100; second++) rate.throttled(second * 1000);
    expect(rate.rate).toBe(50);
  });
});

describe('RateController without a known cap', () => {
  test('slow start from the least provisioned throughput, doubling per busy second until a throttle', () => {
    const rate = new RateController(Infinity);
    expect(rate.known).toBe(false);
    expect(rate.rate).toBe(UNKNOWN_CAP_START);
    rate.busy(1000, 1000);
    rate.busy(2000, 1000);
    expect(rate.rate).toBe(UNKNOWN_CAP_START * 4);
    rate.throttled(2500);
    expect(rate.rate).toBe(UNKNOWN_CAP_START * 4 * UNKNOWN_CAP_DECREASE);
    // Past the first throttle, growth is additive-like: 5% a busy second.
    rate.busy(4000, 1000);
    expect(rate.rate).toBeCloseTo(UNKNOWN_CAP_START * 4 * UNKNOWN_CAP_DECREASE * 1.05);
  });

  /**
   * A container that sustains 3,000 RU/s: each second the budget is busy (demand is endless), and a second spent
   * above what the container sustains is throttled. Over a minute the rate settles under it without collapsing.
   */
  test('settles just under what the container sustains', () => {
    const sustained = 3000;
    const rate = new RateController(Infinity);
    const spent: number[] = [];
    for (let second = 1; second <= 120; second++) {
      const now = second * 1000;
      const used = Math.min(rate.rate, sustained);
      if (second > 60) spent.push(used);
      if (rate.rate > sustained) rate.throttled(now, 10, now - 500);
      else rate.busy(now, 1000);
    }
    const mean = spent.reduce((sum, value) => sum + value, 0) / spent.length;
    expect(mean).toBeGreaterThan(sustained * 0.85);
    expect(mean).toBeLessThanOrEqual(sustained);
  });
});
