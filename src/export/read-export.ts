import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { MigrationError } from '../errors';
import { dataFileLocator } from './locate';
import { checkManifestConsistency, parseManifestFiles } from './parse-files';
import { parseExportSummary } from './parse-summary';
import { readTextIfExists, s3Url } from './s3-objects';
import { ExportManifest } from './types';

function md5Base64(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('base64');
}

/** A sidecar is optional (AWS documents `.checksum`, writes `.md5`); when present it must match. */
async function verifySidecar(s3: S3Client, bucket: string, key: string, text: string): Promise<void> {
  const sidecarKey = key.replace(/\.json$/, '.md5');
  const expected = (await readTextIfExists(s3, { bucket, key: sidecarKey }))?.trim();
  if (expected && expected !== md5Base64(text)) {
    throw new MigrationError(
      'CHECKSUM_MISMATCH',
      `${s3Url({ bucket, key })} does not match its checksum file ${sidecarKey}: the manifest was changed or truncated`,
    );
  }
}

/**
 * Reads and checks an export's manifests from `s3://bucket/exportPrefix/`, the folder that holds
 * `manifest-summary.json`, wherever the export has been copied to.
 */
export async function readExportManifest(s3: S3Client, bucket: string, exportPrefix: string): Promise<ExportManifest> {
  const folder = exportPrefix.replace(/\/+$/, '');
  const summaryKey = `${folder}/manifest-summary.json`;
  const summaryText = await readTextIfExists(s3, { bucket, key: summaryKey });
  if (summaryText === undefined) {
    throw new MigrationError(
      'EXPORT_INCOMPLETE',
      `${s3Url({ bucket, key: summaryKey })} does not exist: the export has not finished yet, or exportPrefix does not point at the export's folder (…/AWSDynamoDB/<ExportId>)`,
    );
  }
  await verifySidecar(s3, bucket, summaryKey, summaryText);
  const summary = parseExportSummary(summaryText, s3Url({ bucket, key: summaryKey }));

  const filesKey = `${folder}/manifest-files.json`;
  const filesText = await readTextIfExists(s3, { bucket, key: filesKey });
  if (filesText === undefined) {
    throw new MigrationError(
      'EXPORT_INCOMPLETE',
      `${s3Url({ bucket, key: filesKey })} does not exist: the export is incomplete`,
    );
  }
  await verifySidecar(s3, bucket, filesKey, filesText);
  const where = s3Url({ bucket, key: filesKey });
  const files = parseManifestFiles(filesText, where, dataFileLocator(summary.manifestFilesS3Key, folder));
  checkManifestConsistency(summary.itemCount, files, where);
  return { summary, files };
}
