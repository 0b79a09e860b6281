import type { MigrationRequest } from '../migration/request';
import type { NumberMode } from '../mapping';
import type { Difference } from '../validation/compare';

/** Names of the verification's orchestrators and activities (called by name, registered in functions/app.ts). */
export const VerifyNames = {
  verifyTable: 'verifyTable',
  verifyFanOut: 'verifyFanOut',
  verifyPlan: 'verifyPlan',
  verifyExpectedFile: 'verifyExpectedFile',
  verifyContainerRange: 'verifyContainerRange',
  verifyBucket: 'verifyBucket',
  verifyReport: 'verifyReport',
} as const;

/** One export whose data files make up the expected state, in the order they were applied. */
export interface VerifyExport {
  bucket: string;
  /** The export's folder, `…/AWSDynamoDB/<ExportId>`. */
  exportPrefix: string;
  exportId?: string;
  incremental: boolean;
}

/**
 * What is compared with the container. `container`: the exports are the whole expected state, so every document
 * of the container is checked, and one no export accounts for is unexpected. `export-keys`: only the documents
 * the exports touch (an incremental export verified on its own: the rest of the container is another export's).
 */
export type VerifyScope = 'container' | 'export-keys';

/** The orchestration's input. Small: the data files are listed by the plan activity, into the lake. */
export interface VerifyInput {
  /**
   * Lake folder holding this target's verification runs; each run writes under `<folder>/<run stamp>`. Default:
   * `verify/` in the first export's migration folder (a migration's own verification).
   */
  folder?: string;
  keySchema: MigrationRequest['keySchema'];
  numberMode: NumberMode;
  target: MigrationRequest['target'];
  exports: VerifyExport[];
  scope: VerifyScope;
  /** RU/s the container side may use; default as a migration's (80% of the throughput, else COSMOS_THROUGHPUT). */
  maxRequestUnitsPerSecond?: number;
  /** Set for a synced table's verification: its summary is written to the ledger (`lastVerification`). */
  table?: { name: string; reachedTime?: string; lastExportId?: string };
  /** Containers read at once and buckets checked at once. Default 4. */
  parallelism?: number;
}

/** One data file of the expected side: `seq` is its export's place in the apply order. */
export interface ExpectedUnit {
  seq: number;
  fileIndex: number;
  key: string;
  lakePath: string;
  itemCount: number;
  incremental: boolean;
}

/** A feed range of the container, as its bounds of effective partition key. */
export interface RangeUnit {
  minInclusive: string;
  maxExclusive: string;
}

/** What the plan activity writes to `<run>/plan.json`; the other activities read it. */
export interface VerifyPlan {
  run: string;
  input: VerifyInput;
  buckets: number;
  expectedUnits: ExpectedUnit[];
  ranges: RangeUnit[];
  /** How the container side is read: one query when there is one feed range, else the change feed per range. */
  containerRead: 'query' | 'change-feed';
}

export interface PlanSummary {
  run: string;
  buckets: number;
  expectedUnits: number;
  ranges: number;
  expectedRecords: number;
}

/** A document's identity: its id and, where an id can repeat across partition key values, its partition key. */
export interface DocumentRef {
  id: string;
  partitionKey?: unknown;
}

export interface DifferingDocument extends DocumentRef {
  differences: Difference[];
}

/** Counts of a bucket or of a whole verification (the lists are elsewhere). */
export interface VerificationCounts {
  expected: number;
  actual: number;
  matched: number;
  missingCount: number;
  unexpectedCount: number;
  differingCount: number;
}

/** One bucket's result: complete counts, and its first ids of each kind. */
export interface BucketResult extends VerificationCounts {
  bucket: number;
  /** The digests of both sides agreed, so no document was compared one by one. */
  digestsMatched: boolean;
  missing: DocumentRef[];
  unexpected: DocumentRef[];
  differing: DifferingDocument[];
  requestCharge: number;
}

/** The result of a full verification: the orchestration's output and the report in the lake. */
export interface Verification extends VerificationCounts {
  passed: boolean;
  missing: DocumentRef[];
  unexpected: DocumentRef[];
  differing: DifferingDocument[];
  /** Lines of the exports that the mapping refuses (dead-lettered by the loads, so not expected). */
  unmappable: number;
  buckets: number;
  /** RUs the container side and the drill-down spent. */
  requestCharge: number;
  report: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** What an activity of one fan-out returns; the orchestrator only sums these. */
export interface UnitTotals {
  records: number;
  unmappable: number;
  requestCharge: number;
}

/** Reported lists are capped at this many entries; the counts are complete. */
export const LIST_CAP = 1000;

/** A verification's progress: the custom status of its orchestration (orchestrators/verify-table.ts). */
export interface VerifyStatus {
  phase: 'planning' | 'reading' | 'comparing' | 'reporting' | 'done';
  run?: string;
  buckets?: number;
  expectedFiles?: { done: number; total: number };
  ranges?: { done: number; total: number };
  bucketsChecked?: number;
  expectedRecords?: number;
  containerDocuments?: number;
  requestCharge?: number;
}
