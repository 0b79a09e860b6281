import * as df from 'durable-functions';
import { runningStatus } from '../durable/running-status';
import { Names } from '../migration/contracts';
import { syncInstanceId } from './types';

export type StartSyncResult =
  { started: true; instanceId: string } | { started: false; instanceId: string; runtimeStatus: string };

/**
 * Starts the singleton sync of `table` unless one is active. The timer and `POST /api/tables/{name}/sync`
 * both come here; two starts racing each other are settled by Durable itself, which refuses a second
 * instance under an id that is still running.
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
    throw error;
  }
}
