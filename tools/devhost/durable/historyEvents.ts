/** DTFx history events as the legacy out-of-proc JSON protocol carries them (PascalCase, numeric types). */

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** DTFx OrchestrationStatus; names double as the HTTP API's `runtimeStatus` strings. */
export enum OrchestrationStatus {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}

export type RuntimeStatus = keyof typeof OrchestrationStatus;

export const RUNTIME_STATUSES = Object.keys(OrchestrationStatus).filter((k) =>
  Number.isNaN(Number(k)),
) as RuntimeStatus[];

export function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated' || status === 'Canceled';
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string | null;
  Result?: string | null;
  Version?: string;
  Tags?: null;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: ParentInstanceInfo | null;
  OrchestrationStatus?: OrchestrationStatus;
  FailureDetails?: unknown;
  TaskScheduledId?: number;
  Reason?: string | null;
  Details?: string | null;
  InstanceId?: string;
  FireAt?: string;
  TimerId?: number;
}

export interface ParentInstanceInfo {
  Name: string;
  Version: string;
  TaskScheduleId: number;
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
}

type EventFields = Omit<HistoryEvent, 'EventType' | 'EventId' | 'IsPlayed' | 'Timestamp'>;

/** New events are unplayed; `IsPlayed` is recomputed from episode boundaries when history is sent. */
export function makeEvent(type: EventType, timestamp: string, fields: EventFields = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: timestamp, ...fields };
}

/** The sequence id a completion-type event resolves, or undefined for events that resolve none. */
export function resolvedTaskId(event: HistoryEvent): number | undefined {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return event.TaskScheduledId;
    case EventType.TimerFired:
      return event.TimerId;
    default:
      return undefined;
  }
}
