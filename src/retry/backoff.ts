export interface BackoffPolicy {
  /** First delay in ms. Default 200. */
  initialMs: number;
  /** Longest single delay in ms, unless the server asks for longer. Default 15000. */
  maxMs: number;
  /** Attempts before giving up, the first one included. Default 12 (about two minutes of waiting). */
  maxAttempts: number;
  /**
   * Time in ms from the first attempt after which no retry starts, even if attempts are left and the
   * server asks for a longer wait. Default 300000 (5 minutes).
   */
  maxTotalMs?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 15_000, maxAttempts: 12, maxTotalMs: 300_000 };

/**
 * A metadata read (a container's definition, its partition key ranges): about a minute of tries. They are rare (once
 * per container and client) and nothing is written without them.
 */
export const METADATA_RETRIES: BackoffPolicy = { initialMs: 100, maxMs: 5_000, maxAttempts: 12, maxTotalMs: 60_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential with full jitter, so many writers
 * throttled at once do not come back in lockstep; never shorter than what the server asked for.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * The delay before the next attempt, or undefined when the policy is spent: no attempts left, or the wait
 * (which honours the server's retry-after) would end beyond `maxTotalMs` from `startedAt`.
 */
export function nextDelay(
  attempt: number,
  policy: BackoffPolicy,
  startedAt: number,
  retryAfterMs?: number,
  now = Date.now(),
  random = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const delay = backoffDelay(attempt, policy, retryAfterMs, random);
  const budget = policy.maxTotalMs ?? Number.POSITIVE_INFINITY;
  return now + delay - startedAt > budget ? undefined : delay;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` until it succeeds, retrying failures `isTransient` accepts with `nextDelay`'s waits (`retryAfterOf`
 * reads a server-requested wait off the error). The last error is rethrown when the policy is spent;
 * `onRetry` sees each failure that is retried.
 */
export async function retrying<T>(
  work: (attempt: number) => Promise<T>,
  options: {
    policy?: BackoffPolicy;
    isTransient: (error: unknown) => boolean;
    retryAfterOf?: (error: unknown) => number | undefined;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const delay = options.isTransient(error)
        ? nextDelay(attempt, policy, startedAt, options.retryAfterOf?.(error))
        : undefined;
      if (delay === undefined) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
