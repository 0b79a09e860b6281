/** Path of the Durable HTTP API (and of `rpcBaseUrl`, which the devhost serves from the same listener). */
export const DURABLE_WEBHOOK_PATH = '/runtime/webhooks/durabletask';

/** Placeholder the durable client replaces with an instance id. */
const INSTANCE_PLACEHOLDER = 'INSTANCEID';

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export interface ClientUrlOptions {
  /** Scheme and authority the app is reached at, e.g. `http://127.0.0.1:7071`. */
  origin: string;
  hubName: string;
}

/**
 * Azure appends the extension's system key as `code=`; the devhost serves the management API without keys
 * (DurableClient calls it through `rpcBaseUrl`, which never carries one), so the links carry none either.
 */
function query(options: ClientUrlOptions): string {
  return `taskHub=${encodeURIComponent(options.hubName)}&connection=Storage`;
}

/** The extension's GetClientResponseLinks: one URL per management operation of an instance. */
export function managementUrls(options: ClientUrlOptions, instanceId: string): ManagementUrls {
  const q = query(options);
  const instance = `${options.origin}${DURABLE_WEBHOOK_PATH}/instances/${encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${q}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${instance}?${q}`,
    restartPostUri: `${instance}/restart?${q}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
    resumePostUri: `${instance}/resume?reason={text}&${q}`,
  };
}

/** Body of the 202 "check status" response (the extension omits the rewind link there). */
export function checkStatusBody(urls: ManagementUrls): Record<string, string> {
  return {
    id: urls.id,
    statusQueryGetUri: urls.statusQueryGetUri,
    sendEventPostUri: urls.sendEventPostUri,
    terminatePostUri: urls.terminatePostUri,
    purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
    restartPostUri: urls.restartPostUri,
    suspendPostUri: urls.suspendPostUri,
    resumePostUri: urls.resumePostUri,
  };
}

/**
 * The `durableClient` input binding value (§5.1). `rpcBaseUrl` makes DurableClient call this host directly
 * (it is never rewritten); management URLs carry the host's origin so that `createCheckStatusResponse` and
 * `createHttpManagementPayload` hand out working links.
 */
export function durableClientBinding(options: ClientUrlOptions & { rpcOrigin: string }): Record<string, unknown> {
  const base = `${options.origin}${DURABLE_WEBHOOK_PATH}`;
  return {
    taskHubName: options.hubName,
    connectionName: null,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
    },
    managementUrls: managementUrls(options, INSTANCE_PLACEHOLDER),
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${options.rpcOrigin}${DURABLE_WEBHOOK_PATH}/`,
    httpBaseUrl: null,
  };
}
