import https from 'node:https';
import { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { CosmosClient, CosmosClientOptions } from '@azure/cosmos';
import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { Settings } from '../config/settings';
import { awsCredentialsFor } from './aws-credentials';
import { guardRoutingMapCache } from './routing-map-cache';

/** Every external client the activities use, built once per process (the composition root). */
export interface Clients {
  s3: S3Client;
  lake: ContainerClient;
  cosmos: CosmosClient;
  /**
   * The same account without the SDK's own retries of 429s, for the bulk writer, which retries them itself through
   * the RU budget (cosmos/bulk-writer.ts). Absent: `cosmos` is used.
   */
  cosmosWrites?: CosmosClient;
}

/** Made on first use: with keys or emulators no client asks for it, so DefaultAzureCredential is never built. */
export type CredentialSource = () => TokenCredential;

/** One DefaultAzureCredential shared by the clients built together, so they share its token cache. */
export function lazyAzureCredential(): CredentialSource {
  let credential: TokenCredential | undefined;
  return () => (credential ??= new DefaultAzureCredential());
}

/** The S3 client's configuration for these settings; also what the local tooling builds its clients from. */
export type S3Settings = Pick<
  Settings,
  'awsRegion' | 's3Endpoint' | 's3ForcePathStyle' | 'awsRoleArn' | 'awsWebIdentityAudience'
>;
export type CosmosSettings = Pick<Settings, 'cosmosEndpoint' | 'cosmosKey' | 'cosmosAllowSelfSigned'>;

export function s3ClientConfig(settings: S3Settings, azureCredential = lazyAzureCredential()): S3ClientConfig {
  return {
    region: settings.awsRegion,
    endpoint: settings.s3Endpoint,
    forcePathStyle: settings.s3ForcePathStyle,
    // AWS_ROLE_ARN set: the managed identity's Entra ID token is exchanged for role credentials; else default chain.
    credentials: awsCredentialsFor(settings, { tokenSource: settings.awsRoleArn ? azureCredential() : undefined }),
    // Only checksum when an operation requires it: S3-compatible servers reject the newer flexible checksums,
    // and the data files are verified against the manifest's MD5 anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 8,
  };
}

export function createS3Client(settings: S3Settings, azureCredential = lazyAzureCredential()): S3Client {
  return new S3Client(s3ClientConfig(settings, azureCredential));
}

export function createLakeContainerClient(
  settings: Pick<Settings, 'lakeConnectionString' | 'lakeAccountUrl' | 'lakeContainer'>,
  azureCredential = lazyAzureCredential(),
): ContainerClient {
  const service = settings.lakeConnectionString
    ? BlobServiceClient.fromConnectionString(settings.lakeConnectionString)
    : new BlobServiceClient(settings.lakeAccountUrl as string, azureCredential());
  return service.getContainerClient(settings.lakeContainer);
}

export interface CosmosClientTuning {
  /** For callers that run whole-container queries (tests on the local server); SDK default otherwise. */
  requestTimeoutMs?: number;
  /** Retries of throttled requests inside the SDK. Default 9 (the health check asks for 0: it wants an answer now). */
  maxRetryAttemptCount?: number;
}

/** The Cosmos client's options for these settings; also what the local tooling builds its clients from. */
export function cosmosClientOptions(
  settings: CosmosSettings,
  options: CosmosClientTuning = {},
  azureCredential = lazyAzureCredential(),
): CosmosClientOptions {
  const agent = settings.cosmosAllowSelfSigned
    ? new https.Agent({ rejectUnauthorized: false, keepAlive: true })
    : new https.Agent({ keepAlive: true });
  const auth = settings.cosmosKey ? { key: settings.cosmosKey } : { aadCredentials: azureCredential() };
  return {
    endpoint: settings.cosmosEndpoint,
    ...auth,
    agent,
    connectionPolicy: {
      ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
      // The local server has no regional endpoints to discover.
      enableEndpointDiscovery: !settings.cosmosAllowSelfSigned,
      enableBackgroundEndpointRefreshing: !settings.cosmosAllowSelfSigned,
      retryOptions: {
        maxRetryAttemptCount: options.maxRetryAttemptCount ?? 9,
        fixedRetryIntervalInMilliseconds: 0,
        maxWaitTimeInSeconds: 30,
      },
    },
  };
}

export function createCosmosClient(
  settings: CosmosSettings,
  options: CosmosClientTuning = {},
  azureCredential = lazyAzureCredential(),
): CosmosClient {
  const client = new CosmosClient(cosmosClientOptions(settings, options, azureCredential));
  guardRoutingMapCache(client);
  return client;
}

export function createClients(settings: Settings): Clients {
  const azureCredential = lazyAzureCredential();
  return {
    s3: createS3Client(settings, azureCredential),
    lake: createLakeContainerClient(settings, azureCredential),
    cosmos: createCosmosClient(settings, {}, azureCredential),
    cosmosWrites: createCosmosClient(settings, { maxRetryAttemptCount: 0 }, azureCredential),
  };
}
