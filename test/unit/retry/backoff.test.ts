import { backoffDelay, BackoffPolicy, nextDelay, retrying } from '../../../src/retry/backoff';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1000, maxAttempts: 5, maxTotalMs: 10_000 };

describe('backoffDelay', () => {
  test('doubles from the first delay, is capped, and jitters within the upper half', () => {
    expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(10, policy, undefined, () => 0)).toBe(500);
  });

  test('never retries sooner than the server asked, even beyond the cap', () => {
    expect(backoffDelay(1, policy, 750, () => 0)).toBe(750);
    expect(backoffDelay(1, policy, 5000, () => 1)).toBe(5000);
  });
});

describe('nextDelay', () => {
  test('stops after the last attempt', () => {
    expect(nextDelay(4, policy, 0, undefined, 0, () => 1)).toBe(800);
    expect(nextDelay(5, policy, 0, undefined, 0, () => 1)).toBeUndefined();
  });

  test('stops when the wait would end past the total budget, retry-after included', () => {
    expect(nextDelay(1, policy, 0, 9_000, 500, () => 1)).toBe(9_000);
    expect(nextDelay(1, policy, 0, 9_600, 500, () => 1)).toBeUndefined();
    expect(nextDelay(2, policy, 0, undefined, 9_900, () => 1)).toBeUndefined();
  });
});

describe('retrying', () => {
  const fast: BackoffPolicy = { initialMs: 1, maxMs: 2, maxAttempts: 4, maxTotalMs: 1000 };

  test('retries transient failures until one succeeds', async () => {
    let calls = 0;
    const seen: number[] = [];
    const value = await retrying(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'done';
      },
      { policy: fast, isTransient: () => true, onRetry: (_e, attempt) => seen.push(attempt) },
    );
    expect(value).toBe('done');
    expect(seen).toEqual([1, 2]);
  });

  test('rethrows a permanent failure at once and the last transient one when the attempts are spent', async () => {
    let calls = 0;
    await expect(
      retrying(
        async () => {
          calls++;
          throw new Error('bad input');
        },
        { policy: fast, isTransient: () => false },
      ),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retrying(
        async () => {
          calls++;
          throw new Error(`flaky ${calls}`);
        },
        { policy: fast, isTransient: () => true },
      ),
    ).rejects.toThrow('flaky 4');
    expect(calls).toBe(4);
  });

  test('waits what the error asks for', async () => {
    const started = Date.now();
    let calls = 0;
    await retrying(
      async () => {
        if (calls++ === 0) throw Object.assign(new Error('throttled'), { retryAfterMs: 120 });
      },
      { policy: fast, isTransient: () => true, retryAfterOf: (e) => (e as { retryAfterMs: number }).retryAfterMs },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
