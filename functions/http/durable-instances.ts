import { InvocationContext } from '@azure/functions';

/** One instance as the Durable HTTP API lists it (`GET instances/`). */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface InstanceQuery {
  /** Instances per page; the Azure Storage provider's default is 100. */
  top: number;
  instanceIdPrefix?: string;
  createdTimeFrom?: string;
  createdTimeTo?: string;
  runtimeStatus?: string[];
  showInput?: boolean;
}

/** The parts of the `durableClient` binding value this module reads (protocol §5.1). */
interface ClientBinding {
  rpcBaseUrl?: string | null;
  managementUrls: { id: string; statusQueryGetUri: string };
}

const LOCAL_ORIGIN = 'http://localhost:7071';

function bindingOf(context: InvocationContext): ClientBinding {
  const input = context.options.extraInputs.find((i) => i.type === 'durableClient' || i.type === 'orchestrationClient');
  const data = input ? (context.extraInputs.get(input) as ClientBinding | undefined) : undefined;
  if (!data?.managementUrls?.statusQueryGetUri) {
    throw new Error('this function has no durable client input binding; register it with extraInputs');
  }
  return data;
}

/**
 * A URL of the Durable HTTP API below `instances/`, built as the durable client builds its own calls: below
 * `rpcBaseUrl` when the extension gives one (never rewritten), else from the status URL template (with the
 * system key it carries), whose origin the client rewrites to localhost:7071 unless WEBSITE_HOSTNAME names the app.
 */
function instancesUrl(binding: ClientBinding, instanceId: string): URL {
  const id = encodeURIComponent(instanceId);
  if (binding.rpcBaseUrl) return new URL(`instances/${id}`, binding.rpcBaseUrl);
  const url = new URL(binding.managementUrls.statusQueryGetUri.replace(binding.managementUrls.id, id));
  const host = process.env.WEBSITE_HOSTNAME;
  return !host || host.includes('0.0.0.0') ? new URL(url.href.replace(url.origin, LOCAL_ORIGIN)) : url;
}

function listUrl(binding: ClientBinding, query: InstanceQuery): URL {
  const url = instancesUrl(binding, '');
  url.searchParams.set('top', String(query.top));
  if (query.instanceIdPrefix) url.searchParams.set('instanceIdPrefix', query.instanceIdPrefix);
  if (query.createdTimeFrom) url.searchParams.set('createdTimeFrom', query.createdTimeFrom);
  if (query.createdTimeTo) url.searchParams.set('createdTimeTo', query.createdTimeTo);
  if (query.runtimeStatus?.length) url.searchParams.set('runtimeStatus', query.runtimeStatus.join(','));
  url.searchParams.set('showInput', String(query.showInput ?? false));
  return url;
}

/**
 * One page of the task hub's instances, straight from the Durable HTTP API: `DurableClient.getStatusBy` reads
 * every page and knows neither `top` nor `instanceIdPrefix`. `continuationToken` is the `x-ms-continuation-token`
 * of the previous page; the answer's is empty on the last page.
 */
export async function listInstancePage(
  context: InvocationContext,
  query: InstanceQuery,
  continuationToken?: string,
): Promise<{ instances: InstanceStatus[]; continuationToken: string }> {
  const response = await fetch(listUrl(bindingOf(context), query), {
    headers: continuationToken ? { 'x-ms-continuation-token': continuationToken } : {},
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) {
    throw new Error(`listing instances: the Durable HTTP API answered ${response.status}`);
  }
  const instances = (await response.json()) as InstanceStatus[];
  return { instances, continuationToken: response.headers.get('x-ms-continuation-token') ?? '' };
}

/** An instance's status with its history, as `GET instances/{id}?showHistory=true…` answers (protocol §6). */
export interface InstanceWithHistory extends InstanceStatus {
  historyEvents?: Record<string, unknown>[];
}

/**
 * The status of one instance with its history, inputs and results. Also straight from the HTTP API: the durable
 * client's getStatus asks for the history but reads it from a field the API does not answer with.
 */
export async function getInstanceWithHistory(
  context: InvocationContext,
  instanceId: string,
): Promise<InstanceWithHistory | undefined> {
  const url = instancesUrl(bindingOf(context), instanceId);
  for (const name of ['showHistory', 'showHistoryOutput', 'showInput']) url.searchParams.set(name, 'true');
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (response.status === 404) return undefined;
  if (response.status !== 200 && response.status !== 202) {
    throw new Error(`reading instance ${instanceId}: the Durable HTTP API answered ${response.status}`);
  }
  return (await response.json()) as InstanceWithHistory;
}
