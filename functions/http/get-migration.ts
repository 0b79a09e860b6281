import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { guarded, publicOutput } from './answers';
import { lookUpInstance } from './instance-lookup';

/**
 * `GET /api/migrations/{id}`: the migration's status, progress and (when done) report, behind the same
 * function key as the start endpoint, so the CLI needs no Durable system key. A failure's `output` is its
 * `[CODE] message` only.
 */
async function getMigration(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const found = await lookUpInstance(request, context);
  if (!found.found) return found.answer;
  const { client, instanceId, status } = found;
  return {
    status: 200,
    jsonBody: {
      instanceId: status.instanceId,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      progress: status.customStatus ?? null,
      output: publicOutput(instanceId, status.runtimeStatus, status.output),
      ...client.createHttpManagementPayload(instanceId),
    },
  };
}

export const getMigrationHandler = guarded('reading a migration', getMigration);
