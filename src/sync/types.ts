import { createHash } from 'node:crypto';
import { ExportType } from '../export/types';
import { MigrationOptions, MigrationRequest } from '../migration/request';

/** A table kept in sync: where DynamoDB writes its exports, and where they go. */
export interface TableRegistration {
  name: string;
  source: {
    bucket: string;
    /** The `S3Prefix` the exports are written with; exports sit under `<exportsPrefix>/AWSDynamoDB/`. May be empty. */
    exportsPrefix: string;
  };
  keySchema: MigrationRequest['keySchema'];
  target: MigrationRequest['target'];
  options: SyncOptions;
  createdAt: string;
  updatedAt: string;
}

export interface SyncOptions extends MigrationOptions {
  /** Apply an incremental export even when it starts after the point already reached (recorded as a warning). */
  allowGaps: boolean;
}

/** An export found in S3 whose manifest-summary.json exists (so it is complete). */
export interface DiscoveredExport {
  exportId: string;
  /** The export's folder in the bucket, `…/AWSDynamoDB/<ExportId>`. */
  exportPrefix: string;
  exportType: ExportType;
  tableArn: string;
  /** Full exports: the instant the snapshot represents. */
  exportTime?: string;
  /** Incremental exports: the window `[fromTime, toTime)`. */
  fromTime?: string;
  toTime?: string;
  itemCount: number;
}

/**
 * What became of one export. `pending`: seen, not yet applied. `applying`: a migration runs for it.
 * `applied`: loaded and validated. `failed`: its migration failed or did not validate; retried by the next
 * sync. `skipped`: never to be applied (reason says why). `gap`: it starts after the point already reached;
 * the table's sync stops at it until the missing window is exported or gaps are allowed.
 */
export type LedgerState = 'pending' | 'applying' | 'applied' | 'failed' | 'skipped' | 'gap';

export interface LedgerEntry extends DiscoveredExport {
  state: LedgerState;
  attempts: number;
  instanceId?: string;
  reason?: string;
  warning?: string;
  report?: ReportSummary;
  firstSeenAt: string;
  updatedAt: string;
}

export interface ReportSummary {
  passed: boolean;
  written: number;
  deleted: number;
  deadLettered: number;
  failedFiles: number;
  durationMs: number;
  report: string;
}

export type SyncState = 'never-run' | 'syncing' | 'up-to-date' | 'waiting' | 'stopped' | 'failed';

export interface Ledger {
  table: string;
  /** The point in time the container reflects: the base full export's time or the last applied window's end. */
  reachedTime?: string;
  status: { state: SyncState; reason?: string; at: string };
  exports: LedgerEntry[];
  /** Export folders with a summary that cannot be used (the last sync's view). */
  unreadable?: { exportPrefix: string; reason: string }[];
  /**
   * Documents the container should hold after every applied export: creates minus deletes of present documents,
   * carried from the full export through each incremental. Absent until an export reports the split.
   */
  expectedDocuments?: number;
  /** The last full verification of the table (POST /api/tables/{name}/verify), whatever its result. */
  lastVerification?: VerificationSummary;
}

/** What the cut-over check needs to know of a full verification; the whole result is in its report in the lake. */
export interface VerificationSummary {
  instanceId: string;
  /** The point in time the verified expected state reflects (the ledger's reachedTime when it started). */
  reachedTime?: string;
  /** The last export the expected state includes. */
  lastExportId?: string;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  expected: number;
  actual: number;
  matched: number;
  missingCount: number;
  unexpectedCount: number;
  differingCount: number;
  /** Lake path of the full verification report. */
  report: string;
}

export function emptyLedger(table: string, now: string): Ledger {
  return { table, status: { state: 'never-run', at: now }, exports: [] };
}

export function requestFor(
  registration: TableRegistration,
  entry: Pick<LedgerEntry, 'exportPrefix'>,
): MigrationRequest {
  const { allowGaps: _allowGaps, ...options } = registration.options;
  return {
    source: { bucket: registration.source.bucket, exportPrefix: entry.exportPrefix },
    keySchema: registration.keySchema,
    target: registration.target,
    options,
  };
}

/** Table names up to this length are their sync's instance id as they are; longer ones are shortened. */
const LONGEST_PLAIN_NAME = 64;

/**
 * The one sync instance of a table: `sync-<table>`. A table name may have 255 characters, an instance id at most
 * 256, and the sync's migrations add `-<exportId>-<attempt>`, so a longer name keeps its first 48 characters and
 * gets 16 hex digits of its SHA-256: still one id per table, and short enough for every instance the sync starts.
 */
export function syncInstanceId(table: string): string {
  if (table.length <= LONGEST_PLAIN_NAME) return `sync-${table}`;
  return `sync-${table.slice(0, 48)}-${createHash('sha256').update(table, 'utf8').digest('hex').slice(0, 16)}`;
}
