export type ExportType = 'FULL_EXPORT' | 'INCREMENTAL_EXPORT';

/** What the migration needs from `manifest-summary.json`; unknown fields are ignored on purpose (AWS adds some). */
export interface ExportSummary {
  exportId: string;
  exportArn: string;
  exportType: ExportType;
  /** DynamoDB JSON or Amazon Ion text; either way each data line gives the same record (export/records.ts). */
  outputFormat: 'DYNAMODB_JSON' | 'ION';
  outputView?: string;
  itemCount: number;
  exportTime?: string;
  exportFromTime?: string;
  exportToTime?: string;
  /** The manifest's own idea of where the export was written; informational once the export has been copied. */
  manifestFilesS3Key: string;
}

/** One line of `manifest-files.json`, with the data file located where the export actually is now. */
export interface DataFile {
  /** Position in manifest-files.json, 0-based: stable, so used for deterministic names and ids. */
  index: number;
  /** Key of the data file in the bucket the migration reads from. */
  key: string;
  itemCount: number;
  /** Base64 MD5 of the compressed object, as in the manifest. */
  md5Checksum: string;
}

export interface ExportManifest {
  summary: ExportSummary;
  files: DataFile[];
}
