import { timingSafeEqual } from 'crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export function toAuthLevel(value: unknown): AuthLevel {
  const level = String(value ?? 'function').toLowerCase();
  // The Functions runtime defaults a missing authLevel to "function".
  return level === 'anonymous' || level === 'admin' ? level : 'function';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Local mode (no key configured) leaves every level open, like Core Tools. With a key, `function` and `admin`
 * routes need it in `?code=` or the `x-functions-key` header.
 */
export function isAuthorized(
  level: AuthLevel,
  configuredKey: string | undefined,
  query: URLSearchParams,
  headerKey: string | undefined,
): boolean {
  if (level === 'anonymous' || !configuredKey) {
    return true;
  }
  const given = headerKey ?? query.get('code') ?? undefined;
  return given !== undefined && sameSecret(given, configuredKey);
}
