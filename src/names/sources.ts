import { isWithin, normalizeKey, trimTrailingSlashes } from './keys';

interface AllowedEntry {
  bucket: string;
  /** Normalised key prefix; empty for the whole bucket. */
  prefix: string;
}

/** `bucket` or `bucket/key/prefix` (trailing slashes ignored); undefined for an entry that names nothing. */
function parseEntry(entry: string): AllowedEntry | undefined {
  const clean = trimTrailingSlashes(entry.trim());
  const slash = clean.indexOf('/');
  const bucket = slash < 0 ? clean : clean.slice(0, slash);
  if (bucket === '') return undefined;
  if (slash < 0) return { bucket, prefix: '' };
  const prefix = normalizeKey(clean.slice(slash + 1));
  return prefix.ok ? { bucket, prefix: prefix.key } : undefined;
}

/**
 * Whether `s3://bucket/prefix` is inside an `ALLOWED_SOURCES` entry (a bucket, or a bucket and key prefix).
 * Both sides are normalised and compared segment by segment, so `allowed/prefix/../../other` is `other` and
 * `exports/badly` is not inside `exports/bad`. An empty list allows everything.
 */
export function isAllowedSource(bucket: string, prefix: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const trimmed = trimTrailingSlashes(prefix);
  let key = '';
  if (trimmed !== '') {
    const normalized = normalizeKey(trimmed);
    if (!normalized.ok) return false;
    key = normalized.key;
  }
  return allowed.some((raw) => {
    const entry = parseEntry(raw);
    return entry !== undefined && entry.bucket === bucket && isWithin(key, entry.prefix);
  });
}
