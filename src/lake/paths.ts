import { ErrorCode, MigrationError } from '../errors';
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

export function deadLetterPath(folder: string, fileIndex: number): string {
  return `${folder}/deadletter/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function samplePath(folder: string, fileIndex: number): string {
  return `${folder}/samples/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function checkpointPath(folder: string, fileIndex: number): string {
  return `${folder}/checkpoints/${String(fileIndex).padStart(5, '0')}.json`;
}
