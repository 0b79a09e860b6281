import type { ErrorCode, ErrorInfo } from '../errors';
import { ExportSummary } from '../export/types';
import { CopyResult } from '../lake/copy-to-lake';
import type { RuCap } from '../cosmos/throughput';
import { LoadFileResult } from '../load/load-file';
import { SampleCheck } from '../validation/verify-sample';
import type { ContainerCheck } from '../validation/container-count';
import type { ItemCounts } from '../validation/counts';
import { MigrationRequest } from './request';

/** Names shared by the orchestrators that call these functions and the file that registers them. */
export const Names = {
  migrateExport: 'migrateExport',
  migrateLane: 'migrateLane',
  startLanes: 'startLanes',
  readLanes: 'readLanes',
  laneEnded: 'laneEnded',
  readManifest: 'readManifest',
  prepareTarget: 'prepareTarget',
  copyFile: 'copyFile',
  loadFile: 'loadFile',
  validateMigration: 'validateMigration',
  writeReport: 'writeReport',
  syncTable: 'syncTable',
  planSyncStep: 'planSyncStep',
  recordSyncOutcome: 'recordSyncOutcome',
} as const;

/** A permanent failure returned as data, so Durable does not retry what cannot succeed. */
export interface Failure extends ErrorInfo {
  ok: false;
}
export type Outcome<T> = ({ ok: true } & T) | Failure;

export interface ManifestFile {
  index: number;
  key: string;
  itemCount: number;
  md5Checksum: string;
}

export type ReadManifestResult = Outcome<{ summary: ExportSummary; files: ManifestFile[] }>;

/** What prepareTarget hands back: the lake container, and the RU cap with its source (absent before it existed). */
export type PrepareTargetResult = Outcome<{ lakeContainer: string; ruCap?: RuCap }>;

export interface FileTask extends ManifestFile {
  sampleQuota: number;
}

export interface CopyFileInput {
  request: MigrationRequest;
  file: ManifestFile;
}

export interface LoadFileInput {
  request: MigrationRequest;
  incremental: boolean;
  file: FileTask;
  lakePath: string;
  /** Identifies this run of the migration (migrationRunId), so checkpoints of earlier runs are not reused. */
  runId: string;
  /**
   * The most files of this migration that load at the same time (its lanes, at most `maxParallelFiles`): each
   * load's share of the RU cap (cosmos/ru-budget.ts). Absent in orchestrations started before it existed.
   */
  parallelFiles?: number;
}

/** Files by how they reached the lake (CopyResult.method). */
export type CopyMethods = Record<CopyResult['method'], number>;

/** What one data file came to: copied and loaded, or failed with the reason. */
export interface FileOutcome {
  index: number;
  key: string;
  itemCount: number;
  copy?: CopyResult;
  load?: LoadFileResult;
  error?: ErrorInfo;
}

export interface ValidateInput {
  request: MigrationRequest;
  incremental: boolean;
  counts: ItemCounts;
  sampleFileIndexes: number[];
  /** The run whose samples are checked (LoadFileInput.runId). Absent in orchestrations started before it existed. */
  runId?: string;
}

export interface ValidationResult {
  passed: boolean;
  countsReconciled: boolean;
  countsDetail: string;
  sampled: number;
  mismatched: number;
  mismatches: SampleCheck['mismatches'];
  /**
   * The container's document count against what it should hold (src/validation/container-count.ts). Absent in
   * reports of migrations validated before it was counted.
   */
  container?: ContainerCheck;
}

/** Files of a migration by what became of them, as the custom status and the report count them. */
export interface FileCounts {
  total: number;
  copied: number;
  copySkipped: number;
  /** How each copied file reached the lake: server-side copy, streamed through the app, or already there. */
  copyMethods: CopyMethods;
  loaded: number;
  failed: number;
}

export interface FileFailure {
  file: string;
  code: ErrorCode;
  message: string;
}

export interface MigrationReport {
  instanceId: string;
  exportId: string;
  exportType: ExportSummary['exportType'];
  exportArn: string;
  source: MigrationRequest['source'];
  target: MigrationRequest['target'];
  files: FileCounts & { failures: FileFailure[] };
  items: Omit<ItemCounts, 'inFailedFiles'>;
  bytesCopied: number;
  requestCharge: number;
  /** The RU/s cap the loads kept to and where it came from (`request`, `offer`, `setting`, or `none` and why). */
  ruCap: RuCap;
  /** The container's partition key paths and why (docs/mapping.md §4): the default for the key schema, or given. */
  partitionKey: { paths: string[]; reason: string };
  validation: ValidationResult;
  numbers: {
    mode: string;
    keptAsStrings: number;
    precisionLost: number;
    keptAsStringsByPath: Record<string, number>;
    precisionLostByPath: Record<string, number>;
  };
  renames: Record<string, number>;
  lake: { container: string; folder: string; report: string; deadLetters: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface ReportInput {
  request: MigrationRequest;
  report: MigrationReport;
}
