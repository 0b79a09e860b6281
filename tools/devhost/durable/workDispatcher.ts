import { FunctionIndex } from '../app/functionIndex';
import { Invoker } from '../invoke/invoker';
import { decodeActionInput } from './actions';
import { failureDetails, runActivity } from './activityCall';
import { WorkItem } from './episodePlan';
import { EventType, HistoryEvent, isTerminal, makeEvent } from './historyEvents';
import { InstanceSlot } from './instanceSlot';
import { InstanceState, ParentLink } from './instanceState';
import { InstanceStore } from './instanceStore';
import { Semaphore } from './semaphore';
import { TimerService } from './timerService';

/** The engine operations the dispatcher builds on. */
export interface DispatchHost {
  /** Persists an inbound event for an instance; false when it no longer applies. */
  enqueue(slot: InstanceSlot, event: HistoryEvent, executionId?: string): Promise<boolean>;
  slot(instanceId: string): InstanceSlot;
  find(instanceId: string): InstanceSlot | undefined;
  /** Creates (or recreates) an instance; must run on the slot's queue. */
  create(slot: InstanceSlot, name: string, input: string, parent?: ParentLink): Promise<void>;
  track(work: Promise<unknown>): void;
  isStopped(): boolean;
}

export interface DispatchDeps {
  functions: FunctionIndex;
  invoker: Invoker;
  store: InstanceStore;
  activities: Semaphore;
  timers: TimerService;
  /** The durable client binding's value, for activities that declare one. */
  durableClientValue?: () => unknown;
}

/** Sub-orchestration input as JSON text; shared by first start and restart-after-crash so both agree. */
function subOrchestrationInput(input: unknown): string {
  return JSON.stringify(input === undefined ? null : input);
}

export function timerKey(instanceId: string, executionId: string, seq: number): string {
  return `${instanceId}\n${executionId}\n${seq}`;
}

export function instanceTimerPrefix(instanceId: string): string {
  return `${instanceId}\n`;
}

/**
 * Starts the work an episode persisted (activities, timers, child instances) and routes results back as
 * inbox events. Never awaited from inside an instance queue: results go to other instances' queues.
 */
export class WorkDispatcher {
  constructor(
    private readonly host: DispatchHost,
    private readonly deps: DispatchDeps,
  ) {}

  dispatch(slot: InstanceSlot, executionId: string, work: WorkItem): void {
    if (this.host.isStopped()) return;
    switch (work.kind) {
      case 'activity':
        this.host.track(this.#runActivity(slot, executionId, work));
        break;
      case 'timer':
        this.deps.timers.arm(timerKey(slot.instanceId, executionId, work.seq), Date.parse(work.fireAt), () => {
          const event = makeEvent(EventType.TimerFired, new Date().toISOString(), {
            TimerId: work.seq,
            FireAt: work.fireAt,
          });
          this.host.track(this.host.enqueue(slot, event, executionId));
        });
        break;
      case 'subOrchestration':
        this.host.track(this.#startChild(slot, executionId, work));
        break;
    }
  }

  /** Reports a finished sub-orchestration to the parent task waiting for it. */
  notifyParent(child: InstanceState): void {
    const link = child.parent;
    const parentSlot = link ? this.host.find(link.instanceId) : undefined;
    if (!link || !parentSlot) return;
    const now = new Date().toISOString();
    const event =
      child.status === 'Completed'
        ? makeEvent(EventType.SubOrchestrationInstanceCompleted, now, {
            TaskScheduledId: link.taskScheduledId,
            Result: child.output,
          })
        : makeEvent(EventType.SubOrchestrationInstanceFailed, now, {
            TaskScheduledId: link.taskScheduledId,
            Reason: child.output ?? `Sub-orchestration '${child.instanceId}' ended as ${child.status}.`,
            Details: JSON.stringify({ InstanceId: child.instanceId, RuntimeStatus: child.status }),
          });
    this.host.track(this.host.enqueue(parentSlot, event, link.executionId));
  }

  /** Restarts everything an unfinished instance was waiting on when the previous process died. */
  recover(slot: InstanceSlot): void {
    const state = slot.state;
    if (!state) return;
    for (const [seqText, task] of Object.entries(state.book.tasks)) {
      const seq = Number(seqText);
      if (state.resolved.has(seq)) continue;
      if (task.kind === 'activity') {
        // At-least-once, like Azure: a scheduled activity without a persisted result runs again.
        this.dispatch(slot, state.executionId, {
          kind: 'activity',
          seq,
          name: task.name,
          input: decodeActionInput(task.input),
        });
      } else if (task.kind === 'timer') {
        if (!state.book.canceledTimers.includes(seq)) {
          this.dispatch(slot, state.executionId, { kind: 'timer', seq, fireAt: task.fireAt });
        }
      } else {
        const input = subOrchestrationInput(task.input);
        this.dispatch(slot, state.executionId, {
          kind: 'subOrchestration',
          seq,
          name: task.name,
          instanceId: task.instanceId,
          input,
        });
      }
    }
  }

  async #runActivity(
    slot: InstanceSlot,
    executionId: string,
    work: Extract<WorkItem, { kind: 'activity' }>,
  ): Promise<void> {
    const release = await this.deps.activities.acquire();
    let event: HistoryEvent;
    try {
      if (this.host.isStopped()) return;
      event = await runActivity(
        this.deps.invoker,
        this.deps.functions.get(work.name),
        work,
        slot.instanceId,
        this.deps.durableClientValue,
      );
    } finally {
      release();
    }
    await this.host.enqueue(slot, event, executionId);
  }

  async #startChild(
    parentSlot: InstanceSlot,
    executionId: string,
    work: Extract<WorkItem, { kind: 'subOrchestration' }>,
  ): Promise<void> {
    const parentName = parentSlot.summary?.name;
    if (parentName === undefined) return;
    const link: ParentLink = {
      instanceId: parentSlot.instanceId,
      executionId,
      taskScheduledId: work.seq,
      name: parentName,
    };
    const childSlot = this.host.slot(work.instanceId);
    const failParent = (reason: string): void => {
      const event = makeEvent(EventType.SubOrchestrationInstanceFailed, new Date().toISOString(), {
        TaskScheduledId: work.seq,
        Reason: reason,
        Details: failureDetails(new Error(reason)),
      });
      this.host.track(this.host.enqueue(parentSlot, event, executionId));
    };
    await childSlot.queue.run(async () => {
      const existing = childSlot.summary;
      const mine = childSlot.parent;
      if (
        existing &&
        mine?.instanceId === link.instanceId &&
        mine.executionId === link.executionId &&
        mine.taskScheduledId === link.taskScheduledId
      ) {
        // Created before a restart: a child that already finished still owes its parent the result.
        if (isTerminal(existing.status)) {
          const state = childSlot.state ?? (await this.deps.store.load(childSlot.instanceId));
          if (state) this.notifyParent(state);
        }
        return;
      }
      if (existing && !isTerminal(existing.status)) {
        failParent(`An Orchestration instance with the ID ${work.instanceId} already exists.`);
        return;
      }
      const fn = this.deps.functions.get(work.name);
      if (!fn || fn.triggerType !== 'orchestrationtrigger') {
        failParent(`The function '${work.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
        return;
      }
      await this.host.create(childSlot, fn.name, work.input, link);
    });
  }
}
