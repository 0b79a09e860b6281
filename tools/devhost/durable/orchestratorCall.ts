import { FunctionDefinition } from '../app/functionIndex';
import { typedDataToValue } from '../invoke/typedData';
import { Invoker } from '../invoke/invoker';
import { errorMessage } from '../logger';
import { OrchestratorStateWire } from './actions';
import { OrchestratorCallResult } from './episodePlan';
import { EventType, HistoryEvent } from './historyEvents';
import { parseJsonOrText } from './statusPayload';
import { TimerLimits } from './timerLimits';

const OUT_OF_PROC_LABEL = '$OutOfProcData$:';

/** Schema V3 (`upperSchemaVersionNew: 2`): nested compound actions, SDK-side timer splitting. */
const UPPER_SCHEMA_VERSION = 1;
const UPPER_SCHEMA_VERSION_NEW = 2;

export interface OrchestrationTriggerArgs {
  instanceId: string;
  parentInstanceId: string | null;
  input: string | null;
  /** Past history followed by this episode's new events, which start at `newEventsFrom`. */
  history: HistoryEvent[];
  newEventsFrom: number;
  limits: TimerLimits;
}

/**
 * The orchestration trigger value (§2.1). Events of earlier episodes are marked played except
 * OrchestratorStarted, matching what the extension sends; `isReplaying` is its initial value.
 */
export function buildOrchestrationTrigger(args: OrchestrationTriggerArgs): Record<string, unknown> {
  const history = args.history.map((event, index) => ({
    ...event,
    IsPlayed: index < args.newEventsFrom && event.EventType !== EventType.OrchestratorStarted,
  }));
  return {
    history,
    input: parseJsonOrText(args.input),
    instanceId: args.instanceId,
    isReplaying: args.newEventsFrom > 0,
    parentInstanceId: args.parentInstanceId,
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    upperSchemaVersionNew: UPPER_SCHEMA_VERSION_NEW,
    longRunningTimerIntervalDuration: args.limits.longRunningTimerIntervalDuration,
    maximumShortTimerDuration: args.limits.maximumShortTimerDuration,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}

/**
 * A failing orchestrator rejects with `<prefix>\n\n$OutOfProcData$:<state JSON>` whose `error` is the thrown
 * message. Anything else (e.g. malformed history) is an infrastructure error and yields undefined.
 */
export function parseOrchestratorFailure(err: unknown): { error: string; customStatus?: unknown } | undefined {
  const message = errorMessage(err);
  const at = message.indexOf(OUT_OF_PROC_LABEL);
  if (at < 0) {
    return undefined;
  }
  try {
    const state = JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as Partial<OrchestratorStateWire>;
    return { error: state.error ?? message.slice(0, at).trim(), customStatus: state.customStatus };
  } catch {
    return undefined;
  }
}

function describeOrchestratorError(err: unknown): string {
  return parseOrchestratorFailure(err)?.error ?? errorMessage(err);
}

/** Runs one episode of the orchestrator through the worker emulation path. */
export async function callOrchestrator(
  invoker: Invoker,
  fn: FunctionDefinition,
  trigger: Record<string, unknown>,
  instanceId: string,
): Promise<OrchestratorCallResult> {
  try {
    const response = await invoker.invoke(fn, {
      // The real worker receives the trigger as RpcTypedData `string`, which the library JSON-parses.
      inputData: [{ name: fn.triggerBindingName, data: { string: JSON.stringify(trigger) } }],
      instanceId,
      describeError: describeOrchestratorError,
    });
    const state = typedDataToValue(response.returnValue) as OrchestratorStateWire | undefined;
    if (!state || !Array.isArray(state.actions)) {
      return { kind: 'failed', error: 'The orchestrator returned no orchestration state.' };
    }
    return { kind: 'ok', state };
  } catch (err) {
    const failure = parseOrchestratorFailure(err);
    return failure ? { kind: 'failed', ...failure } : { kind: 'failed', error: errorMessage(err) };
  }
}
