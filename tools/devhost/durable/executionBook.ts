import { RetryOptionsWire } from './retry';

export interface RetryInfo {
  options: RetryOptionsWire;
  /** 1-based number of the attempt this task id stands for. */
  attempt: number;
}

/**
 * What the host knows about each sequence id of the current execution, beyond the scheduling event
 * itself: which action (leaf) it came from and how retries and split timers chain together.
 */
export type TaskAllocation =
  | { kind: 'activity'; leaf: number; name: string; input: unknown; retry?: RetryInfo }
  | {
      kind: 'subOrchestration';
      leaf: number;
      name: string;
      instanceId: string;
      explicitId: boolean;
      input: unknown;
      retry?: RetryInfo;
    }
  | {
      kind: 'timer';
      /** null for retry timers, which no action of the orchestrator stands for. */
      leaf: number | null;
      fireAt: string;
      /** Set on segments of a split (long) timer: when the whole timer is due. */
      finalFireAt?: string;
      /** Set on retry timers: the failed attempt's sequence id. */
      retryOf?: number;
    };

/** Per-execution id bookkeeping; reset by ContinueAsNew together with the history. */
export interface ExecutionBook {
  nextSeq: number;
  leafCount: number;
  tasks: Record<number, TaskAllocation>;
  /** Timer sequence ids the orchestrator canceled: never fired, never re-armed. */
  canceledTimers: number[];
  /** Leaves whose `isCanceled` flag has already been handled. */
  canceledLeaves: number[];
}

/** The part of an episode that changes the book; persisted with the episode and replayed on load. */
export interface BookDelta {
  nextSeq: number;
  leafCount: number;
  added: Record<number, TaskAllocation>;
  canceledTimers: number[];
  canceledLeaves: number[];
}

export function emptyBook(): ExecutionBook {
  return { nextSeq: 0, leafCount: 0, tasks: {}, canceledTimers: [], canceledLeaves: [] };
}

export function applyBookDelta(book: ExecutionBook, delta: BookDelta): ExecutionBook {
  return {
    nextSeq: delta.nextSeq,
    leafCount: delta.leafCount,
    tasks: Object.assign(book.tasks, delta.added),
    canceledTimers: book.canceledTimers.concat(delta.canceledTimers),
    canceledLeaves: book.canceledLeaves.concat(delta.canceledLeaves),
  };
}
