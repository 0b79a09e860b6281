import { ActionType, decodeActionInput, flattenActions, OrchestratorAction, OrchestratorStateWire } from './actions';
import { BookDelta, ExecutionBook, RetryInfo, TaskAllocation } from './executionBook';
import { EventType, HistoryEvent, makeEvent, OrchestrationStatus } from './historyEvents';
import { childInstanceId } from './instanceIds';
import { hasAttemptAfter, retryDelayMs } from './retry';
import { nextTimerSegment, parseTimeSpanMs, TimerLimits } from './timerLimits';

export type OrchestratorCallResult =
  { kind: 'ok'; state: OrchestratorStateWire } | { kind: 'failed'; error: string; customStatus?: unknown };

export interface EpisodeContext {
  instanceId: string;
  orchestratorName: string;
  /** How many ContinueAsNew preceded this execution. */
  generation: number;
  /** Timestamp of this episode's OrchestratorStarted event (the SDK's currentUtcDateTime). */
  now: string;
  book: ExecutionBook;
  /** The one inbound event this episode delivers. */
  delivered: HistoryEvent;
  limits: TimerLimits;
}

export type WorkItem =
  | { kind: 'activity'; seq: number; name: string; input: unknown }
  | { kind: 'timer'; seq: number; fireAt: string }
  | { kind: 'subOrchestration'; seq: number; name: string; instanceId: string; input: string };

export type EpisodeOutcome =
  | { kind: 'running' }
  | { kind: 'completed'; output: string | null }
  | { kind: 'continuedAsNew'; input: string }
  | { kind: 'failed'; output: string };

export interface EpisodePlan {
  delta: BookDelta;
  /** Events appended after the delivered one: scheduling events in id order, then any completion. */
  appended: HistoryEvent[];
  /** Work to start once the episode is persisted (empty for a finished execution). */
  work: WorkItem[];
  /** Timer ids to disarm. */
  canceled: number[];
  outcome: EpisodeOutcome;
  /** JSON text of the new custom status; undefined keeps the previous one (the SDK omits falsy values). */
  customStatus?: string;
}

const UNSUPPORTED: Partial<Record<ActionType, string>> = {
  [ActionType.CallEntity]: 'callEntity',
  [ActionType.SignalEntity]: 'signalEntity',
  [ActionType.ScheduledSignalEntity]: 'signalEntity',
  [ActionType.LockEntities]: 'lock',
  [ActionType.ReleaseEntities]: 'lock',
  [ActionType.CallHttp]: 'callHttp',
};

function jsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** Builds the episode's id assignments and host work; pure so that the bookkeeping is unit-testable. */
class Planner {
  readonly added: Record<number, TaskAllocation> = {};
  readonly appended: HistoryEvent[] = [];
  readonly work: WorkItem[] = [];
  readonly canceled: number[] = [];
  readonly canceledLeaves: number[] = [];
  nextSeq: number;
  readonly nowMs: number;

  constructor(private readonly ctx: EpisodeContext) {
    this.nextSeq = ctx.book.nextSeq;
    this.nowMs = Date.parse(ctx.now);
  }

  task(seq: number): TaskAllocation | undefined {
    return this.added[seq] ?? this.ctx.book.tasks[seq];
  }

  scheduleActivity(leaf: number, name: string, input: unknown, retry?: RetryInfo): void {
    const seq = this.nextSeq++;
    this.added[seq] = { kind: 'activity', leaf, name, input, retry };
    // Legacy protocol: TaskScheduled.Input is a JSON array holding the (SDK-encoded) input.
    const scheduledInput = JSON.stringify([input === undefined ? null : input]);
    this.appended.push(
      makeEvent(EventType.TaskScheduled, this.ctx.now, { Name: name, Version: '', Input: scheduledInput }, seq),
    );
    this.work.push({ kind: 'activity', seq, name, input: decodeActionInput(input) });
  }

  scheduleSubOrchestration(
    leaf: number,
    name: string,
    input: unknown,
    explicitId: string | undefined,
    retry?: RetryInfo,
  ): void {
    const seq = this.nextSeq++;
    const instanceId = explicitId || childInstanceId(this.ctx.instanceId, this.ctx.generation, seq);
    this.added[seq] = { kind: 'subOrchestration', leaf, name, instanceId, explicitId: !!explicitId, input, retry };
    const text = jsonText(input);
    this.appended.push(
      makeEvent(
        EventType.SubOrchestrationInstanceCreated,
        this.ctx.now,
        { Name: name, Version: '', InstanceId: instanceId, Input: text },
        seq,
      ),
    );
    this.work.push({ kind: 'subOrchestration', seq, name, instanceId, input: text });
  }

  scheduleTimer(
    leaf: number | null,
    fireAtMs: number,
    extra: { finalFireAt?: string; retryOf?: number },
    canceled = false,
  ): void {
    const seq = this.nextSeq++;
    const fireAt = new Date(fireAtMs).toISOString();
    this.added[seq] = { kind: 'timer', leaf, fireAt, ...extra };
    this.appended.push(makeEvent(EventType.TimerCreated, this.ctx.now, { FireAt: fireAt }, seq));
    if (canceled) {
      this.canceled.push(seq);
    } else {
      this.work.push({ kind: 'timer', seq, fireAt });
    }
  }

  /** Ids the SDK takes while processing the delivered event itself (retries, timer segments). */
  inventForDelivered(): void {
    const event = this.ctx.delivered;
    if (event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed) {
      const failed = this.task(event.TaskScheduledId ?? -1);
      if (failed && failed.kind !== 'timer' && failed.retry) {
        const delay = retryDelayMs(failed.retry.options, failed.retry.attempt);
        this.scheduleTimer(null, this.nowMs + delay, { retryOf: event.TaskScheduledId });
      }
      return;
    }
    if (event.EventType !== EventType.TimerFired) {
      return;
    }
    const timer = this.task(event.TimerId ?? -1);
    if (!timer || timer.kind !== 'timer') {
      return;
    }
    if (timer.retryOf !== undefined) {
      const failed = this.task(timer.retryOf);
      if (
        !failed ||
        failed.kind === 'timer' ||
        !failed.retry ||
        !hasAttemptAfter(failed.retry.options, failed.retry.attempt)
      ) {
        return;
      }
      const retry = { options: failed.retry.options, attempt: failed.retry.attempt + 1 };
      if (failed.kind === 'activity') {
        this.scheduleActivity(failed.leaf, failed.name, failed.input, retry);
      } else {
        this.scheduleSubOrchestration(
          failed.leaf,
          failed.name,
          failed.input,
          failed.explicitId ? failed.instanceId : undefined,
          retry,
        );
      }
    } else if (timer.finalFireAt !== undefined && Date.parse(timer.finalFireAt) > this.nowMs) {
      const next = nextTimerSegment(this.nowMs, Date.parse(timer.finalFireAt), this.ctx.limits);
      this.scheduleTimer(timer.leaf, next, { finalFireAt: timer.finalFireAt });
    }
  }

  /** Returns the name of an unsupported API if the orchestrator used one. */
  scheduleNewLeaves(leaves: OrchestratorAction[]): string | undefined {
    const maxShort = parseTimeSpanMs(this.ctx.limits.maximumShortTimerDuration);
    for (let leaf = this.ctx.book.leafCount; leaf < leaves.length; leaf++) {
      const action = leaves[leaf];
      const unsupported = UNSUPPORTED[action.actionType];
      if (unsupported) {
        return unsupported;
      }
      switch (action.actionType) {
        case ActionType.CallActivity:
        case ActionType.CallActivityWithRetry: {
          const retry = action.retryOptions ? { options: action.retryOptions, attempt: 1 } : undefined;
          this.scheduleActivity(leaf, action.functionName ?? '', action.input, retry);
          break;
        }
        case ActionType.CallSubOrchestrator:
        case ActionType.CallSubOrchestratorWithRetry: {
          const retry = action.retryOptions ? { options: action.retryOptions, attempt: 1 } : undefined;
          this.scheduleSubOrchestration(
            leaf,
            action.functionName ?? '',
            action.input,
            action.instanceId || undefined,
            retry,
          );
          break;
        }
        case ActionType.CreateTimer: {
          const finalMs = Date.parse(action.fireAt ?? this.ctx.now);
          // V3 schema: the SDK itself splits timers beyond the maximum short duration into segments.
          const isLong = finalMs - this.nowMs > maxShort;
          const fireMs = isLong ? nextTimerSegment(this.nowMs, finalMs, this.ctx.limits) : finalMs;
          const finalFireAt = isLong ? new Date(finalMs).toISOString() : undefined;
          this.scheduleTimer(leaf, fireMs, { finalFireAt }, action.isCanceled === true);
          if (action.isCanceled) {
            this.canceledLeaves.push(leaf);
          }
          break;
        }
        default:
          // WaitForExternalEvent and ContinueAsNew take no sequence id.
          break;
      }
    }
    return undefined;
  }

  /** A timer leaf flips to `isCanceled` in a later episode (e.g. the loser of a Task.any with a timeout). */
  cancelTimers(leaves: OrchestratorAction[]): void {
    const handled = new Set(this.ctx.book.canceledLeaves.concat(this.canceledLeaves));
    leaves.forEach((action, leaf) => {
      if (action.actionType !== ActionType.CreateTimer || !action.isCanceled || handled.has(leaf)) {
        return;
      }
      this.canceledLeaves.push(leaf);
      for (const [seqText, task] of Object.entries({ ...this.ctx.book.tasks, ...this.added })) {
        if (task.kind === 'timer' && task.leaf === leaf) {
          this.canceled.push(Number(seqText));
        }
      }
    });
  }

  completion(status: OrchestrationStatus, result: string | null): void {
    const type = status === OrchestrationStatus.ContinuedAsNew ? EventType.ContinueAsNew : EventType.ExecutionCompleted;
    this.appended.push(
      makeEvent(
        type,
        this.ctx.now,
        { OrchestrationStatus: status, Result: result, FailureDetails: null },
        this.nextSeq,
      ),
    );
  }

  plan(outcome: EpisodeOutcome, customStatus: unknown, leafCount: number): EpisodePlan {
    const finished = outcome.kind !== 'running';
    return {
      delta: {
        nextSeq: this.nextSeq,
        leafCount,
        added: this.added,
        canceledTimers: this.canceled,
        canceledLeaves: this.canceledLeaves,
      },
      appended: this.appended,
      // A finished execution starts nothing new: its pending tasks are abandoned, like in DTFx.
      work: finished ? [] : this.work,
      canceled: this.canceled,
      outcome,
      customStatus: customStatus === undefined || customStatus === null ? undefined : JSON.stringify(customStatus),
    };
  }
}

/**
 * Decides everything the host does after one orchestrator call: host-invented ids for the delivered event
 * first (retry timers/attempts, timer segments), then one id per new action leaf in order, then the outcome.
 */
export function planEpisode(ctx: EpisodeContext, result: OrchestratorCallResult): EpisodePlan {
  const planner = new Planner(ctx);
  if (result.kind === 'failed') {
    const output = `Orchestrator function '${ctx.orchestratorName}' failed: ${result.error}`;
    planner.completion(OrchestrationStatus.Failed, output);
    return planner.plan({ kind: 'failed', output }, result.customStatus, ctx.book.leafCount);
  }
  const { state } = result;
  planner.inventForDelivered();
  const leaves = flattenActions(state.actions);
  const unsupported = planner.scheduleNewLeaves(leaves);
  if (unsupported) {
    const output =
      `Orchestrator function '${ctx.orchestratorName}' failed: context.df.${unsupported}() is not supported by the ` +
      'local devhost (durable entities and durable HTTP are not emulated).';
    planner.completion(OrchestrationStatus.Failed, output);
    return planner.plan({ kind: 'failed', output }, state.customStatus, ctx.book.leafCount);
  }
  planner.cancelTimers(leaves);
  const leafCount = Math.max(ctx.book.leafCount, leaves.length);
  if (!state.isDone) {
    return planner.plan({ kind: 'running' }, state.customStatus, leafCount);
  }
  const continueAction = [...leaves].reverse().find((a) => a.actionType === ActionType.ContinueAsNew);
  if (continueAction) {
    const input = jsonText(decodeActionInput(continueAction.input));
    planner.completion(OrchestrationStatus.ContinuedAsNew, input);
    return planner.plan({ kind: 'continuedAsNew', input }, state.customStatus, leafCount);
  }
  const output = state.output === undefined ? null : JSON.stringify(state.output);
  planner.completion(OrchestrationStatus.Completed, output);
  return planner.plan({ kind: 'completed', output }, state.customStatus, leafCount);
}
