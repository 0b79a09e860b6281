import { createHash } from 'node:crypto';
import { normalizeKey, trimTrailingSlashes } from '../names';
import { MigrationRequest } from './request';

/**
 * The export's folder as one spelling: a request's prefix is refused unless it already is one (no empty, `.` or
 * `..` segments; src/names/keys.ts), so this changes nothing for it; a caller that skipped validation still
 * gets one id for `a/b`, `a//b/` and `a/x/../b`.
 */
function canonicalPrefix(exportPrefix: string): string {
  const trimmed = trimTrailingSlashes(exportPrefix);
  const normalized = normalizeKey(trimmed);
  return normalized.ok ? normalized.key : trimmed;
}

/**
 * One instance id per (export, target container): a second start of the same migration finds the first
 * one by id instead of racing it, and a finished one can be started again under the same id. Every spelling
 * of one export folder gives the same id.
 */
export function migrationInstanceId(request: Pick<MigrationRequest, 'source' | 'target'>): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        request.source.bucket,
        canonicalPrefix(request.source.exportPrefix),
        request.target.database,
        request.target.container,
      ]),
    )
    .digest('hex');
  return `migrate-${digest.slice(0, 32)}`;
}

/**
 * Whether `startNew` failed because an instance with that id is already active: two identical starts that
 * raced past the running check. The extension answers 409 (`An Orchestration instance with the ID … already
 * exists.`), which the durable client turns into a plain error carrying the status and that text.
 */
export function isInstanceConflict(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /\bstatus code: 409\b/.test(message) || /instance with the ID .* already exists/i.test(message);
}
