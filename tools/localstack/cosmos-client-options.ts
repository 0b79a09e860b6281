import type { CosmosClientOptions } from '@azure/cosmos';
import { cosmosClientOptions as productCosmosClientOptions } from '../../src/clients/create-clients';

export interface CosmosConnectionSettings {
  COSMOS_ENDPOINT: string;
  COSMOS_KEY: string;
  COSMOS_ALLOW_SELF_SIGNED?: string;
}

/**
 * The app's own Cosmos client options for the local stack's settings, so tools and tests talk to the local server
 * exactly as the app does. The local server's bundled certificate cannot be trusted through `ca` (it expired on
 * 2021-01-28 and is issued to CN=cosmosdb without SANs), hence COSMOS_ALLOW_SELF_SIGNED, which gives the client its
 * own agent and never touches NODE_TLS_REJECT_UNAUTHORIZED.
 */
export function cosmosClientOptions(settings: CosmosConnectionSettings): CosmosClientOptions {
  return productCosmosClientOptions({
    cosmosEndpoint: settings.COSMOS_ENDPOINT,
    cosmosKey: settings.COSMOS_KEY,
    cosmosAllowSelfSigned: settings.COSMOS_ALLOW_SELF_SIGNED?.toLowerCase() === 'true',
  });
}
