import { MigrationError } from '../errors';
import { isWithin, normalizeKey, quoteKey, trimTrailingSlashes } from '../names';

/** `a/b/c` → `a/b`; `c` → ``. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function join(folder: string, rest: string): string {
  return folder ? `${folder}/${rest}` : rest;
}

/** The part of normalised `key` below `folder` (which holds it). */
function below(key: string, folder: string): string {
  return folder === '' ? key : key.slice(folder.length + 1);
}

/**
 * Returns a function that maps a data file key written in the manifest to where that file is now.
 *
 * Exports are often copied to another bucket or prefix, so the manifest's keys can be stale. Keys are
 * rewritten relative to the export's folder (full exports keep their data under `<id>/data/`) or to the
 * shared `data/` folder beside the export folders (incremental exports), and both stay in place relative to
 * those folders when a whole export tree is copied.
 *
 * Keys are normalised first (`.` and empty segments dropped, `..` resolved: src/names/keys.ts), so every
 * spelling of one file is one key, and a key that is not inside those two folders after that is
 * `MANIFEST_INVALID`: a manifest cannot make the migration read, copy over or delete another export's files.
 */
export function dataFileLocator(manifestFilesS3Key: string, exportPrefix: string): (dataFileS3Key: string) => string {
  const manifest = normalizeKey(manifestFilesS3Key);
  if (!manifest.ok) {
    throw new MigrationError(
      'MANIFEST_INVALID',
      `manifestFilesS3Key ${quoteKey(manifestFilesS3Key)} ${manifest.reason}`,
    );
  }
  const writtenFolder = parentOf(manifest.key);
  const writtenData = join(parentOf(writtenFolder), 'data');
  const actualFolder = trimTrailingSlashes(exportPrefix);
  const actualData = join(parentOf(actualFolder), 'data');
  return (dataFileS3Key: string): string => {
    const key = normalizeKey(dataFileS3Key);
    if (!key.ok) {
      throw new MigrationError('MANIFEST_INVALID', `data file key ${quoteKey(dataFileS3Key)} ${key.reason}`);
    }
    if (isWithin(key.key, writtenFolder) && key.key !== writtenFolder) {
      return join(actualFolder, below(key.key, writtenFolder));
    }
    if (isWithin(key.key, writtenData) && key.key !== writtenData) return join(actualData, below(key.key, writtenData));
    throw new MigrationError(
      'MANIFEST_INVALID',
      `data file key ${quoteKey(dataFileS3Key)} is not under the export's folder "${writtenFolder}" or the shared "${writtenData}" folder`,
    );
  };
}
