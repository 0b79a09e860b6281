import type { ErrorInfo } from '../src/errors';
import type { CopyResult } from '../src/lake/copy-to-lake';
import type { FileCounts, FileTask } from '../src/migration/contracts';
import type { MigrationRequest } from '../src/migration/request';
import type { ItemCounts } from '../src/validation/counts';
import type { Progress } from './progress';

/** A file a lane has started and not finished: copied or being copied, its tries of the current step. */
export interface LaneWork {
  file: FileTask;
  /** Set once the file is in the lake; then the file is loaded. */
  copy?: CopyResult;
  /** Failed tries of the current step (copy, else load); a load continued from its checkpoint starts again at 0. */
  failedTries: number;
  /** A failed try waits for its back-off until then (orchestration clock, ISO). */
  retryAt?: string;
  /** Activity runs: copies, and loads including each continuation after a time budget. */
  runs: { copy: number; load: number };
}

/** What became of a finished file of a lane: its counts or its failure, and how many runs it took. */
export interface LaneFileRecord {
  index: number;
  key: string;
  itemCount: number;
  load?: { linesRead: number; written: number; deleted: number; deadLettered: number; requestCharge: number };
  error?: ErrorInfo;
  /** Tries of the step the file ended at (copy, else load), continuations from a checkpoint not counted. */
  attempts: number;
  runs: { copy: number; load: number };
}

/**
 * A lane's input, and its state carried over each continue-as-new: the files it has left, the (at most two)
 * it is working on, its totals and what became of the files it finished. Nothing in it grows with time, only
 * with the lane's share of the files.
 */
export interface LaneInput {
  request: MigrationRequest;
  incremental: boolean;
  /** The migration's run (migrationRunId): the loads' checkpoints and the RU budget are keyed by it. */
  runId: string;
  /** Loads of this migration running at once (its lanes): each load's share of the RU cap (cosmos/ru-budget.ts). */
  parallelFiles: number;
  /** The lane's number, from 0. */
  lane: number;
  /** Files not started yet, in the order the lane takes them. */
  queue: FileTask[];
  active: LaneWork[];
  /** The lane's totals over its finished files. */
  progress: Progress;
  records: LaneFileRecord[];
  /** Executions before this one (continue-as-new). */
  generation: number;
  /** The migration's instance: told when the lane ends (LANE_ENDED_EVENT). Absent in lanes started before it was. */
  parent?: string;
}

/** What a lane raises on its migration when it ends, so the migration sees it at once rather than at its next poll. */
export const LANE_ENDED_EVENT = 'laneEnded';

export interface LaneEndedInput {
  parent: string;
  lane: string;
}

/** A lane's custom status: its totals so far (without the failure list and mapping statistics, kept small). */
export interface LaneStatus {
  lane: number;
  generation: number;
  files: Pick<FileCounts, 'total'> & { done: number };
  progress: Pick<Progress, 'bytesCopied' | 'requestCharge'> & { files: FileCounts; items: ItemCounts };
  /** The file being loaded: its counts so far are in its checkpoint. */
  loading?: { index: number; key: string };
}

export interface LaneOutput {
  progress: Progress;
  records: LaneFileRecord[];
}

/** Where one lane stands, as the parent's poll (readLanes) reads it. */
export interface LaneReading {
  instanceId: string;
  /** Durable's runtime status; `Missing` when no such instance exists (yet). */
  runtimeStatus: string;
  /** Running: the lane's custom status. */
  status?: LaneStatus;
  /** Running, loading a file: the counts its checkpoint holds so far. */
  loading?: Pick<ItemCounts, 'read' | 'written' | 'deleted' | 'deadLettered'> & { requestCharge: number };
  /** Completed: its totals (the output without the per-file records). */
  final?: Progress;
  /** Failed, terminated or canceled: its totals at its last continue-as-new and the files not finished then. */
  lost?: { progress: Progress; unfinished: Pick<FileTask, 'index' | 'key' | 'itemCount'>[] };
}

export interface StartLanesInput {
  lanes: { instanceId: string; input: LaneInput }[];
}

export interface ReadLanesInput {
  request: MigrationRequest;
  runId: string;
  instanceIds: string[];
}
