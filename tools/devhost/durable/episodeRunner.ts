import { FunctionIndex } from '../app/functionIndex';
import { Invoker } from '../invoke/invoker';
import { EpisodePlan, OrchestratorCallResult, planEpisode, WorkItem } from './episodePlan';
import { controlRecord, discardRecord, episodeTime, isDiscardable, pickInboxEvent } from './episodeSelection';
import { EventType, HistoryEvent, isTerminal, makeEvent, RuntimeStatus } from './historyEvents';
import { newExecutionId } from './instanceIds';
import { InstanceSlot } from './instanceSlot';
import { continuedSnapshot, InstanceState, LogRecord, stateFromSnapshot } from './instanceState';
import { InstanceStore } from './instanceStore';
import { buildOrchestrationTrigger, callOrchestrator } from './orchestratorCall';
import { Semaphore } from './semaphore';
import { TimerLimits } from './timerLimits';

export interface EpisodeDeps {
  store: InstanceStore;
  functions: FunctionIndex;
  invoker: Invoker;
  limits: TimerLimits;
  orchestrators: Semaphore;
}

/** What the engine must do once an episode is persisted. */
export type EpisodeResult =
  | { kind: 'idle' }
  | {
      kind: 'ran';
      executionId: string;
      work: WorkItem[];
      canceled: number[];
      /** A new execution replaced the old one (ContinueAsNew): the old one's timers are void. */
      newExecution: boolean;
      /** Set when the instance reached a terminal state. */
      finished?: InstanceState;
    };

const nothingToStart = (state: InstanceState): EpisodeResult => ({
  kind: 'ran',
  executionId: state.executionId,
  work: [],
  canceled: [],
  newExecution: false,
  finished: isTerminal(state.status) ? state : undefined,
});

async function callFor(
  state: InstanceState,
  started: HistoryEvent,
  index: number,
  deps: EpisodeDeps,
): Promise<OrchestratorCallResult> {
  const fn = deps.functions.get(state.name);
  if (!fn || fn.triggerType !== 'orchestrationtrigger') {
    return {
      kind: 'failed',
      error: `The function '${state.name}' doesn't exist, is disabled, or is not an orchestrator function.`,
    };
  }
  const trigger = buildOrchestrationTrigger({
    instanceId: state.instanceId,
    parentInstanceId: state.parent?.instanceId ?? null,
    input: state.input,
    history: [...state.history, started, state.inbox[index]],
    newEventsFrom: state.history.length,
    limits: deps.limits,
  });
  return deps.orchestrators.use(() => callOrchestrator(deps.invoker, fn, trigger, state.instanceId));
}

async function continueAsNew(
  slot: InstanceSlot,
  state: InstanceState,
  index: number,
  plan: EpisodePlan,
  input: string,
  now: string,
  deps: EpisodeDeps,
): Promise<EpisodeResult> {
  const remaining = {
    ...state,
    inbox: state.inbox.filter((_, i) => i !== index),
    customStatus: plan.customStatus ?? state.customStatus,
  };
  const snapshot = continuedSnapshot(remaining, input, newExecutionId(), now);
  // A fresh log replaces the old one atomically: the finished execution's history is not kept (as in DTFx).
  await deps.store.writeSnapshot(snapshot);
  slot.load(stateFromSnapshot(snapshot));
  return { kind: 'ran', executionId: snapshot.executionId, work: [], canceled: [], newExecution: true };
}

/**
 * Runs the next episode of an instance (must be called on the instance's queue): picks one inbox event,
 * replays history plus that event through the orchestrator, plans ids and work, and persists the outcome.
 * Nothing is started here; the caller dispatches the returned work only after the record is on disk.
 */
export async function runNextEpisode(slot: InstanceSlot, deps: EpisodeDeps): Promise<EpisodeResult> {
  const state = slot.state;
  const index = state ? pickInboxEvent(state) : undefined;
  if (!state || index === undefined) {
    return { kind: 'idle' };
  }
  const delivered = state.inbox[index];
  if (isDiscardable(state, delivered)) {
    await slot.commit(deps.store, discardRecord(state, index));
    return nothingToStart(state);
  }
  const now = episodeTime(state, delivered);
  const control = controlRecord(state, index, now);
  if (control) {
    await slot.commit(deps.store, control);
    return nothingToStart(state);
  }

  const started = makeEvent(EventType.OrchestratorStarted, now);
  const result = await callFor(state, started, index, deps);
  const plan = planEpisode(
    {
      instanceId: state.instanceId,
      orchestratorName: state.name,
      generation: state.generation,
      now,
      book: state.book,
      delivered,
      limits: deps.limits,
    },
    result,
  );
  if (plan.outcome.kind === 'continuedAsNew') {
    return continueAsNew(slot, state, index, plan, plan.outcome.input, now, deps);
  }
  const status: RuntimeStatus =
    plan.outcome.kind === 'completed' ? 'Completed' : plan.outcome.kind === 'failed' ? 'Failed' : 'Running';
  const record: LogRecord = {
    type: 'episode',
    consumed: index,
    appended: [started, delivered, ...plan.appended, makeEvent(EventType.OrchestratorCompleted, now)],
    status,
    output: plan.outcome.kind === 'running' ? null : plan.outcome.output,
    customStatus: plan.customStatus ?? state.customStatus,
    lastUpdatedTime: now,
    delta: plan.delta,
  };
  await slot.commit(deps.store, record);
  return {
    kind: 'ran',
    executionId: state.executionId,
    work: plan.work,
    canceled: plan.canceled,
    newExecution: false,
    finished: isTerminal(status) ? state : undefined,
  };
}
