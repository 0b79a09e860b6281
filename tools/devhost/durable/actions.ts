import { RetryOptionsWire } from './retry';

/** `actionType` codes of durable-functions 3.x (§2.3 of the protocol notes). */
export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface OrchestratorAction {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptionsWire;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: OrchestratorAction[];
}

/** The orchestrator's reply (`OrchestratorState` of durable-functions, after JSON). */
export interface OrchestratorStateWire {
  isDone: boolean;
  actions: OrchestratorAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
  failureDetails?: unknown;
}

/**
 * Leaves in depth-first order. The SDK numbers tasks in first-yield order and the list is cumulative, so
 * leaf i of this list is the i-th task the orchestrator ever yielded; WhenAll/WhenAny only group them.
 */
export function flattenActions(actions: OrchestratorAction[][] | undefined): OrchestratorAction[] {
  const leaves: OrchestratorAction[] = [];
  const visit = (action: OrchestratorAction): void => {
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      (action.compoundActions ?? []).forEach(visit);
    } else {
      leaves.push(action);
    }
  };
  for (const group of actions ?? []) {
    group.forEach(visit);
  }
  return leaves;
}

/**
 * The SDK JSON-encodes string inputs of activities and ContinueAsNew (`"Tokyo"` → `"\"Tokyo\""`) and
 * passes other values raw; this returns the value the user passed.
 */
export function decodeActionInput(input: unknown): unknown {
  if (typeof input !== 'string') {
    return input;
  }
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}
