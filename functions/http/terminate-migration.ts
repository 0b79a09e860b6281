import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ACTIVE_STATUSES } from '../../src/durable/running-status';
import { Names } from '../../src/migration/contracts';
import { guarded } from './answers';
import { lookUpInstance } from './instance-lookup';
import { listActiveChildren } from './migration-children';

const REASON = 'stopped through POST /api/migrations/{id}/terminate';

/** Terminates one instance; one that ended meanwhile (410, which the client takes as done) or vanished is done too. */
async function terminate(client: df.DurableClient, instanceId: string): Promise<void> {
  try {
    // The client puts the reason into the URL as it is.
    await client.terminate(instanceId, encodeURIComponent(REASON));
  } catch (error) {
    if (!/No instance with ID/.test(error instanceof Error ? error.message : String(error))) throw error;
  }
}

/**
 * `POST /api/migrations/{id}/terminate`: terminates the migration and every child orchestration of any of its
 * runs that still runs (Durable terminates only the instance it is asked to: a terminated parent's children run on).
 * Termination is queued, so the answer is 202 naming what was asked to stop; asked again, it answers 200 once nothing
 * runs any more (`ddb2cosmos stop` does this). Activities already running finish their current call either way.
 */
async function terminateMigration(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const found = await lookUpInstance(request, context, Names.migrateExport);
  if (!found.found) return found.answer;
  const { client, instanceId, status } = found;
  const parentRunning = ACTIVE_STATUSES.includes(String(status.runtimeStatus));
  // The parent first: until its termination lands it may start more children, which asking again then finds.
  if (parentRunning) await terminate(client, instanceId);
  const { children, more } = await listActiveChildren(context, instanceId);
  for (const child of children) await terminate(client, child.instanceId);
  const stopping = [...(parentRunning ? [instanceId] : []), ...children.map((c) => c.instanceId)];
  context.log(`terminate ${instanceId}: ${stopping.length} instance(s) asked to stop`);
  return {
    status: stopping.length > 0 ? 202 : 200,
    jsonBody: {
      instanceId,
      runtimeStatus: status.runtimeStatus,
      stopping,
      moreChildren: more,
      message:
        stopping.length > 0
          ? `asked ${stopping.length} instance(s) to stop; termination is queued: ask again until the answer is 200, then start the migration again`
          : 'nothing of this migration runs; it can be started again',
    },
  };
}

export const terminateMigrationHandler = guarded('terminating a migration', terminateMigration);
