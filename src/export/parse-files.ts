import { MigrationError } from '../errors';
import { DataFile } from './types';

const BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Parses `manifest-files.json` (JSON Lines). Every problem names the manifest line, because a hand-edited
 * manifest is the usual cause.
 */
export function parseManifestFiles(text: string, where: string, locate: (key: string) => string): DataFile[] {
  const files: DataFile[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const at = `${where} line ${i + 1}`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new MigrationError('MANIFEST_INVALID', `${at} is not valid JSON`);
    }
    if (entry === null || typeof entry !== 'object')
      throw new MigrationError('MANIFEST_INVALID', `${at} is not an object`);
    const { itemCount, md5Checksum, dataFileS3Key } = entry;
    if (typeof dataFileS3Key !== 'string' || dataFileS3Key === '') {
      throw new MigrationError('MANIFEST_INVALID', `${at}: field "dataFileS3Key" is missing`);
    }
    if (typeof itemCount !== 'number' || !Number.isInteger(itemCount) || itemCount < 0) {
      throw new MigrationError('MANIFEST_INVALID', `${at}: field "itemCount" must be a non-negative integer`);
    }
    if (typeof md5Checksum !== 'string' || !BASE64_MD5.test(md5Checksum)) {
      throw new MigrationError('MANIFEST_INVALID', `${at}: field "md5Checksum" must be a base64 MD5 (24 characters)`);
    }
    let key: string;
    try {
      key = locate(dataFileS3Key);
    } catch (error) {
      throw new MigrationError('MANIFEST_INVALID', `${at}: ${(error as Error).message.replace(/^\[[A-Z_]+\] /, '')}`);
    }
    files.push({ index: files.length, key, itemCount, md5Checksum });
  }
  return files;
}

/** The summary's total must equal the sum of the files' counts, else the manifests were not written together. */
export function checkManifestConsistency(summaryItemCount: number, files: DataFile[], where: string): void {
  // Keys were normalised when located (src/export/locate.ts), so `data/f`, `data/./f` and `data/x/../f` meet here.
  const seen = new Map<string, number>();
  for (const file of files) {
    const first = seen.get(file.key);
    if (first !== undefined) {
      throw new MigrationError(
        'MANIFEST_INCONSISTENT',
        `${where}: data file "${file.key}" is listed twice (entries ${first + 1} and ${file.index + 1}, in any spelling of its key)`,
      );
    }
    seen.set(file.key, file.index);
  }
  const sum = files.reduce((total, file) => total + file.itemCount, 0);
  if (sum !== summaryItemCount) {
    throw new MigrationError(
      'MANIFEST_INCONSISTENT',
      `${where}: manifest-summary.json says itemCount ${summaryItemCount} but manifest-files.json lists ${sum} items in ${files.length} files`,
    );
  }
}
