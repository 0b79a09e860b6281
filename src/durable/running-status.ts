import * as df from 'durable-functions';

/** Runtime statuses of an instance that has not ended. */
export const ACTIVE_STATUSES: readonly string[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
const ACTIVE = new Set(ACTIVE_STATUSES);

/** The runtime status of `instanceId` when it is still active; undefined when it ended or never existed. */
export async function runningStatus(client: df.DurableClient, instanceId: string): Promise<string | undefined> {
  try {
    const status = await client.getStatus(instanceId);
    return status && ACTIVE.has(String(status.runtimeStatus)) ? String(status.runtimeStatus) : undefined;
  } catch {
    // getStatus throws for an unknown instance: nothing is running under this id.
    return undefined;
  }
}
