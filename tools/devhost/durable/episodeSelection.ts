import { EventType, HistoryEvent, isTerminal, makeEvent, OrchestrationStatus } from './historyEvents';
import { EpisodeRecord, InstanceState } from './instanceState';

/**
 * Which inbox event the next episode consumes: termination first, then suspend/resume, then arrival order.
 * While suspended only termination and resumption are taken; everything else waits in the inbox.
 */
export function pickInboxEvent(state: InstanceState): number | undefined {
  if (isTerminal(state.status) || state.inbox.length === 0) {
    return undefined;
  }
  const terminate = state.inbox.findIndex((e) => e.EventType === EventType.ExecutionTerminated);
  if (terminate >= 0) return terminate;
  const control = state.inbox.findIndex(
    (e) => e.EventType === EventType.ExecutionSuspended || e.EventType === EventType.ExecutionResumed,
  );
  if (control >= 0) return control;
  return state.status === 'Suspended' ? undefined : 0;
}

/**
 * OrchestratorStarted time of the next episode: now, but never before the previous episode (the SDK's
 * clock must not go backwards) nor before the timer being delivered.
 */
export function episodeTime(state: InstanceState, event: HistoryEvent, nowMs = Date.now()): string {
  let ms = nowMs;
  for (let i = state.history.length - 1; i >= 0; i--) {
    if (state.history[i].EventType === EventType.OrchestratorStarted) {
      ms = Math.max(ms, Date.parse(state.history[i].Timestamp));
      break;
    }
  }
  if (event.EventType === EventType.TimerFired && event.FireAt) {
    ms = Math.max(ms, Date.parse(event.FireAt));
  }
  return new Date(ms).toISOString();
}

/** An event that must not reach the orchestrator: a timer it canceled, or a result for an unknown id. */
export function isDiscardable(state: InstanceState, event: HistoryEvent): boolean {
  if (event.EventType === EventType.TimerFired) {
    return state.book.canceledTimers.includes(event.TimerId ?? -1) || !state.book.tasks[event.TimerId ?? -1];
  }
  return false;
}

function episodeRecord(state: InstanceState, consumed: number, appended: HistoryEvent[], now: string): EpisodeRecord {
  return {
    type: 'episode',
    consumed,
    appended,
    status: state.status,
    output: state.output,
    customStatus: state.customStatus,
    lastUpdatedTime: now,
  };
}

export function discardRecord(state: InstanceState, consumed: number): EpisodeRecord {
  return episodeRecord(state, consumed, [], state.lastUpdatedTime);
}

/** Episodes the host runs without the orchestrator: terminate, suspend, resume. */
export function controlRecord(state: InstanceState, consumed: number, now: string): EpisodeRecord | undefined {
  const event = state.inbox[consumed];
  switch (event.EventType) {
    case EventType.ExecutionTerminated: {
      const reason = event.Input ?? null;
      const completed = makeEvent(
        EventType.ExecutionCompleted,
        now,
        { OrchestrationStatus: OrchestrationStatus.Terminated, Result: reason, FailureDetails: null },
        state.book.nextSeq,
      );
      const appended = [
        makeEvent(EventType.OrchestratorStarted, now),
        event,
        completed,
        makeEvent(EventType.OrchestratorCompleted, now),
      ];
      return { ...episodeRecord(state, consumed, appended, now), status: 'Terminated', output: reason };
    }
    case EventType.ExecutionSuspended:
      return { ...episodeRecord(state, consumed, [event], now), status: 'Suspended' };
    case EventType.ExecutionResumed: {
      const started = state.history.some((e) => e.EventType === EventType.OrchestratorStarted);
      const status = state.status === 'Suspended' ? (started ? 'Running' : 'Pending') : state.status;
      return { ...episodeRecord(state, consumed, [event], now), status };
    }
    default:
      return undefined;
  }
}
