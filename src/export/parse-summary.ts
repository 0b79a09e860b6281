import { MigrationError } from '../errors';
import { ExportSummary, ExportType } from './types';

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Parses `manifest-summary.json`. The export type is taken from `exportType`, else from the presence of
 * `exportFromTime`, else full: real full exports omit `exportType`.
 */
export function parseExportSummary(text: string, where: string): ExportSummary {
  let raw: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    raw = parsed as Record<string, unknown>;
  } catch (error) {
    throw new MigrationError('MANIFEST_INVALID', `${where} is not a JSON object: ${(error as Error).message}`);
  }

  // Both of DynamoDB's formats are read: DynamoDB JSON, and Amazon Ion text (docs/export-formats.md).
  const outputFormat = raw.outputFormat ?? 'DYNAMODB_JSON';
  if (outputFormat !== 'DYNAMODB_JSON' && outputFormat !== 'ION') {
    throw new MigrationError(
      'UNSUPPORTED_FORMAT',
      `${where}: outputFormat "${String(outputFormat)}" is not supported; export the table again with ExportFormat DYNAMODB_JSON or ION`,
    );
  }
  const exportArn = optionalString(raw.exportArn);
  if (!exportArn) throw new MigrationError('MANIFEST_INVALID', `${where}: field "exportArn" is missing`);
  const manifestFilesS3Key = optionalString(raw.manifestFilesS3Key);
  if (!manifestFilesS3Key)
    throw new MigrationError('MANIFEST_INVALID', `${where}: field "manifestFilesS3Key" is missing`);
  const itemCount = raw.itemCount;
  if (typeof itemCount !== 'number' || !Number.isInteger(itemCount) || itemCount < 0) {
    throw new MigrationError('MANIFEST_INVALID', `${where}: field "itemCount" must be a non-negative integer`);
  }

  const exportFromTime = optionalString(raw.exportFromTime);
  let exportType: ExportType;
  if (raw.exportType === 'FULL_EXPORT' || raw.exportType === 'INCREMENTAL_EXPORT') exportType = raw.exportType;
  else if (raw.exportType === undefined || raw.exportType === null) {
    exportType = exportFromTime ? 'INCREMENTAL_EXPORT' : 'FULL_EXPORT';
  } else {
    throw new MigrationError('UNSUPPORTED_FORMAT', `${where}: exportType "${String(raw.exportType)}" is not known`);
  }

  return {
    exportId: exportArn.slice(exportArn.lastIndexOf('/') + 1),
    exportArn,
    exportType,
    outputFormat,
    outputView: optionalString(raw.outputView),
    itemCount,
    exportTime: optionalString(raw.exportTime),
    exportFromTime,
    exportToTime: optionalString(raw.exportToTime),
    manifestFilesS3Key,
  };
}
