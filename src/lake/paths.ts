import { createHash } from 'node:crypto';
import { ErrorCode, MigrationError } from '../errors';
import { runStamp } from '../migration/instance-id';
import { bucketProblem, cosmosNameProblem, keyPrefixProblem, quoteName, trimTrailingSlashes } from '../names';

/**
 * The last guard before a name becomes part of a blob path: the storage SDK resolves `.` and `..` segments,
 * so a name that is not one plain spelling could reach another migration's folder. Requests, manifests and
 * registrations are checked long before (src/names/); this only refuses what slipped past them, permanently.
 */
function guarded(code: ErrorCode, what: string, value: string, problem: string | undefined): string {
  if (problem)
    throw new MigrationError(code, `${what} ${quoteName(value)} cannot be part of a lake path: it ${problem}`);
  return value;
}

/**
 * Where things live in the lake. Raw files mirror their S3 location (`<bucket>/<key>`) so a user finds the
 * copy of any export file without a lookup table; what the migration itself writes sits in a `_migration`
 * folder beside the export, one subfolder per target container.
 */
export function rawCopyPath(bucket: string, key: string): string {
  guarded('MANIFEST_INVALID', 'bucket', bucket, bucketProblem(bucket));
  return `${bucket}/${guarded('MANIFEST_INVALID', 'data file key', key, keyPrefixProblem(key))}`;
}

export function migrationFolder(bucket: string, exportPrefix: string, database: string, container: string): string {
  const prefix = trimTrailingSlashes(exportPrefix);
  guarded('MANIFEST_INVALID', 'bucket', bucket, bucketProblem(bucket));
  guarded('MANIFEST_INVALID', 'export prefix', prefix, keyPrefixProblem(prefix));
  guarded('CONFIGURATION', 'database', database, cosmosNameProblem(database));
  guarded('CONFIGURATION', 'container', container, cosmosNameProblem(container));
  return `${bucket}/${prefix}/_migration/${database}/${container}`;
}

export function reportPath(folder: string): string {
  return `${folder}/report.json`;
}

/**
 * The folder of one run's own writes (checkpoints, dead letters, samples), `<migration folder>/runs/<segment>`. A
 * migration started again under the same id is a new run; the children of a terminated run may still be loading
 * (Durable does not stop them), so nothing a run writes shares a name with another run's. The brand keeps a
 * migration's folder from being passed where a run's is meant.
 */
export type RunFolder = string & { readonly runFolder: unique symbol };

export const RUNS_FOLDER = 'runs';
const RUN_SEGMENT = /^(\d{8}T\d{9}Z|run)-[0-9a-f]{8}$/;

/**
 * A run id (`<instance id>@<ISO start>`, migrationRunId) as one folder name: the start's stamp, then 8 hex digits
 * of the run id's SHA-256, `20261202T065033123Z-1a2b3c4d`. Names sort by start; two instance ids that share a
 * folder (a sync's migration and an API one of the same export and container) never share a run's; and nothing
 * of the run id itself becomes part of a path (names are data). A run id without a start gives `run-<hex>`.
 */
export function runSegment(runId: string): string {
  const at = runId.lastIndexOf('@');
  const iso = at >= 0 ? runId.slice(at + 1) : '';
  const ms = Date.parse(iso);
  const started = at > 0 && !Number.isNaN(ms) && new Date(ms).toISOString() === iso ? new Date(ms) : undefined;
  const digest = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `${started ? runStamp(started) : 'run'}-${digest}`;
}

export function runFolder(folder: string, runId: string): RunFolder {
  return `${folder}/${RUNS_FOLDER}/${runSegment(runId)}` as RunFolder;
}

/** A run's folder as listed in the lake (`…/runs/<segment>/`), or undefined for a name no run has. */
export function listedRunFolder(folder: string, listedPrefix: string): RunFolder | undefined {
  const base = `${folder}/${RUNS_FOLDER}/`;
  if (!listedPrefix.startsWith(base)) return undefined;
  const segment = trimTrailingSlashes(listedPrefix.slice(base.length));
  return RUN_SEGMENT.test(segment) ? (`${base}${segment}` as RunFolder) : undefined;
}

/**
 * The run folder of a migration's report: its instance id and start make the run id (migrationRunId; the report's
 * `startedAt` is that start's ISO form already, so it is not parsed again).
 */
export function reportRunFolder(report: {
  instanceId: string;
  startedAt: string;
  lake: { folder: string };
}): RunFolder {
  return runFolder(report.lake.folder, `${report.instanceId}@${report.startedAt}`);
}

export function deadLetterPath(run: RunFolder, fileIndex: number): string {
  return `${run}/deadletter/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function samplePath(run: RunFolder, fileIndex: number): string {
  return `${run}/samples/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function checkpointPath(run: RunFolder, fileIndex: number): string {
  return `${run}/checkpoints/${String(fileIndex).padStart(5, '0')}.json`;
}
