/** Inputs and activity stand-ins shared by the orchestrator replay tests. */
import type { ExportSummary } from '../../../src/export/types';
import type { CopyResult } from '../../../src/lake/copy-to-lake';
import type { LoadFileResult } from '../../../src/load/load-file';
import type { MappingStats } from '../../../src/mapping/stats';
import type {
  CopyFileInput,
  FileTask,
  LoadFileInput,
  ManifestFile,
  MigrationReport,
  Outcome,
  ReadManifestResult,
  ReportInput,
  ValidateInput,
  ValidationResult,
} from '../../../src/migration/contracts';
import type { MigrationRequest } from '../../../src/migration/request';

export const START = '2024-01-01T00:00:00.000Z';

export function request(options: Partial<MigrationRequest['options']> = {}): MigrationRequest {
  return {
    source: { bucket: 'exports', exportPrefix: 'orders/AWSDynamoDB/01700000000000-abcdef01' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'shop', container: 'orders', partitionKeyPaths: ['/pk'] },
    options: {
      numberMode: 'lossless',
      sampleSize: 4,
      copyMode: 'auto',
      maxParallelFiles: 8,
      bulkConcurrency: 4,
      ...options,
    },
  };
}

export function summary(itemCount: number, exportType: ExportSummary['exportType'] = 'FULL_EXPORT'): ExportSummary {
  return {
    exportId: '01700000000000-abcdef01',
    exportArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/01700000000000-abcdef01',
    exportType,
    outputFormat: 'DYNAMODB_JSON',
    itemCount,
    exportTime: exportType === 'FULL_EXPORT' ? '2023-12-31T00:00:00.000Z' : undefined,
    manifestFilesS3Key: 'orders/AWSDynamoDB/01700000000000-abcdef01/manifest-files.json',
  };
}

export function manifestFiles(itemCounts: number[]): ManifestFile[] {
  return itemCounts.map((itemCount, index) => ({
    index,
    key: `orders/AWSDynamoDB/01700000000000-abcdef01/data/file-${index}.json.gz`,
    itemCount,
    md5Checksum: `md5-of-file-${index}`,
  }));
}

export function manifest(itemCounts: number[], exportType?: ExportSummary['exportType']): ReadManifestResult {
  const files = manifestFiles(itemCounts);
  return {
    ok: true,
    summary: summary(
      itemCounts.reduce((a, b) => a + b, 0),
      exportType,
    ),
    files,
  };
}

/** What copyFile returns for a file that copied: streamed, 1000 bytes per item. */
export function copied(file: ManifestFile): Outcome<CopyResult> {
  return { ok: true, lakePath: `exports/${file.key}`, bytes: file.itemCount * 1000, method: 'stream' };
}

export function stats(renamed = 0): MappingStats {
  return { numbersAsStrings: {}, precisionLost: {}, renames: renamed > 0 ? { id: renamed } : {} };
}

/** What loadFile returns for a complete load: every line read and written, the sample quota filled. */
export function loaded(file: FileTask, extra: Partial<LoadFileResult> = {}): Outcome<LoadFileResult> {
  return {
    ok: true,
    fileIndex: file.index,
    linesRead: file.itemCount,
    written: file.itemCount,
    deleted: 0,
    deadLettered: 0,
    requestCharge: file.itemCount * 10.005,
    retries: 0,
    stats: stats(),
    sampled: file.sampleQuota,
    complete: true,
    ...extra,
  };
}

export const passedValidation: ValidationResult = {
  passed: true,
  countsReconciled: true,
  countsDetail: 'all good',
  sampled: 4,
  mismatched: 0,
  mismatches: [],
};

/** The RU cap prepareTarget reports in the happy path: from the setting, as in Azure with key auth disabled. */
export const preparedRuCap = {
  requestUnitsPerSecond: 3200,
  source: 'setting',
  detail: '80% of the database\'s autoscale 4000 RU/s (COSMOS_THROUGHPUT "shop=autoscale:4000")',
} as const;

/** Activities of a migration that goes well, unless a test replaces one. */
export function happyActivities(readManifest: ReadManifestResult) {
  return {
    readManifest: (_: MigrationRequest) => readManifest,
    prepareTarget: (_: MigrationRequest) => ({ ok: true, lakeContainer: 'lake', ruCap: preparedRuCap }),
    copyFile: (input: CopyFileInput) => copied(input.file),
    loadFile: (input: LoadFileInput) => loaded(input.file),
    validateMigration: (_: ValidateInput) => passedValidation,
    writeReport: (input: ReportInput): MigrationReport => ({
      ...input.report,
      lake: { container: 'lake', folder: 'f', report: 'f/report.json', deadLetters: 'f/deadletter/' },
    }),
  };
}
