export interface BackoffPolicy {
  /** First delay in ms. Default 200. */
  initialMs: number;
  /** Longest single delay in ms. Default 15000. */
  maxMs: number;
  /** Attempts before giving up, the first one included. Default 12 (about two minutes of waiting). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 15_000, maxAttempts: 12 };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential with full jitter, so many writers
 * throttled at once do not come back in lockstep; never shorter than what the server asked for.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
