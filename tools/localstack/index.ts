/** Public API of the local emulator stack. main.ts and reset.ts are command-line entry points, not exported here. */
export {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  COSMOS_EMULATOR_KEY,
  DEFAULT_LAKE_CONTAINER,
  DEFAULT_PORTS,
  DEFAULT_STATE_DIR,
  LOCAL_AWS_REGION,
  LOCAL_HOST,
  LOCAL_TASK_HUB,
  S3RVER_ACCESS_KEY_ID,
  S3RVER_SECRET_ACCESS_KEY,
} from './constants';
export { cosmosClientOptions, type CosmosConnectionSettings } from './cosmos-client-options';
export { checkHealth, type HealthOptions, type HealthSettings } from './health';
export { resetLocalState, type ResetOptions, type ResetResult } from './reset';
export { localS3ClientConfig, s3ClientConfigFromSettings, type S3ConnectionSettings } from './s3-client-config';
export { azuriteConnectionString, endpointsFor, settingsFor } from './settings';
export { ensureLocalStack, startLocalStack } from './stack';
export { parseStorageConnectionString, type StorageAccountEndpoints } from './storage-connection-string';
export type {
  EmulatorExit,
  EmulatorName,
  EmulatorStatus,
  HealthResult,
  LocalStack,
  LocalStackEndpoints,
  LocalStackOptions,
  LocalStackPorts,
  LocalStackSettings,
} from './types';
