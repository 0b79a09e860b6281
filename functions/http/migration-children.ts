import { InvocationContext } from '@azure/functions';
import { ACTIVE_STATUSES } from '../../src/durable/running-status';
import { childInstancePrefix } from '../../src/migration/instance-id';
import { activeChildren, InstanceView } from '../../src/migration/restart';
import { listInstancePage } from './durable-instances';

/** Instances asked per page: the Azure Storage provider's page size. */
const PAGE = 100;
/** Pages read at most, so a hub with a huge migration's children cannot stall a request; `more` says it was cut. */
const MAX_PAGES = 10;

/**
 * The child orchestrations of every run of a migration (`<id>:…`) that have not ended, straight from the Durable
 * HTTP API's instance listing with `instanceIdPrefix` and `runtimeStatus`: the durable client's getStatusBy filters
 * by time and status only and reads every page of the hub.
 */
export async function listActiveChildren(
  context: InvocationContext,
  instanceId: string,
): Promise<{ children: InstanceView[]; more: boolean }> {
  const children: InstanceView[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await listInstancePage(
      context,
      { top: PAGE, instanceIdPrefix: childInstancePrefix(instanceId), runtimeStatus: [...ACTIVE_STATUSES] },
      token,
    );
    // Filtered again here: a store that ignored a filter must not make us stop or wait for the wrong instances.
    children.push(...activeChildren(instanceId, answer.instances));
    token = answer.continuationToken;
    if (!token) return { children, more: false };
  }
  return { children, more: true };
}
