import { DEFAULT_MAX_RETRY_INTERVAL_MS, hasAttemptAfter, retryDelayMs } from '../../../tools/devhost/durable/retry';
import {
  AZURE_STORAGE_TIMER_LIMITS,
  nextTimerSegment,
  parseTimeSpanMs,
} from '../../../tools/devhost/durable/timerLimits';

describe('retryDelayMs', () => {
  it('grows by the backoff coefficient per failed attempt', () => {
    const options = { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 5, backoffCoefficient: 3 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(options, n))).toEqual([100, 300, 900, 2700]);
  });

  it('defaults the coefficient to 1', () => {
    expect(retryDelayMs({ firstRetryIntervalInMilliseconds: 250, maxNumberOfAttempts: 3 }, 3)).toBe(250);
  });

  it('caps at the max retry interval, or at 6 days without one', () => {
    const capped = {
      firstRetryIntervalInMilliseconds: 1000,
      maxNumberOfAttempts: 9,
      backoffCoefficient: 10,
      maxRetryIntervalInMilliseconds: 5000,
    };
    expect(retryDelayMs(capped, 3)).toBe(5000);
    const huge = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 99, backoffCoefficient: 1000 };
    expect(retryDelayMs(huge, 50)).toBe(DEFAULT_MAX_RETRY_INTERVAL_MS);
  });
});

describe('hasAttemptAfter', () => {
  it('counts attempts only; after the last one the (dummy) timer leads nowhere', () => {
    const options = { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 3, retryTimeoutInMilliseconds: 1 };
    expect([1, 2, 3].map((n) => hasAttemptAfter(options, n))).toEqual([true, true, false]);
  });
});

describe('TimeSpan and timer segments', () => {
  it('parses .NET TimeSpan text', () => {
    expect(parseTimeSpanMs('6.00:00:00')).toBe(6 * 86_400_000);
    expect(parseTimeSpanMs('00:05:00')).toBe(300_000);
    expect(parseTimeSpanMs('0.00:00:02.5')).toBe(2500);
    expect(() => parseTimeSpanMs('5 minutes')).toThrow('not a TimeSpan');
  });

  it('waits one interval while more than the maximum short duration remains', () => {
    const day = 86_400_000;
    expect(nextTimerSegment(0, 10 * day, AZURE_STORAGE_TIMER_LIMITS)).toBe(3 * day);
    expect(nextTimerSegment(0, 6 * day, AZURE_STORAGE_TIMER_LIMITS)).toBe(6 * day);
    expect(nextTimerSegment(0, 6 * day + 1, AZURE_STORAGE_TIMER_LIMITS)).toBe(3 * day);
  });
});
