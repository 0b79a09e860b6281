import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { guarded, publicOutput } from './answers';
import { badRequest } from './read-json';

/**
 * What an instance id of this app looks like (`migrate-<hex>`, `sync-<table>-<export>-<n>`, `…:batch-<n>`). The
 * durable client puts the id into a URL path unescaped, so `..` or a `/` would address another endpoint.
 */
const INSTANCE_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

/** Whether `id` can be an instance id of this app in a URL path (INSTANCE_ID, and not only dots). */
export function isInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id) && !/^\.+$/.test(id);
}

/**
 * `GET /api/migrations/{id}`: the migration's status, progress and (when done) report, behind the same
 * function key as the start endpoint, so the CLI needs no Durable system key. A failure's `output` is its
 * `[CODE] message` only.
 */
async function getMigration(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const instanceId = request.params.id;
  if (!isInstanceId(instanceId)) {
    return badRequest([{ field: '(id)', message: 'must be an instance id such as migrate-<32 hex digits>' }]);
  }
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
      output: publicOutput(instanceId, status.runtimeStatus, status.output),
      ...client.createHttpManagementPayload(instanceId),
    },
  };
}

export const getMigrationHandler = guarded('reading a migration', getMigration);
