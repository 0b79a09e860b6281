import { InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { ContainerClient } from '@azure/storage-blob';
import { startSync } from '../src/sync/start-sync';
import { TableStore } from '../src/sync/table-store';

/** NCRONTAB with seconds: every 15 minutes, on the quarter hour. */
export const DEFAULT_SYNC_SCHEDULE = '0 */15 * * * *';

/** Read once at registration: a schedule is part of the function's trigger, not of one invocation. */
export function syncScheduleFrom(env: NodeJS.ProcessEnv): string {
  return env.SYNC_SCHEDULE?.trim() || DEFAULT_SYNC_SCHEDULE;
}

/**
 * The scheduled sync: starts the sync of every registered table that is not syncing already. A sync that
 * outlasts the interval is left alone, so however often the timer fires, one sync per table runs.
 */
export function syncTimerHandler(lake: () => ContainerClient) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const client = df.getClient(context);
    const names = await new TableStore(lake()).listNames();
    for (const name of names) {
      try {
        const result = await startSync(client, name);
        context.log(
          result.started
            ? `sync of ${name} started as ${result.instanceId}`
            : `sync of ${name} is ${result.runtimeStatus}; not started again`,
        );
      } catch (error) {
        // One table's problem must not keep the others from syncing.
        context.error(`sync of ${name} could not start: ${(error as Error).message}`);
      }
    }
  };
}
