/**
 * Cosmos status codes that mean "try again later": throttling, timeouts, partition moves, write conflicts on
 * retry-with, service unavailable. Everything else in the 4xx range is a rejection of the document itself.
 */
const TRANSIENT = new Set([408, 410, 429, 449, 500, 502, 503, 504]);

export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status === 0 || TRANSIENT.has(status);
}

/** An error worth another try: throttled, timed out, unavailable, or no answer at all. */
export function isTransientError(error: unknown): boolean {
  return isTransientStatus(statusOf(error));
}

export function statusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object') {
    const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
    if (typeof statusCode === 'number') return statusCode;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

export function retryAfterOf(error: unknown): number | undefined {
  if (error && typeof error === 'object') {
    const { retryAfterInMs, retryAfterInMilliseconds } = error as Record<string, unknown>;
    if (typeof retryAfterInMs === 'number') return retryAfterInMs;
    if (typeof retryAfterInMilliseconds === 'number') return retryAfterInMilliseconds;
  }
  return undefined;
}
