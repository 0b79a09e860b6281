import { Agent } from 'node:https';
import type { CosmosClientOptions } from '@azure/cosmos';

export interface CosmosConnectionSettings {
  COSMOS_ENDPOINT: string;
  COSMOS_KEY: string;
  COSMOS_ALLOW_SELF_SIGNED?: string;
}

/**
 * CosmosClient options for the given settings. With COSMOS_ALLOW_SELF_SIGNED=true the client gets its
 * own https.Agent that skips certificate verification. Trusting cosmosdb-server's bundled cert.pem via
 * `ca` is not possible: it expired on 2021-01-28 and is issued to CN=cosmosdb without SANs, so Node
 * rejects it with CERT_HAS_EXPIRED whatever `ca`/`servername` says. The agent is scoped to this client,
 * never NODE_TLS_REJECT_UNAUTHORIZED, so other TLS connections in the process stay verified.
 * Endpoint discovery is switched off locally: the server advertises `https://<bind host>:<port>/` as
 * its only region, and following it would bypass whatever host name the caller configured.
 */
export function cosmosClientOptions(settings: CosmosConnectionSettings): CosmosClientOptions {
  const allowSelfSigned = settings.COSMOS_ALLOW_SELF_SIGNED?.toLowerCase() === 'true';
  if (!allowSelfSigned) {
    return { endpoint: settings.COSMOS_ENDPOINT, key: settings.COSMOS_KEY };
  }
  return {
    endpoint: settings.COSMOS_ENDPOINT,
    key: settings.COSMOS_KEY,
    agent: new Agent({ rejectUnauthorized: false, keepAlive: true }),
    connectionPolicy: { enableEndpointDiscovery: false, enableBackgroundEndpointRefreshing: false },
  };
}
