import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { badRequest } from './read-json';

/**
 * What an instance id of this app looks like (`migrate-<hex>`, `sync-<table>-<export>-<n>`, `…:<run>:lane-<n>`). The
 * durable client puts the id into a URL path unescaped, so `..` or a `/` would address another endpoint.
 */
const INSTANCE_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

/** Whether `id` can be an instance id of this app in a URL path (INSTANCE_ID, and not only dots). */
function isInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id) && !/^\.+$/.test(id);
}

export type InstanceLookup =
  | { found: true; client: df.DurableClient; instanceId: string; status: df.DurableOrchestrationStatus }
  | { found: false; answer: HttpResponseInit };

/**
 * The instance a `…/migrations/{id}…` route names: 400 for an id that cannot be one, 404 for none (or, with
 * `name`, one of another orchestrator), else its status without its input.
 */
export async function lookUpInstance(
  request: HttpRequest,
  context: InvocationContext,
  name?: string,
): Promise<InstanceLookup> {
  const instanceId = request.params.id;
  if (!isInstanceId(instanceId)) {
    return {
      found: false,
      answer: badRequest([{ field: '(id)', message: 'must be an instance id such as migrate-<32 hex digits>' }]),
    };
  }
  const client = df.getClient(context);
  let status: df.DurableOrchestrationStatus | undefined;
  try {
    status = await client.getStatus(instanceId, { showInput: false });
  } catch {
    status = undefined;
  }
  if (!status?.name || (name !== undefined && status.name !== name)) {
    return { found: false, answer: { status: 404, jsonBody: { error: `no migration with id ${instanceId}` } } };
  }
  return { found: true, client, instanceId, status };
}
