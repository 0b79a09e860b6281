import { FunctionIndex } from '../app/functionIndex';
import { Invoker } from '../invoke/invoker';
import { errorMessage, Logger } from '../logger';
import { decodeActionInput } from './actions';
import { failureDetails, runActivity } from './activityCall';
import { EpisodePlan, planEpisode, WorkItem } from './episodePlan';
import { controlRecord, discardRecord, episodeTime, isDiscardable, pickInboxEvent } from './episodeSelection';
import { badArgument, DurableApiError } from './errors';
import { EventType, HistoryEvent, isTerminal, makeEvent, resolvedTaskId, RuntimeStatus } from './historyEvents';
import { instanceIdError, newExecutionId, newInstanceId } from './instanceIds';
import { InstanceSlot } from './instanceSlot';
import { applyRecord, continuedSnapshot, InstanceState, LogRecord, newInstanceSnapshot, ParentLink, stateFromSnapshot } from './instanceState';
import { InstanceStore } from './instanceStore';
import { buildOrchestrationTrigger, callOrchestrator } from './orchestratorCall';
import { Semaphore } from './semaphore';
import { InstanceSummary } from './statusPayload';
import { TimerLimits } from './timerLimits';
import { TimerService } from './timerService';

export interface EngineOptions {
  store: InstanceStore;
  functions: FunctionIndex;
  invoker: Invoker;
  logger: Logger;
  limits: TimerLimits;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
}

export type ControlResult = 'accepted' | 'notFound' | 'gone';

const STOP_GRACE_MS = 5000;

/** Sub-orchestration input as JSON text; shared by first start and restart-after-crash so both agree. */
function subOrchestrationInput(input: unknown): string {
  return JSON.stringify(input === undefined ? null : input);
}

/**
 * The event-sourced orchestration engine. Each instance is a log of fsync'd records; an episode replays
 * history through the durable-functions orchestrator handler, persists what it decided, and only then starts
 * activities, timers and sub-orchestrations. On startup every unfinished instance resumes from its log.
 */
export class OrchestrationEngine {
  readonly #slots = new Map<string, InstanceSlot>();
  readonly #timers = new TimerService();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #activities: Semaphore;
  readonly #orchestrators: Semaphore;
  #stopped = false;

  constructor(private readonly options: EngineOptions) {
    this.#activities = new Semaphore(options.maxConcurrentActivityFunctions);
    this.#orchestrators = new Semaphore(options.maxConcurrentOrchestratorFunctions);
  }

  async start(): Promise<void> {
    await this.options.store.init();
    const states = await this.options.store.loadAll((file, err) =>
      this.options.logger.error(`Durable state file ${file} could not be read and is ignored: ${errorMessage(err)}`),
    );
    for (const state of states) {
      const slot = this.#slot(state.instanceId);
      slot.load(state);
      if (isTerminal(state.status)) slot.evict();
    }
    const active = states.filter((s) => !isTerminal(s.status));
    if (active.length > 0) {
      this.options.logger.info(`Resuming ${active.length} unfinished orchestration instance(s).`);
    }
    for (const state of active) {
      this.#recover(this.#slot(state.instanceId));
    }
  }

  /** Stops timers and new work; in-flight results that arrive later are not persisted and re-run next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.cancelAll();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inflight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  // ---- client operations (HTTP management API and durable client) ----

  isOrchestrator(name: string): boolean {
    return this.options.functions.get(name)?.triggerType === 'orchestrationtrigger';
  }

  /** Creates an instance; rejects ids that are Pending/Running/Suspended, like the default dedupe states. */
  async startNew(name: string, instanceId: string | undefined, input: string, parent?: ParentLink): Promise<string> {
    const fn = this.options.functions.get(name);
    if (!fn || fn.triggerType !== 'orchestrationtrigger') {
      throw badArgument(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const id = instanceId ?? newInstanceId();
    const idError = instanceIdError(id);
    if (idError) throw badArgument(idError);
    const slot = this.#slot(id);
    return slot.queue.run(async () => {
      if (slot.summary && !isTerminal(slot.summary.status)) {
        throw new DurableApiError(409, `An Orchestration instance with the ID ${id} already exists.`);
      }
      await this.#create(slot, fn.name, input, parent);
      return id;
    });
  }

  async raiseEvent(instanceId: string, eventName: string, input: string | null): Promise<ControlResult> {
    const event = makeEvent(EventType.EventRaised, new Date().toISOString(), { Name: eventName, Input: input });
    return this.#control(instanceId, event);
  }

  async terminate(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(instanceId, makeEvent(EventType.ExecutionTerminated, new Date().toISOString(), { Input: reason }));
  }

  async suspend(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(instanceId, makeEvent(EventType.ExecutionSuspended, new Date().toISOString(), { Reason: reason }));
  }

  async resume(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(instanceId, makeEvent(EventType.ExecutionResumed, new Date().toISOString(), { Reason: reason }));
  }

  getSummary(instanceId: string): InstanceSummary | undefined {
    return this.#slots.get(instanceId)?.summary;
  }

  summaries(): InstanceSummary[] {
    const out: InstanceSummary[] = [];
    for (const slot of this.#slots.values()) {
      if (slot.summary) out.push(slot.summary);
    }
    return out;
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[] | undefined> {
    const slot = this.#slots.get(instanceId);
    if (!slot?.summary) return undefined;
    return slot.queue.run(async () => {
      const history = slot.state?.history ?? (await this.options.store.load(instanceId))?.history;
      return history ? [...history] : undefined;
    });
  }

  /** Deletes state and history; returns false when there was no such instance. */
  async purge(instanceId: string): Promise<boolean> {
    const slot = this.#slots.get(instanceId);
    if (!slot?.summary) return false;
    return slot.queue.run(async () => {
      if (!slot.summary) return false;
      await this.options.store.remove(instanceId);
      this.#timers.cancelWhere((key) => key.startsWith(`${instanceId}\n`));
      slot.clear();
      this.#slots.delete(instanceId);
      return true;
    });
  }

  // ---- internals ----

  #slot(instanceId: string): InstanceSlot {
    let slot = this.#slots.get(instanceId);
    if (!slot) {
      slot = new InstanceSlot(instanceId);
      this.#slots.set(instanceId, slot);
    }
    return slot;
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch((err: unknown) => this.options.logger.error(`Durable engine: ${errorMessage(err)}`));
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  async #create(slot: InstanceSlot, name: string, input: string, parent?: ParentLink): Promise<void> {
    const snapshot = newInstanceSnapshot({
      instanceId: slot.instanceId,
      name,
      input,
      executionId: newExecutionId(),
      now: new Date().toISOString(),
      parent,
    });
    await this.options.store.writeSnapshot(snapshot);
    this.#timers.cancelWhere((key) => key.startsWith(`${slot.instanceId}\n`));
    slot.load(stateFromSnapshot(snapshot));
    this.#scheduleDrain(slot);
  }

  async #control(instanceId: string, event: HistoryEvent): Promise<ControlResult> {
    const slot = this.#slots.get(instanceId);
    if (!slot?.summary) return 'notFound';
    if (isTerminal(slot.summary.status)) return 'gone';
    const accepted = await this.#enqueue(slot, event);
    return accepted ? 'accepted' : 'gone';
  }

  /** Persists an inbound event (fsync) before anything acts on it; drops results for other executions. */
  async #enqueue(slot: InstanceSlot, event: HistoryEvent, executionId?: string): Promise<boolean> {
    return slot.queue.run(async () => {
      const state = slot.state;
      if (this.#stopped || !state || isTerminal(state.status)) return false;
      if (executionId !== undefined && executionId !== state.executionId) return false;
      const taskId = resolvedTaskId(event);
      if (taskId !== undefined && state.resolved.has(taskId)) return false;
      await this.#commit(slot, { type: 'inbox', event });
      this.#scheduleDrain(slot);
      return true;
    });
  }

  async #commit(slot: InstanceSlot, record: LogRecord): Promise<void> {
    await this.options.store.append(slot.instanceId, [record]);
    slot.load(applyRecord(slot.state, record));
  }

  #scheduleDrain(slot: InstanceSlot): void {
    slot.wake = true;
    if (slot.draining || this.#stopped) return;
    slot.draining = true;
    this.#track(
      (async () => {
        try {
          while (!this.#stopped) {
            slot.wake = false;
            const progressed = await slot.queue.run(() => this.#episode(slot));
            if (!progressed && !slot.wake) break;
          }
        } finally {
          slot.draining = false;
        }
      })(),
    );
  }

  /** Runs one episode for the next inbox event; returns false when there was nothing to do. */
  async #episode(slot: InstanceSlot): Promise<boolean> {
    const state = slot.state;
    if (!state || this.#stopped) return false;
    const index = pickInboxEvent(state);
    if (index === undefined) return false;
    const event = state.inbox[index];
    if (isDiscardable(state, event)) {
      await this.#commit(slot, discardRecord(state, index));
      return true;
    }
    const now = episodeTime(state, event);
    const control = controlRecord(state, index, now);
    if (control) {
      await this.#commit(slot, control);
      if (isTerminal(state.status)) this.#finish(slot, state);
      return true;
    }
    await this.#orchestratorEpisode(slot, state, index, now);
    return true;
  }

  async #orchestratorEpisode(slot: InstanceSlot, state: InstanceState, index: number, now: string): Promise<void> {
    const delivered = state.inbox[index];
    const started = makeEvent(EventType.OrchestratorStarted, now);
    const fn = this.options.functions.get(state.name);
    const limits = this.options.limits;
    let result: Parameters<typeof planEpisode>[1];
    if (!fn || fn.triggerType !== 'orchestrationtrigger') {
      result = { kind: 'failed', error: `The function '${state.name}' doesn't exist, is disabled, or is not an orchestrator function.` };
    } else {
      const trigger = buildOrchestrationTrigger({
        instanceId: state.instanceId,
        parentInstanceId: state.parent?.instanceId ?? null,
        input: state.input,
        history: [...state.history, started, delivered],
        newEventsFrom: state.history.length,
        limits,
      });
      result = await this.#orchestrators.use(() => callOrchestrator(this.options.invoker, fn, trigger, state.instanceId));
    }
    const plan = planEpisode(
      {
        instanceId: state.instanceId,
        orchestratorName: state.name,
        generation: state.generation,
        now,
        book: state.book,
        delivered,
        limits,
      },
      result,
    );
    if (plan.outcome.kind === 'continuedAsNew') {
      await this.#continueAsNew(slot, state, index, plan, plan.outcome.input, now);
      return;
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
    const executionId = state.executionId;
    await this.#commit(slot, record);
    for (const seq of plan.canceled) {
      this.#timers.cancel(this.#timerKey(slot.instanceId, executionId, seq));
    }
    for (const work of plan.work) {
      this.#dispatch(slot, executionId, work);
    }
    if (isTerminal(status)) this.#finish(slot, state);
  }

  async #continueAsNew(slot: InstanceSlot, state: InstanceState, index: number, plan: EpisodePlan, input: string, now: string): Promise<void> {
    const remaining = { ...state, inbox: state.inbox.filter((_, i) => i !== index), customStatus: plan.customStatus ?? state.customStatus };
    const snapshot = continuedSnapshot(remaining, input, newExecutionId(), now);
    // A fresh log replaces the old one atomically: the finished execution's history is not kept (as in DTFx).
    await this.options.store.writeSnapshot(snapshot);
    this.#timers.cancelWhere((key) => key.startsWith(`${slot.instanceId}\n`));
    slot.load(stateFromSnapshot(snapshot));
    this.#scheduleDrain(slot);
  }

  /** After a terminal transition: disarm timers, report to a waiting parent, free the history. */
  #finish(slot: InstanceSlot, state: InstanceState): void {
    this.#timers.cancelWhere((key) => key.startsWith(`${slot.instanceId}\n`));
    this.#notifyParent(state);
    slot.evict();
  }

  #notifyParent(child: InstanceState): void {
    const link = child.parent;
    const parentSlot = link ? this.#slots.get(link.instanceId) : undefined;
    if (!link || !parentSlot) return;
    const now = new Date().toISOString();
    const event =
      child.status === 'Completed'
        ? makeEvent(EventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: link.taskScheduledId, Result: child.output })
        : makeEvent(EventType.SubOrchestrationInstanceFailed, now, {
            TaskScheduledId: link.taskScheduledId,
            Reason: child.output ?? `Sub-orchestration '${child.instanceId}' ended as ${child.status}.`,
            Details: JSON.stringify({ InstanceId: child.instanceId, RuntimeStatus: child.status }),
          });
    // Not awaited: the parent's queue may be busy, and this runs inside the child's queue.
    this.#track(this.#enqueue(parentSlot, event, link.executionId));
  }

  #timerKey(instanceId: string, executionId: string, seq: number): string {
    return `${instanceId}\n${executionId}\n${seq}`;
  }

  /** Starts persisted work; never awaited from inside a queue (other instances' queues may be involved). */
  #dispatch(slot: InstanceSlot, executionId: string, work: WorkItem): void {
    if (this.#stopped) return;
    switch (work.kind) {
      case 'activity':
        this.#track(this.#runActivity(slot, executionId, work));
        break;
      case 'timer': {
        const event = makeEvent(EventType.TimerFired, work.fireAt, { TimerId: work.seq, FireAt: work.fireAt });
        this.#timers.arm(this.#timerKey(slot.instanceId, executionId, work.seq), Date.parse(work.fireAt), () => {
          this.#track(this.#enqueue(slot, { ...event, Timestamp: new Date().toISOString() }, executionId));
        });
        break;
      }
      case 'subOrchestration':
        this.#track(this.#startChild(slot, executionId, work));
        break;
    }
  }

  async #runActivity(slot: InstanceSlot, executionId: string, work: Extract<WorkItem, { kind: 'activity' }>): Promise<void> {
    const release = await this.#activities.acquire();
    let event: HistoryEvent;
    try {
      if (this.#stopped) return;
      event = await runActivity(this.options.invoker, this.options.functions.get(work.name), work, slot.instanceId);
    } finally {
      release();
    }
    await this.#enqueue(slot, event, executionId);
  }

  async #startChild(parentSlot: InstanceSlot, executionId: string, work: Extract<WorkItem, { kind: 'subOrchestration' }>): Promise<void> {
    const parentName = parentSlot.summary?.name;
    if (parentName === undefined) return;
    const link: ParentLink = { instanceId: parentSlot.instanceId, executionId, taskScheduledId: work.seq, name: parentName };
    const childSlot = this.#slot(work.instanceId);
    const sameLink = (other: ParentLink | undefined): boolean =>
      !!other && other.instanceId === link.instanceId && other.executionId === link.executionId && other.taskScheduledId === link.taskScheduledId;
    const failParent = (reason: string): void => {
      const event = makeEvent(EventType.SubOrchestrationInstanceFailed, new Date().toISOString(), {
        TaskScheduledId: work.seq,
        Reason: reason,
        Details: failureDetails(new Error(reason)),
      });
      this.#track(this.#enqueue(parentSlot, event, executionId));
    };
    await childSlot.queue.run(async () => {
      const existing = childSlot.summary;
      if (existing && sameLink(childSlot.parent)) {
        // Created before a restart: a finished child still owes its parent the result.
        if (isTerminal(existing.status)) {
          const state = childSlot.state ?? (await this.options.store.load(childSlot.instanceId));
          if (state) this.#notifyParent(state);
        }
        return;
      }
      if (existing && !isTerminal(existing.status)) {
        failParent(`An Orchestration instance with the ID ${work.instanceId} already exists.`);
        return;
      }
      if (!this.isOrchestrator(work.name)) {
        failParent(`The function '${work.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
        return;
      }
      await this.#create(childSlot, this.options.functions.get(work.name)?.name ?? work.name, work.input, link);
    });
  }

  /** Restarts everything an unfinished instance was waiting on when the previous process died. */
  #recover(slot: InstanceSlot): void {
    const state = slot.state;
    if (!state) return;
    const executionId = state.executionId;
    for (const [seqText, task] of Object.entries(state.book.tasks)) {
      const seq = Number(seqText);
      if (state.resolved.has(seq)) continue;
      if (task.kind === 'activity') {
        // At-least-once, like Azure: a scheduled activity without a persisted result runs again.
        this.#dispatch(slot, executionId, { kind: 'activity', seq, name: task.name, input: decodeActionInput(task.input) });
      } else if (task.kind === 'timer') {
        if (!state.book.canceledTimers.includes(seq)) {
          this.#dispatch(slot, executionId, { kind: 'timer', seq, fireAt: task.fireAt });
        }
      } else {
        this.#dispatch(slot, executionId, {
          kind: 'subOrchestration',
          seq,
          name: task.name,
          instanceId: task.instanceId,
          input: subOrchestrationInput(task.input),
        });
      }
    }
    if (state.inbox.length > 0) this.#scheduleDrain(slot);
  }
}
