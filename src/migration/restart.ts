import { ACTIVE_STATUSES } from '../durable/running-status';
import { childInstancePrefix } from './instance-id';

/** An instance as a listing names it. */
export interface InstanceView {
  instanceId: string;
  runtimeStatus: string;
}

/**
 * Whether a migration may start (again) under `instanceId`:
 * - `running`: its last run has not ended;
 * - `children-running`: its last run ended (completed, failed or was terminated) but children of it or of an
 *   earlier run (`<id>:…`, childInstancePrefix) still run. Durable does not stop a terminated orchestration's
 *   sub-orchestrations, and a new run beside them would load the same files into the same container at the same
 *   time, each run counting only its own writes: refused until they are stopped (POST …/terminate);
 * - `start`: nothing of the migration runs.
 */
export type StartDecision =
  | { start: true }
  | { start: false; reason: 'running'; runtimeStatus: string }
  | { start: false; reason: 'children-running'; children: InstanceView[] };

const ACTIVE = new Set(ACTIVE_STATUSES);

/** The children of `instanceId` among `listed` that have not ended. */
export function activeChildren(instanceId: string, listed: readonly InstanceView[]): InstanceView[] {
  const prefix = childInstancePrefix(instanceId);
  return listed.filter((child) => child.instanceId.startsWith(prefix) && ACTIVE.has(child.runtimeStatus));
}

/** Pure: the decision from the parent's runtime status (undefined: never ran) and the listed children. */
export function startDecision(
  instanceId: string,
  parentStatus: string | undefined,
  listed: readonly InstanceView[],
): StartDecision {
  if (parentStatus !== undefined && ACTIVE.has(parentStatus)) {
    return { start: false, reason: 'running', runtimeStatus: parentStatus };
  }
  const children = activeChildren(instanceId, listed);
  return children.length > 0 ? { start: false, reason: 'children-running', children } : { start: true };
}

/** How many children a refusal names; the count says how many more there are. */
export const NAMED_CHILDREN = 20;

/** The 409's body when children still run: which ones, and how to stop them. */
export function childrenRunningAnswer(
  instanceId: string,
  children: readonly InstanceView[],
  more: boolean,
): { error: string; instanceId: string; runningChildren: InstanceView[]; moreChildren: boolean; stop: object } {
  const named = children.slice(0, NAMED_CHILDREN);
  const count = `${children.length}${more ? '+' : ''}`;
  const stopUrl = `/api/migrations/${instanceId}/terminate`;
  return {
    error:
      `the previous run of ${instanceId} has ended, but ${count} of its child orchestrations still run ` +
      `(${named.map((c) => `${c.instanceId} ${c.runtimeStatus}`).join(', ')}${children.length > named.length || more ? ', …' : ''}); ` +
      `terminating an orchestration does not stop its children, and a new run beside them would load the same files ` +
      `at the same time. Stop them with POST ${stopUrl} (ddb2cosmos stop ${instanceId}), then start again`,
    instanceId,
    runningChildren: named,
    moreChildren: more || children.length > named.length,
    stop: { method: 'POST', url: stopUrl, cli: `ddb2cosmos stop ${instanceId}` },
  };
}
