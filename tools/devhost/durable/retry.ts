/** `RetryOptions` as serialized by durable-functions. */
export interface RetryOptionsWire {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** Cap applied when no max retry interval is given (the storage provider's longest timer). */
export const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * Delay of the retry timer after the `failedAttempt`-th (1-based) failure, as DTFx's RetryInterceptor
 * computes it: first × coefficient^(attempt−1), capped by the max interval.
 */
export function retryDelayMs(options: RetryOptionsWire, failedAttempt: number): number {
  const first = Math.max(0, options.firstRetryIntervalInMilliseconds);
  const coefficient = options.backoffCoefficient ?? 1;
  const cap =
    options.maxRetryIntervalInMilliseconds !== undefined && options.maxRetryIntervalInMilliseconds > 0
      ? options.maxRetryIntervalInMilliseconds
      : DEFAULT_MAX_RETRY_INTERVAL_MS;
  const delay = first * Math.pow(coefficient, failedAttempt - 1);
  return Number.isFinite(delay) ? Math.min(delay, cap) : cap;
}

/**
 * Whether the SDK schedules another attempt when the retry timer after `failedAttempt` fires. It counts
 * attempts only (no timeout, no non-retriable flag), so the host must never stop early: after the last
 * attempt a timer is still created (DTFx's "dummy" timer) and its firing makes the SDK throw the last error.
 */
export function hasAttemptAfter(options: RetryOptionsWire, failedAttempt: number): boolean {
  return failedAttempt < options.maxNumberOfAttempts;
}
