import { applyBookDelta, BookDelta, emptyBook, ExecutionBook } from './executionBook';
import { EventType, HistoryEvent, resolvedTaskId, RuntimeStatus } from './historyEvents';

/** Where a sub-orchestration reports back. */
export interface ParentLink {
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
}

/** The durable state of one instance: status fields, current execution's history, undelivered events. */
export interface InstanceState {
  instanceId: string;
  name: string;
  createdTime: string;
  parent?: ParentLink;
  executionId: string;
  generation: number;
  status: RuntimeStatus;
  /** JSON text of the current execution's input. */
  input: string | null;
  /** JSON text, or the raw failure/termination text (the status API shows non-JSON text as a string). */
  output: string | null;
  customStatus: string | null;
  lastUpdatedTime: string;
  history: HistoryEvent[];
  /** Events received but not yet delivered to an episode, in arrival order. */
  inbox: HistoryEvent[];
  book: ExecutionBook;
  /** Sequence ids already resolved by an event in history or inbox (dedupes late or repeated results). */
  resolved: Set<number>;
}

/** Start of an execution: written as the first record of a fresh log (creation, restart, ContinueAsNew). */
export type ExecutionSnapshot = Omit<InstanceState, 'history' | 'book' | 'resolved'>;

export interface EpisodeRecord {
  type: 'episode';
  /** Index in the inbox of the event this episode consumed. */
  consumed: number;
  appended: HistoryEvent[];
  status: RuntimeStatus;
  output: string | null;
  customStatus: string | null;
  lastUpdatedTime: string;
  delta?: BookDelta;
}

export type LogRecord =
  { type: 'snapshot'; state: ExecutionSnapshot } | { type: 'inbox'; event: HistoryEvent } | EpisodeRecord;

export function stateFromSnapshot(snapshot: ExecutionSnapshot): InstanceState {
  const resolved = new Set<number>();
  for (const event of snapshot.inbox) {
    const id = resolvedTaskId(event);
    if (id !== undefined) resolved.add(id);
  }
  return { ...snapshot, inbox: [...snapshot.inbox], history: [], book: emptyBook(), resolved };
}

/** The single reducer shared by the live engine (after each fsync'd append) and by recovery at startup. */
export function applyRecord(state: InstanceState | undefined, record: LogRecord): InstanceState {
  if (record.type === 'snapshot') {
    return stateFromSnapshot(record.state);
  }
  if (!state) {
    throw new Error(`Log record "${record.type}" before the instance snapshot.`);
  }
  if (record.type === 'inbox') {
    const id = resolvedTaskId(record.event);
    if (id !== undefined) state.resolved.add(id);
    state.inbox.push(record.event);
    return state;
  }
  state.inbox.splice(record.consumed, 1);
  for (const event of record.appended) {
    state.history.push(event);
  }
  state.status = record.status;
  state.output = record.output;
  state.customStatus = record.customStatus;
  state.lastUpdatedTime = record.lastUpdatedTime;
  if (record.delta) {
    state.book = applyBookDelta(state.book, record.delta);
  }
  return state;
}

/** Snapshot for the next execution after ContinueAsNew: external events not yet delivered carry over. */
export function continuedSnapshot(
  state: InstanceState,
  input: string,
  executionId: string,
  now: string,
): ExecutionSnapshot {
  const carried = state.inbox.filter((e) => e.EventType === EventType.EventRaised);
  const started: HistoryEvent = {
    EventType: EventType.ExecutionStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: now,
    Name: state.name,
    Version: '',
    Input: input,
    OrchestrationInstance: { InstanceId: state.instanceId, ExecutionId: executionId },
    ParentInstance: parentInstanceInfo(state.parent),
    Tags: null,
  };
  return {
    instanceId: state.instanceId,
    name: state.name,
    createdTime: state.createdTime,
    parent: state.parent,
    executionId,
    generation: state.generation + 1,
    status: 'ContinuedAsNew',
    input,
    output: null,
    customStatus: state.customStatus,
    lastUpdatedTime: now,
    inbox: [started, ...carried],
  };
}

export function parentInstanceInfo(parent: ParentLink | undefined): HistoryEvent['ParentInstance'] {
  return parent
    ? {
        Name: parent.name,
        Version: '',
        TaskScheduleId: parent.taskScheduledId,
        OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
      }
    : null;
}

/** The first snapshot of a new instance: Pending with ExecutionStarted waiting in the inbox. */
export function newInstanceSnapshot(args: {
  instanceId: string;
  name: string;
  input: string;
  executionId: string;
  now: string;
  parent?: ParentLink;
}): ExecutionSnapshot {
  const started: HistoryEvent = {
    EventType: EventType.ExecutionStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: args.now,
    Name: args.name,
    Version: '',
    Input: args.input,
    OrchestrationInstance: { InstanceId: args.instanceId, ExecutionId: args.executionId },
    ParentInstance: parentInstanceInfo(args.parent),
    Tags: null,
  };
  return {
    instanceId: args.instanceId,
    name: args.name,
    createdTime: args.now,
    parent: args.parent,
    executionId: args.executionId,
    generation: 0,
    status: 'Pending',
    input: args.input,
    output: null,
    customStatus: null,
    lastUpdatedTime: args.now,
    inbox: [started],
  };
}
