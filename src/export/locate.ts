import { MigrationError } from '../errors';

/** `a/b/c` → `a/b`; `c` → ``. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function join(folder: string, rest: string): string {
  return folder ? `${folder}/${rest}` : rest;
}

/**
 * Returns a function that maps a data file key written in the manifest to where that file is now.
 *
 * Exports are often copied to another bucket or prefix, so the manifest's keys can be stale. Keys are
 * rewritten relative to the `AWSDynamoDB` folder that holds the export: full exports keep their data
 * under `<id>/data/`, incremental ones under the shared `data/` beside the export folders, and both
 * stay in place relative to that folder when a whole export tree is copied.
 */
export function dataFileLocator(manifestFilesS3Key: string, exportPrefix: string): (dataFileS3Key: string) => string {
  const writtenRoot = parentOf(parentOf(manifestFilesS3Key));
  const actualRoot = parentOf(exportPrefix.replace(/\/+$/, ''));
  const writtenRootSlash = writtenRoot ? `${writtenRoot}/` : '';
  return (dataFileS3Key: string): string => {
    if (!dataFileS3Key.startsWith(writtenRootSlash)) {
      throw new MigrationError(
        'MANIFEST_INVALID',
        `data file key "${dataFileS3Key}" is not under the export's folder "${writtenRoot}"`,
      );
    }
    return join(actualRoot, dataFileS3Key.slice(writtenRootSlash.length));
  };
}
