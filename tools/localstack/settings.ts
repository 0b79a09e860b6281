import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  COSMOS_EMULATOR_KEY,
  DEFAULT_LAKE_CONTAINER,
  LOCAL_AWS_REGION,
  LOCAL_HOST,
  S3RVER_ACCESS_KEY_ID,
  S3RVER_SECRET_ACCESS_KEY,
} from './constants';
import type { LocalStackEndpoints, LocalStackPorts, LocalStackSettings } from './types';

export function endpointsFor(ports: LocalStackPorts): LocalStackEndpoints {
  return {
    blob: `http://${LOCAL_HOST}:${ports.blob}/${AZURITE_ACCOUNT}`,
    queue: `http://${LOCAL_HOST}:${ports.queue}/${AZURITE_ACCOUNT}`,
    table: `http://${LOCAL_HOST}:${ports.table}/${AZURITE_ACCOUNT}`,
    s3: `http://${LOCAL_HOST}:${ports.s3}`,
    cosmos: `https://${LOCAL_HOST}:${ports.cosmos}`,
  };
}

/**
 * Explicit endpoints rather than `UseDevelopmentStorage=true`: the shorthand always means ports
 * 10000-10002, which would silently point test stacks on other ports at the developer's stack.
 */
export function azuriteConnectionString(endpoints: Pick<LocalStackEndpoints, 'blob' | 'queue' | 'table'>): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${endpoints.blob}`,
    `QueueEndpoint=${endpoints.queue}`,
    `TableEndpoint=${endpoints.table}`,
  ].join(';');
}

export function settingsFor(
  endpoints: LocalStackEndpoints,
  lakeContainer = DEFAULT_LAKE_CONTAINER,
): LocalStackSettings {
  const storage = azuriteConnectionString(endpoints);
  return {
    AzureWebJobsStorage: storage,
    LAKE_CONNECTION: storage,
    LAKE_CONTAINER: lakeContainer,
    COSMOS_ENDPOINT: endpoints.cosmos,
    COSMOS_KEY: COSMOS_EMULATOR_KEY,
    COSMOS_ALLOW_SELF_SIGNED: 'true',
    S3_ENDPOINT: endpoints.s3,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: LOCAL_AWS_REGION,
    AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}
