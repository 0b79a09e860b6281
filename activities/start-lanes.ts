import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { isInstanceConflict } from '../src/migration/instance-id';
import { Names } from '../src/migration/contracts';
import type { StartLanesInput } from '../orchestrators/lane-contracts';

/** Whether getStatus failed because no instance has that id (the durable client turns a 404 into this text). */
export function isInstanceMissing(error: unknown): boolean {
  return /\bHTTP 404\b/.test(error instanceof Error ? error.message : String(error));
}

/**
 * Starts a migration's lanes (orchestrations of their own, not sub-orchestrations: the migration polls them).
 * Idempotent, as an activity must be (Durable may run it again): a lane that already exists, in any state, is
 * left alone, so a lane that already finished is never started over.
 */
export function startLanesActivity() {
  return async (input: StartLanesInput, context: InvocationContext): Promise<{ started: number }> => {
    const client = df.getClient(context);
    let started = 0;
    for (const lane of input.lanes) {
      try {
        await client.getStatus(lane.instanceId);
        continue;
      } catch (error) {
        if (!isInstanceMissing(error)) throw error;
      }
      try {
        await client.startNew(Names.migrateLane, { instanceId: lane.instanceId, input: lane.input });
        started++;
      } catch (error) {
        // Started by an earlier run of this activity between the look-up and now.
        if (!isInstanceConflict(error)) throw error;
      }
    }
    return { started };
  };
}
