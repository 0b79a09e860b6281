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

/**
 * One run of a migration: the parent's id and the orchestration time its execution started. A migration started
 * again under the same id (after it finished, failed or was terminated) is a new run, and everything a run
 * writes or starts is named by it, so a terminated run's children, which Durable does not stop, never share a
 * name with the next run's.
 */
export function migrationRunId(instanceId: string, startedAt: Date): string {
  return `${instanceId}@${startedAt.toISOString()}`;
}

/** A run's start as a compact stamp safe in instance ids and lake paths: `20261202T065033123Z`. */
export function runStamp(startedAt: Date): string {
  return startedAt.toISOString().replace(/[-:.]/g, '');
}

/** Every child orchestration of a migration's runs starts with this; listing by it finds old runs' children. */
export function childInstancePrefix(instanceId: string): string {
  return `${instanceId}:`;
}

/** The id of a run's child orchestration, for example `migrate-…:20261202T065033123Z:lane-3`. */
export function childInstanceId(instanceId: string, startedAt: Date, child: string): string {
  return `${childInstancePrefix(instanceId)}${runStamp(startedAt)}:${child}`;
}
