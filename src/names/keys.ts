import { quoteName, textProblem, utf8Length } from './text';

/** S3's limit on an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** `a/b//` → `a/b`: a folder named with or without its trailing slash is one folder. */
export function trimTrailingSlashes(key: string): string {
  let end = key.length;
  while (end > 0 && key.charCodeAt(end - 1) === 0x2f) end--;
  return end === key.length ? key : key.slice(0, end);
}

/**
 * Why `prefix`, an S3 key or key prefix a person gave (a request, a registration), cannot be used, or
 * undefined. Such a prefix is refused rather than normalised: S3 keys are literal, so `a//b` and `a/./b` are
 * other objects than `a/b` in S3, while the lake (and the storage SDK, which resolves dot segments in blob
 * names) would put their copies on top of `a/b`'s. Give it without trailing slashes (`trimTrailingSlashes`).
 * `maxBytes` leaves room for what the app appends (`/manifest-summary.json`, …) within S3's 1,024 bytes.
 */
export function keyPrefixProblem(prefix: string, maxBytes = MAX_KEY_BYTES): string | undefined {
  // Length first: the check is cheap and nothing below needs to scan a hostile multi-megabyte value.
  const bytes = utf8Length(prefix);
  if (bytes > maxBytes) {
    return `must be at most ${maxBytes} bytes in UTF-8 (S3 keys have at most ${MAX_KEY_BYTES}), not ${bytes}`;
  }
  if (prefix.startsWith('/')) return 'is a key prefix and must not start with "/"';
  const text = textProblem(prefix);
  if (text) return text;
  for (const segment of prefix.split('/')) {
    if (segment === '') return 'must not contain empty segments ("a//b")';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
  }
  return undefined;
}

export type NormalizedKey = { ok: true; key: string } | { ok: false; reason: string };

/**
 * A key written by someone else (a manifest): `.` and empty segments dropped, `..` resolved, so every
 * spelling of one object becomes one key before any comparison; refused when it climbs above the bucket's
 * root, is longer than an S3 key, or holds control characters or lone surrogates. The reason follows the
 * quoted key: `data file key "…" <reason>`.
 */
export function normalizeKey(key: string): NormalizedKey {
  const bytes = utf8Length(key);
  if (bytes > MAX_KEY_BYTES)
    return { ok: false, reason: `is ${bytes} bytes long; S3 keys have at most ${MAX_KEY_BYTES}` };
  const text = textProblem(key);
  if (text) return { ok: false, reason: text };
  const segments: string[] = [];
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { ok: false, reason: 'climbs above the root of the bucket with ".."' };
      segments.pop();
    } else segments.push(segment);
  }
  if (segments.length === 0) return { ok: false, reason: 'names no object' };
  return { ok: true, key: segments.join('/') };
}

/** Whether normalised `key` is `folder` or inside it, compared segment by segment (`a/bc` is not in `a/b`). */
export function isWithin(key: string, folder: string): boolean {
  if (folder === '') return true;
  return (
    key === folder || (key.length > folder.length && key.startsWith(folder) && key.charCodeAt(folder.length) === 0x2f)
  );
}

/** `key` for a message: quoted, escaped and cut short. */
export function quoteKey(key: string): string {
  return quoteName(key);
}
