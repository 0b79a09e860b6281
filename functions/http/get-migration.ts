import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

/**
 * `GET /api/migrations/{id}`: the migration's status, progress and (when done) report, behind the same
 * function key as the start endpoint, so the CLI needs no Durable system key.
 */
export async function getMigrationHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const instanceId = request.params.id;
  const client = df.getClient(context);
  let status: df.DurableOrchestrationStatus | undefined;
  try {
    status = await client.getStatus(instanceId, { showInput: false });
  } catch {
    status = undefined;
  }
  if (!status || !status.name) return { status: 404, jsonBody: { error: `no migration with id ${instanceId}` } };
  return {
    status: 200,
    jsonBody: {
      instanceId: status.instanceId,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      progress: status.customStatus ?? null,
      output: status.output ?? null,
      ...client.createHttpManagementPayload(instanceId),
    },
  };
}
