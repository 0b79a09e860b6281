import { EventType, HistoryEvent, OrchestrationStatus, RuntimeStatus } from './historyEvents';

/** The fields of an instance the status API reports. */
export interface InstanceSummary {
  instanceId: string;
  name: string;
  status: RuntimeStatus;
  createdTime: string;
  lastUpdatedTime: string;
  input: string | null;
  output: string | null;
  customStatus: string | null;
}

/** `StatusResponsePayload` of the extension's HTTP API. */
export interface StatusPayload {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

/** .NET `ToString("s") + "Z"`: second precision, no fraction. */
export function toSortableUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** The extension's ParseToJToken: JSON text becomes its value, other text stays a string, null stays null. */
export function parseJsonOrText(text: string | null | undefined): unknown {
  if (text === null || text === undefined) {
    return null;
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    return '';
  }
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

export interface HistoryOptions {
  showHistoryOutput: boolean;
  showInput: boolean;
}

interface ScheduledInfo {
  index: number;
  name: unknown;
  timestamp: unknown;
  input: unknown;
}

/**
 * Port of the extension's history conversion (DurableClient.GetDurableOrchestrationStatusAsync): event types
 * become names, ids and IsPlayed go, OrchestratorStarted/Completed go, and each scheduling event is merged
 * into its completion as FunctionName/ScheduledTime/Input.
 */
export function toHistoryEvents(history: HistoryEvent[], options: HistoryOptions): Record<string, unknown>[] {
  const items = history.map((e) => ({ ...e }) as Record<string, unknown>);
  const scheduled = new Map<string, ScheduledInfo>();
  const drop = new Set<number>();
  const mergeScheduled = (item: Record<string, unknown>, prefix: string): void => {
    const info = scheduled.get(`${prefix}_${String(item.TaskScheduledId)}`);
    if (info) {
      item.ScheduledTime = info.timestamp;
      item.FunctionName = info.name;
      if (options.showInput) item.Input = info.input;
      drop.add(info.index);
    }
    delete item.TaskScheduledId;
  };
  items.forEach((item, index) => {
    const type = item.EventType as EventType;
    item.EventType = EventType[type] ?? type;
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${EventType[type]}_${String(item.EventId)}`, {
          index,
          name: item.Name,
          timestamp: item.Timestamp,
          input: item.Input,
        });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
        mergeScheduled(item, 'TaskScheduled');
        if (type === EventType.TaskCompleted) {
          if (options.showHistoryOutput) item.Result = parseJsonOrText(item.Result as string | null);
          else delete item.Result;
        }
        break;
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed:
        mergeScheduled(item, 'SubOrchestrationInstanceCreated');
        if (type === EventType.SubOrchestrationInstanceCompleted) {
          if (options.showHistoryOutput) item.Result = parseJsonOrText(item.Result as string | null);
          else delete item.Result;
        }
        break;
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        delete item.Tags;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ContinueAsNew:
        item.OrchestrationStatus = OrchestrationStatus[item.OrchestrationStatus as number] ?? item.OrchestrationStatus;
        if (options.showHistoryOutput) item.Result = parseJsonOrText(item.Result as string | null);
        else delete item.Result;
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        drop.add(index);
        break;
      default:
        break;
    }
    if (!options.showInput) delete item.Input;
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_, index) => !drop.has(index));
}

export function toStatusPayload(
  summary: InstanceSummary,
  showInput: boolean,
  history?: { events: HistoryEvent[]; showHistoryOutput: boolean },
): StatusPayload {
  const payload: StatusPayload = {
    name: summary.name,
    instanceId: summary.instanceId,
    runtimeStatus: summary.status,
    input: showInput ? parseJsonOrText(summary.input) : null,
    customStatus: parseJsonOrText(summary.customStatus),
    output: parseJsonOrText(summary.output),
    createdTime: toSortableUtc(summary.createdTime),
    lastUpdatedTime: toSortableUtc(summary.lastUpdatedTime),
  };
  if (history) {
    payload.historyEvents = toHistoryEvents(history.events, {
      showHistoryOutput: history.showHistoryOutput,
      showInput,
    });
  }
  return payload;
}
