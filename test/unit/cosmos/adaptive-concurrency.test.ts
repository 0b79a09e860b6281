import { AdaptiveConcurrency } from '../../../src/cosmos/adaptive-concurrency';

describe('AdaptiveConcurrency (AIMD)', () => {
  test('grows by one per window of unthrottled requests, up to the maximum', () => {
    const window = new AdaptiveConcurrency({ initial: 2, max: 4 });
    const limits: number[] = [];
    for (let i = 0; i < 20; i++) {
      window.end(window.begin(), false);
      limits.push(window.limit);
    }
    // 2 clean at limit 2 → 3; 3 clean → 4; then capped.
    expect(limits.slice(0, 6)).toEqual([2, 3, 3, 3, 4, 4]);
    expect(window.limit).toBe(4);
  });

  test('halves on a throttle, never below the minimum', () => {
    const window = new AdaptiveConcurrency({ initial: 16, max: 64, min: 3 });
    window.end(window.begin(), true);
    expect(window.limit).toBe(8);
    window.end(window.begin(), true);
    window.end(window.begin(), true);
    expect(window.limit).toBe(3);
    expect(window.decreases).toBe(3);
  });

  test('one burst of throttles from requests in flight together cuts the window once', () => {
    const window = new AdaptiveConcurrency({ initial: 8, max: 64 });
    const inFlight = Array.from({ length: 8 }, () => window.begin());
    for (const ticket of inFlight) window.end(ticket, true);
    expect(window.limit).toBe(4);
    expect(window.throttles).toBe(8);
    expect(window.decreases).toBe(1);
    // A request sent after the cut and throttled cuts again.
    window.end(window.begin(), true);
    expect(window.limit).toBe(2);
  });

  test('completions of requests sent before a cut do not count towards growing again', () => {
    const window = new AdaptiveConcurrency({ initial: 4, max: 64 });
    const old = [window.begin(), window.begin(), window.begin()];
    window.end(window.begin(), true);
    expect(window.limit).toBe(2);
    for (const ticket of old) window.end(ticket, false);
    expect(window.limit).toBe(2);
    window.end(window.begin(), false);
    window.end(window.begin(), false);
    expect(window.limit).toBe(3);
  });

  test('under steady throttling above a capacity it settles around that capacity', () => {
    // A service that throttles whenever more than 10 requests are in flight.
    const window = new AdaptiveConcurrency({ initial: 4, max: 64 });
    const seen: number[] = [];
    for (let round = 0; round < 200; round++) {
      const limit = window.limit;
      const tickets = Array.from({ length: limit }, () => window.begin());
      for (const ticket of tickets) window.end(ticket, limit > 10);
      seen.push(limit);
    }
    const tail = seen.slice(100);
    expect(Math.max(...tail)).toBeLessThanOrEqual(11);
    expect(Math.min(...tail)).toBeGreaterThanOrEqual(5);
  });
});
