import { FunctionDefinition } from '../app/functionIndex';
import { typedDataToJsonText } from '../invoke/typedData';
import { extraInputData } from '../invoke/extraInputs';
import { Invoker } from '../invoke/invoker';
import { errorMessage } from '../logger';
import { EventType, HistoryEvent, makeEvent } from './historyEvents';

/**
 * Stand-in for the extension's JSON dump of the .NET exception; the SDK only needs a string here and shows
 * `Reason \n Details` as the error message inside the orchestrator.
 */
export function failureDetails(err: unknown): string {
  const error = err instanceof Error ? err : new Error(errorMessage(err));
  return JSON.stringify({ ClassName: error.name, Message: error.message, StackTraceString: error.stack ?? null });
}

/**
 * Runs an activity and turns the outcome into the TaskCompleted/TaskFailed event for `seq`. An activity may take a
 * durable client input binding like any other function (the orchestration client binding is not limited to HTTP or
 * timer triggers: learn.microsoft.com/azure/azure-functions/durable/durable-functions-bindings#orchestration-client);
 * it gets the same value the HTTP and timer triggers get.
 */
export async function runActivity(
  invoker: Invoker,
  fn: FunctionDefinition | undefined,
  work: { seq: number; name: string; input: unknown },
  instanceId: string,
  durableClientValue: () => unknown = () => undefined,
): Promise<HistoryEvent> {
  const now = () => new Date().toISOString();
  if (!fn || fn.triggerType !== 'activitytrigger') {
    return makeEvent(EventType.TaskFailed, now(), {
      TaskScheduledId: work.seq,
      Reason: `The function '${work.name}' doesn't exist, is disabled, or is not an activity function.`,
      Details: failureDetails(new Error(`Activity function '${work.name}' is not registered.`)),
    });
  }
  try {
    const response = await invoker.invoke(fn, {
      // As from the extension: the input as JSON text in RpcTypedData `string`, parsed by the library.
      inputData: [
        {
          name: fn.triggerBindingName,
          data: work.input === undefined ? undefined : { string: JSON.stringify(work.input) },
        },
        ...extraInputData(fn, durableClientValue),
      ],
      instanceId,
    });
    return makeEvent(EventType.TaskCompleted, now(), {
      TaskScheduledId: work.seq,
      Result: typedDataToJsonText(response.returnValue),
    });
  } catch (err) {
    return makeEvent(EventType.TaskFailed, now(), {
      TaskScheduledId: work.seq,
      Reason: `Activity function '${work.name}' failed: ${errorMessage(err)}`,
      Details: failureDetails(err),
    });
  }
}
