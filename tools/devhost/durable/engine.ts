import { FunctionIndex } from '../app/functionIndex';
import { Invoker } from '../invoke/invoker';
import { errorMessage, Logger } from '../logger';
import { runNextEpisode } from './episodeRunner';
import { badArgument, DurableApiError } from './errors';
import { EventType, HistoryEvent, isTerminal, makeEvent, resolvedTaskId } from './historyEvents';
import { instanceIdError, newExecutionId, newInstanceId } from './instanceIds';
import { InstanceSlot } from './instanceSlot';
import { newInstanceSnapshot, ParentLink, stateFromSnapshot } from './instanceState';
import { InstanceStore } from './instanceStore';
import { Semaphore } from './semaphore';
import { InstanceSummary } from './statusPayload';
import { TimerLimits } from './timerLimits';
import { TimerService } from './timerService';
import { DispatchHost, instanceTimerPrefix, timerKey, WorkDispatcher } from './workDispatcher';

export interface EngineOptions {
  store: InstanceStore;
  functions: FunctionIndex;
  invoker: Invoker;
  logger: Logger;
  limits: TimerLimits;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** The durable client binding's value, for activities that declare one. */
  durableClientValue?: () => unknown;
}

export type ControlResult = 'accepted' | 'notFound' | 'gone';

const STOP_GRACE_MS = 5000;

/**
 * The event-sourced orchestration engine. Each instance is a log of fsync'd records; an episode replays
 * history through the durable-functions orchestrator handler, persists what it decided, and only then starts
 * activities, timers and sub-orchestrations. On startup every unfinished instance resumes from its log.
 */
export class OrchestrationEngine implements DispatchHost {
  readonly #slots = new Map<string, InstanceSlot>();
  readonly #timers = new TimerService();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #orchestrators: Semaphore;
  readonly #dispatcher: WorkDispatcher;
  #stopped = false;

  constructor(private readonly options: EngineOptions) {
    this.#orchestrators = new Semaphore(options.maxConcurrentOrchestratorFunctions);
    this.#dispatcher = new WorkDispatcher(this, {
      functions: options.functions,
      invoker: options.invoker,
      store: options.store,
      activities: new Semaphore(options.maxConcurrentActivityFunctions),
      timers: this.#timers,
      durableClientValue: options.durableClientValue,
    });
  }

  async start(): Promise<void> {
    await this.options.store.init();
    const states = await this.options.store.loadAll((file, err) =>
      this.options.logger.error(`Durable state file ${file} could not be read and is ignored: ${errorMessage(err)}`),
    );
    for (const state of states) {
      const slot = this.slot(state.instanceId);
      slot.load(state);
      if (isTerminal(state.status)) slot.evict();
    }
    // Only once every instance is known: recovery may look up children and parents.
    const active = [...this.#slots.values()].filter((slot) => slot.state);
    if (active.length > 0) {
      this.options.logger.info(`Resuming ${active.length} unfinished orchestration instance(s).`);
    }
    for (const slot of active) {
      this.#dispatcher.recover(slot);
      if (slot.state && slot.state.inbox.length > 0) this.#scheduleDrain(slot);
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

  /** Creates an instance; rejects ids that are Pending/Running/Suspended, like the default dedupe states. */
  async startNew(name: string, instanceId: string | undefined, input: string): Promise<string> {
    const fn = this.options.functions.get(name);
    if (!fn || fn.triggerType !== 'orchestrationtrigger') {
      throw badArgument(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const id = instanceId ?? newInstanceId();
    const idError = instanceIdError(id);
    if (idError) throw badArgument(idError);
    const slot = this.slot(id);
    return slot.queue.run(async () => {
      if (slot.summary && !isTerminal(slot.summary.status)) {
        throw new DurableApiError(409, `An Orchestration instance with the ID ${id} already exists.`);
      }
      await this.create(slot, fn.name, input);
      return id;
    });
  }

  async raiseEvent(instanceId: string, eventName: string, input: string | null): Promise<ControlResult> {
    return this.#control(
      instanceId,
      makeEvent(EventType.EventRaised, new Date().toISOString(), { Name: eventName, Input: input }),
    );
  }

  async terminate(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(
      instanceId,
      makeEvent(EventType.ExecutionTerminated, new Date().toISOString(), { Input: reason }),
    );
  }

  async suspend(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(
      instanceId,
      makeEvent(EventType.ExecutionSuspended, new Date().toISOString(), { Reason: reason }),
    );
  }

  async resume(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.#control(
      instanceId,
      makeEvent(EventType.ExecutionResumed, new Date().toISOString(), { Reason: reason }),
    );
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
      this.#timers.cancelWhere((key) => key.startsWith(instanceTimerPrefix(instanceId)));
      slot.clear();
      this.#slots.delete(instanceId);
      return true;
    });
  }

  // ---- DispatchHost ----

  slot(instanceId: string): InstanceSlot {
    let slot = this.#slots.get(instanceId);
    if (!slot) {
      slot = new InstanceSlot(instanceId);
      this.#slots.set(instanceId, slot);
    }
    return slot;
  }

  find(instanceId: string): InstanceSlot | undefined {
    return this.#slots.get(instanceId);
  }

  track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.options.logger.error(`Durable engine: ${errorMessage(err)}`));
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  isStopped(): boolean {
    return this.#stopped;
  }

  async create(slot: InstanceSlot, name: string, input: string, parent?: ParentLink): Promise<void> {
    const snapshot = newInstanceSnapshot({
      instanceId: slot.instanceId,
      name,
      input,
      executionId: newExecutionId(),
      now: new Date().toISOString(),
      parent,
    });
    await this.options.store.writeSnapshot(snapshot);
    this.#timers.cancelWhere((key) => key.startsWith(instanceTimerPrefix(slot.instanceId)));
    slot.load(stateFromSnapshot(snapshot));
    this.#scheduleDrain(slot);
  }

  /** Persists an inbound event (fsync) before anything acts on it; drops results for other executions. */
  async enqueue(slot: InstanceSlot, event: HistoryEvent, executionId?: string): Promise<boolean> {
    return slot.queue.run(async () => {
      const state = slot.state;
      if (this.#stopped || !state || isTerminal(state.status)) return false;
      if (executionId !== undefined && executionId !== state.executionId) return false;
      const taskId = resolvedTaskId(event);
      if (taskId !== undefined && state.resolved.has(taskId)) return false;
      await slot.commit(this.options.store, { type: 'inbox', event });
      this.#scheduleDrain(slot);
      return true;
    });
  }

  // ---- internals ----

  async #control(instanceId: string, event: HistoryEvent): Promise<ControlResult> {
    const slot = this.#slots.get(instanceId);
    if (!slot?.summary) return 'notFound';
    if (isTerminal(slot.summary.status)) return 'gone';
    return (await this.enqueue(slot, event)) ? 'accepted' : 'gone';
  }

  /** One drain loop per instance; `wake` makes it take another turn when events arrive meanwhile. */
  #scheduleDrain(slot: InstanceSlot): void {
    slot.wake = true;
    if (slot.draining || this.#stopped) return;
    slot.draining = true;
    this.track(
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

  async #episode(slot: InstanceSlot): Promise<boolean> {
    if (this.#stopped) return false;
    const result = await runNextEpisode(slot, {
      store: this.options.store,
      functions: this.options.functions,
      invoker: this.options.invoker,
      limits: this.options.limits,
      orchestrators: this.#orchestrators,
    });
    if (result.kind === 'idle') return false;
    if (result.newExecution) {
      this.#timers.cancelWhere((key) => key.startsWith(instanceTimerPrefix(slot.instanceId)));
    }
    for (const seq of result.canceled) {
      this.#timers.cancel(timerKey(slot.instanceId, result.executionId, seq));
    }
    for (const work of result.work) {
      this.#dispatcher.dispatch(slot, result.executionId, work);
    }
    if (result.finished) {
      // Terminal: disarm timers, report to a waiting parent, free the history (it stays on disk).
      this.#timers.cancelWhere((key) => key.startsWith(instanceTimerPrefix(slot.instanceId)));
      this.#dispatcher.notifyParent(result.finished);
      slot.evict();
    }
    return true;
  }
}
