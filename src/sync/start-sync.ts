import * as df from 'durable-functions';
import { runningStatus } from '../durable/running-status';
import { Names } from '../migration/contracts';
import { isInstanceConflict } from '../migration/instance-id';
import { syncInstanceId } from './types';

export type StartSyncResult =
  { started: true; instanceId: string } | { started: false; instanceId: string; runtimeStatus: string };

/**
 * Starts the singleton sync of `table` unless one is active. The timer and `POST /api/tables/{name}/sync`
 * both come here; two starts racing each other are settled by Durable itself, which refuses a second
 * instance under an id that is still running: the loser answers "already running" (a 409), never an error,
 * even when the winner has finished again by the time it looks. `table` must be a checked table name.
 */
export async function startSync(client: df.DurableClient, table: string): Promise<StartSyncResult> {
  const instanceId = syncInstanceId(table);
  const running = await runningStatus(client, instanceId);
  if (running) return { started: false, instanceId, runtimeStatus: running };
  try {
    await client.startNew(Names.syncTable, { instanceId, input: { table } });
    return { started: true, instanceId };
  } catch (error) {
    const now = await runningStatus(client, instanceId);
    if (now) return { started: false, instanceId, runtimeStatus: now };
    if (isInstanceConflict(error)) return { started: false, instanceId, runtimeStatus: 'Running' };
    throw error;
  }
}
