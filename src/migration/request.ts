import { CopyMode } from '../lake/copy-to-lake';
import { NumberMode } from '../mapping';

/** A migration request after validation and defaults: what the orchestration receives as input. */
export interface MigrationRequest {
  source: {
    bucket: string;
    /** Folder of the export: `…/AWSDynamoDB/<ExportId>`, no trailing slash. */
    exportPrefix: string;
  };
  keySchema: { partitionKey: string; sortKey?: string };
  target: {
    database: string;
    container: string;
    /**
     * The container's partition key paths. Default: the contract's path for the key schema (`/<partitionKey>`,
     * `/_ddb_id` for a partition key attribute `id` with a sort key: docs/mapping.md §4); two or three levels
     * for a hierarchical key. Each document's own value at these paths is its partition key.
     */
    partitionKeyPaths: string[];
  };
  options: MigrationOptions;
  /**
   * Set by a table's sync, never by a request: the documents its ledger expects the container to hold before this
   * export (Ledger.expectedDocuments), so validating an incremental export can tell what it should hold after.
   */
  documentsBefore?: number;
}

export interface MigrationOptions {
  /** How DynamoDB numbers are written (mapping.md §2). Default `lossless`. */
  numberMode: NumberMode;
  /** Items read back and compared at the end. Default 500. */
  sampleSize: number;
  /** How data files reach the lake. Default `auto` (server-side when the lake supports it). */
  copyMode: CopyMode;
  /** Data files copied and loaded at the same time. Default 8. */
  maxParallelFiles: number;
  /** Bulk requests in flight per data file at first; adapts to throttling from there. Default 4. */
  bulkConcurrency: number;
  /**
   * Request units per second the whole migration may consume (all files together). Default: 80% of the
   * container's (or its database's) provisioned throughput, leaving 20% to the live application; no cap
   * when that cannot be read (serverless, or an identity that may not read throughput settings).
   */
  maxRequestUnitsPerSecond?: number;
  /**
   * How validation checks the documents: `sample` point-reads `sampleSize` of them; `full` also compares every
   * document the export expects with the container (src/verify/, README "Verification"). Default `sample`.
   */
  verify?: VerifyMode;
}

export type VerifyMode = 'sample' | 'full';

/** Options without a fixed default (see MigrationOptions). */
export const OPTIONAL_OPTIONS = ['maxRequestUnitsPerSecond'] as const;

export const DEFAULT_OPTIONS: MigrationOptions = {
  numberMode: 'lossless',
  sampleSize: 500,
  copyMode: 'auto',
  maxParallelFiles: 8,
  bulkConcurrency: 4,
  verify: 'sample',
};
