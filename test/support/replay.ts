/**
 * Replays the REAL durable-functions orchestrator handler without a host: histories are built by the devhost's
 * pure pieces (trigger builder + planEpisode), one delivered event per episode, on a virtual clock. Activities are
 * plain functions; sub-orchestrations are either replayed the same way (`orchestrators`) or answered by plain
 * functions (`subOrchestrations`); continue-as-new starts the next execution with the new input.
 *
 * Everything the orchestrators decide is recorded: every scheduled activity, sub-orchestration and timer with its
 * input (`calls`, in scheduling order, across all instances) and every change of custom status (`statuses`).
 *
 * Limits: work runs as soon as it is scheduled (a sub-orchestration to its end) and its result comes back in the
 * order the work was scheduled, unless `latency` holds an activity's result back on the virtual clock (then results
 * can arrive out of order). Crashes and duplicate deliveries are not simulated.
 */
import * as df from 'durable-functions';
import { OrchestrationContext } from 'durable-functions';
import { OrchestratorStateWire } from '../../tools/devhost/durable/actions';
import { OrchestratorCallResult, planEpisode } from '../../tools/devhost/durable/episodePlan';
import { applyBookDelta, emptyBook, ExecutionBook } from '../../tools/devhost/durable/executionBook';
import { EventType, HistoryEvent, makeEvent } from '../../tools/devhost/durable/historyEvents';
import { buildOrchestrationTrigger, parseOrchestratorFailure } from '../../tools/devhost/durable/orchestratorCall';
import { AZURE_STORAGE_TIMER_LIMITS, TimerLimits } from '../../tools/devhost/durable/timerLimits';

export type OrchestratorFn = (context: OrchestrationContext) => Iterator<unknown, unknown, unknown>;
/** An activity in the simulation: gets the input as the real one would (after JSON), may be async; throw to fail. */
export type ActivityFn = (input: any) => unknown;
/** A sub-orchestration answered by a function: its return value is the output; throw to fail it. */
export type SubOrchestrationFn = (input: any, instanceId: string) => unknown;

type Handler = (trigger: unknown, context: unknown) => Promise<unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOrchestrator } = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator: (fn: OrchestratorFn) => Handler;
};

export interface SimulateOptions {
  /** The orchestrator's registered name (appears in failure messages). Default `Sim`. */
  name?: string;
  /** Default `sim`. */
  instanceId?: string;
  limits?: TimerLimits;
  /** External events raised after the given episode (counted over the whole instance). */
  events?: { afterEpisode: number; name: string; data: unknown }[];
  /** Sub-orchestrators replayed like the parent, with the same activities. */
  orchestrators?: Record<string, OrchestratorFn>;
  /** Sub-orchestrations answered by plain functions (checked before `orchestrators`). */
  subOrchestrations?: Record<string, SubOrchestrationFn>;
  /** Executions of one instance (1 + continue-as-new count) before the simulation stops. Default 20. */
  maxGenerations?: number;
  /** Episodes of one execution before the simulation gives up (`runaway`). Default 2000. */
  maxEpisodes?: number;
  /** Virtual time at the start. Default 2024-01-01T00:00:00.000Z. */
  start?: string;
  /** Virtual milliseconds every episode takes. Default 1. */
  episodeMs?: number;
  /**
   * Virtual milliseconds an activity's result (success or failure) takes to arrive; 0 or undefined: at once. Held
   * back results arrive, like timers, in time order once nothing else is waiting.
   */
  latency?: (call: ScheduledCall) => number | undefined;
}

export interface ScheduledCall {
  /** The instance that scheduled it. */
  instanceId: string;
  /** Its execution: 0, then one more per continue-as-new. */
  generation: number;
  kind: 'activity' | 'subOrchestration' | 'timer';
  /** Activity or orchestrator name; empty for timers. */
  name: string;
  /** As the callee receives it (JSON round-tripped); undefined for timers. */
  input: unknown;
  /** Sub-orchestrations: the child's instance id. */
  childInstanceId?: string;
  /** Timers: when they fire. */
  fireAt?: string;
}

export interface StatusUpdate {
  instanceId: string;
  generation: number;
  status: unknown;
}

export interface LogEntry {
  instanceId: string;
  level: string;
  message: string;
}

export type SimulationOutcome = 'completed' | 'failed' | 'continuedAsNew' | 'stuck' | 'runaway';

export interface SimulationResult {
  instanceId: string;
  outcome: SimulationOutcome;
  /** JSON text of the output (completed), the failure message (failed), or the next input (continuedAsNew). */
  output: unknown;
  /** History of the last execution. */
  history: HistoryEvent[];
  /** How many events each execution's history held at its end (one entry per execution, in order). */
  historyLengths: number[];
  /** Episodes over all executions of this instance. */
  episodes: number;
  /** The input of every execution, in order (more than one after continue-as-new). */
  inputs: unknown[];
  /** Everything scheduled, by this instance and every sub-orchestration replayed under it, in order. */
  calls: ScheduledCall[];
  /** Changes of custom status, of this instance and its replayed sub-orchestrations, in order. */
  statuses: StatusUpdate[];
  /** What the orchestrators logged through their InvocationContext (context.log, context.error, …), in order. */
  logs: LogEntry[];
  /** This instance's last custom status. */
  customStatus: unknown;
  /** Results of the sub-orchestrations replayed under this instance (also nested ones), by instance id. */
  children: Record<string, SimulationResult>;
}

interface Shared {
  clock: number;
  episodeMs: number;
  calls: ScheduledCall[];
  statuses: StatusUpdate[];
  logs: LogEntry[];
  children: Record<string, SimulationResult>;
  activities: Record<string, ActivityFn>;
  options: SimulateOptions;
}

const roundTrip = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const jsonText = (value: unknown): string => JSON.stringify(value === undefined ? null : value);
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Stand-in for the extension's JSON dump of the exception, as the devhost sends it. */
function failureDetails(err: unknown): string {
  const error = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({ ClassName: error.name, Message: error.message, StackTraceString: error.stack ?? null });
}

/** Runs one instance (all its executions) to its end; sub-orchestrations run to their end when scheduled. */
async function runInstance(
  shared: Shared,
  orchestrator: OrchestratorFn,
  name: string,
  instanceId: string,
  parentInstanceId: string | null,
  firstInput: string,
): Promise<SimulationResult> {
  const { options } = shared;
  const limits = options.limits ?? AZURE_STORAGE_TIMER_LIMITS;
  const maxGenerations = options.maxGenerations ?? 20;
  const maxEpisodes = options.maxEpisodes ?? 2000;
  const handler = createOrchestrator(orchestrator);
  const iso = () => new Date(shared.clock).toISOString();
  const inputs: unknown[] = [];
  const historyLengths: number[] = [];
  let lastStatus: string | undefined;
  let totalEpisodes = 0;
  let inputText = firstInput;

  const finish = (outcome: SimulationOutcome, output: unknown, history: HistoryEvent[]): SimulationResult => ({
    instanceId,
    outcome,
    output,
    history,
    historyLengths: [...historyLengths, history.length],
    episodes: totalEpisodes,
    inputs,
    calls: shared.calls,
    statuses: shared.statuses,
    logs: shared.logs,
    customStatus: lastStatus === undefined ? undefined : JSON.parse(lastStatus),
    children: shared.children,
  });

  for (let generation = 0; ; generation++) {
    inputs.push(JSON.parse(inputText));
    let book: ExecutionBook = emptyBook();
    const history: HistoryEvent[] = [];
    const inbox: HistoryEvent[] = [makeEvent(EventType.ExecutionStarted, iso(), { Name: name, Input: inputText })];
    /** Timers and held-back results, by when they arrive. */
    const later: { due: number; event: HistoryEvent }[] = [];
    let continued: string | undefined;
    for (let episode = 1; continued === undefined; episode++) {
      if (episode > maxEpisodes) return finish('runaway', undefined, history);
      if (inbox.length === 0) {
        later.sort((a, b) => a.due - b.due);
        const next = later.shift();
        if (!next) return finish('stuck', undefined, history);
        shared.clock = Math.max(shared.clock, next.due);
        inbox.push(next.event);
      }
      const delivered = inbox.shift() as HistoryEvent;
      shared.clock += shared.episodeMs;
      totalEpisodes++;
      const now = iso();
      const startedEvent = makeEvent(EventType.OrchestratorStarted, now);
      const trigger = buildOrchestrationTrigger({
        instanceId,
        parentInstanceId,
        input: inputText,
        history: [...history, startedEvent, delivered],
        newEventsFrom: history.length,
        limits,
      });
      let result: OrchestratorCallResult;
      try {
        const invocation = new df.DummyOrchestrationContext(name, `${instanceId}:${totalEpisodes}`, (level, ...args) =>
          shared.logs.push({ instanceId, level, message: args.map((a) => String(a)).join(' ') }),
        );
        const state = await handler(JSON.parse(JSON.stringify(trigger)), invocation);
        result = { kind: 'ok', state: JSON.parse(JSON.stringify(state)) as OrchestratorStateWire };
      } catch (err) {
        const failure = parseOrchestratorFailure(err);
        result = { kind: 'failed', error: failure?.error ?? String(err), customStatus: failure?.customStatus };
      }
      const plan = planEpisode(
        { instanceId, orchestratorName: name, generation, now, book, delivered, limits },
        result,
      );
      history.push(startedEvent, delivered, ...plan.appended, makeEvent(EventType.OrchestratorCompleted, now));
      book = applyBookDelta(book, plan.delta);
      if (plan.customStatus !== undefined && plan.customStatus !== lastStatus) {
        lastStatus = plan.customStatus;
        shared.statuses.push({ instanceId, generation, status: JSON.parse(plan.customStatus) });
      }
      for (let i = later.length - 1; i >= 0; i--) {
        const { event } = later[i];
        if (event.EventType === EventType.TimerFired && plan.canceled.includes(event.TimerId ?? -1)) later.splice(i, 1);
      }
      if (plan.outcome.kind === 'completed' || plan.outcome.kind === 'failed') {
        return finish(plan.outcome.kind, plan.outcome.output, history);
      }
      if (plan.outcome.kind === 'continuedAsNew') {
        if (generation + 1 >= maxGenerations) return finish('continuedAsNew', plan.outcome.input, history);
        continued = plan.outcome.input;
        historyLengths.push(history.length);
        break;
      }
      for (const work of plan.work) {
        if (work.kind === 'activity') {
          const input = roundTrip(work.input);
          const call: ScheduledCall = { instanceId, generation, kind: 'activity', name: work.name, input };
          shared.calls.push(call);
          const activity = shared.activities[work.name];
          if (!activity) throw new Error(`${instanceId} scheduled activity '${work.name}', which the simulation lacks`);
          const delay = options.latency?.(call) ?? 0;
          const deliver = (event: HistoryEvent): void => {
            if (delay > 0) {
              const due = shared.clock + delay;
              later.push({ due, event: { ...event, Timestamp: new Date(due).toISOString() } });
            } else inbox.push(event);
          };
          try {
            const value = await activity(input);
            deliver(makeEvent(EventType.TaskCompleted, iso(), { TaskScheduledId: work.seq, Result: jsonText(value) }));
          } catch (err) {
            deliver(
              makeEvent(EventType.TaskFailed, iso(), {
                TaskScheduledId: work.seq,
                Reason: `Activity function '${work.name}' failed: ${messageOf(err)}`,
                Details: failureDetails(err),
              }),
            );
          }
        } else if (work.kind === 'timer') {
          shared.calls.push({ instanceId, generation, kind: 'timer', name: '', input: undefined, fireAt: work.fireAt });
          later.push({
            due: Date.parse(work.fireAt),
            event: makeEvent(EventType.TimerFired, work.fireAt, { TimerId: work.seq, FireAt: work.fireAt }),
          });
        } else {
          const input = JSON.parse(work.input) as unknown;
          shared.calls.push({
            instanceId,
            generation,
            kind: 'subOrchestration',
            name: work.name,
            input,
            childInstanceId: work.instanceId,
          });
          inbox.push(await runChild(shared, work.name, work.instanceId, instanceId, work.input, work.seq));
        }
      }
      for (const raise of options.events ?? []) {
        if (raise.afterEpisode === totalEpisodes) {
          inbox.push(makeEvent(EventType.EventRaised, iso(), { Name: raise.name, Input: JSON.stringify(raise.data) }));
        }
      }
    }
    inputText = continued;
  }
}

/** Runs a sub-orchestration to its end and returns the event its parent receives. */
async function runChild(
  shared: Shared,
  name: string,
  childId: string,
  parentId: string,
  inputText: string,
  seq: number,
): Promise<HistoryEvent> {
  const fail = (reason: string, details: string): HistoryEvent =>
    makeEvent(EventType.SubOrchestrationInstanceFailed, new Date(shared.clock).toISOString(), {
      TaskScheduledId: seq,
      Reason: reason,
      Details: details,
    });
  const complete = (resultText: string | null): HistoryEvent =>
    makeEvent(EventType.SubOrchestrationInstanceCompleted, new Date(shared.clock).toISOString(), {
      TaskScheduledId: seq,
      Result: resultText,
    });
  const plain = shared.options.subOrchestrations?.[name];
  if (plain) {
    try {
      return complete(jsonText(await plain(JSON.parse(inputText), childId)));
    } catch (err) {
      return fail(`Orchestrator function '${name}' failed: ${messageOf(err)}`, failureDetails(err));
    }
  }
  const orchestrator = shared.options.orchestrators?.[name];
  if (!orchestrator) throw new Error(`${parentId} started sub-orchestration '${name}', which the simulation lacks`);
  const child = await runInstance(shared, orchestrator, name, childId, parentId, inputText);
  shared.children[childId] = child;
  if (child.outcome === 'completed') return complete(child.output as string | null);
  if (child.outcome === 'failed') {
    return fail(String(child.output), JSON.stringify({ InstanceId: childId, RuntimeStatus: 'Failed' }));
  }
  throw new Error(`sub-orchestration ${childId} ended as ${child.outcome}`);
}

/** A miniature engine: same planning code as the host, activities as plain functions, timers on a fake clock. */
export async function simulate(
  orchestrator: OrchestratorFn,
  input: unknown,
  activities: Record<string, ActivityFn>,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const shared: Shared = {
    clock: Date.parse(options.start ?? '2024-01-01T00:00:00.000Z'),
    episodeMs: options.episodeMs ?? 1,
    calls: [],
    statuses: [],
    logs: [],
    children: {},
    activities,
    options,
  };
  return runInstance(shared, orchestrator, options.name ?? 'Sim', options.instanceId ?? 'sim', null, jsonText(input));
}

/** The output as a value (completed: the orchestrator's return value). */
export function parsedOutput(result: SimulationResult): unknown {
  return typeof result.output === 'string' ? (JSON.parse(result.output) as unknown) : result.output;
}

/** Scheduled calls of one kind, optionally of one instance and one name. */
export function callsOf(
  result: SimulationResult,
  filter: { kind?: ScheduledCall['kind']; instanceId?: string; name?: string } = {},
): ScheduledCall[] {
  return result.calls.filter(
    (call) =>
      (filter.kind === undefined || call.kind === filter.kind) &&
      (filter.instanceId === undefined || call.instanceId === filter.instanceId) &&
      (filter.name === undefined || call.name === filter.name),
  );
}

/** Names of the activities and sub-orchestrations an instance scheduled, in order (timers left out). */
export function scheduledNames(result: SimulationResult, instanceId = result.instanceId): string[] {
  return result.calls
    .filter((call) => call.instanceId === instanceId && call.kind !== 'timer')
    .map((call) => call.name);
}

/** Custom status values of one instance, in order of change. */
export function statusesOf(result: SimulationResult, instanceId = result.instanceId): unknown[] {
  return result.statuses.filter((update) => update.instanceId === instanceId).map((update) => update.status);
}
