import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { Settings } from '../config/settings';
import { awsCredentialsFor } from './aws-credentials';

/** Every external client the activities use, built once per process (the composition root). */
export interface Clients {
  s3: S3Client;
  lake: ContainerClient;
  cosmos: CosmosClient;
}

let credential: TokenCredential | undefined;
function azureCredential(): TokenCredential {
  credential ??= new DefaultAzureCredential();
  return credential;
}

export function createS3Client(settings: Settings): S3Client {
  return new S3Client({
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
  });
}

export function createLakeContainerClient(settings: Settings): ContainerClient {
  const service = settings.lakeConnectionString
    ? BlobServiceClient.fromConnectionString(settings.lakeConnectionString)
    : new BlobServiceClient(settings.lakeAccountUrl as string, azureCredential());
  return service.getContainerClient(settings.lakeContainer);
}

/** `requestTimeoutMs`: for callers that run whole-container queries (tests on the local server); SDK default otherwise. */
export function createCosmosClient(settings: Settings, options: { requestTimeoutMs?: number } = {}): CosmosClient {
  const agent = settings.cosmosAllowSelfSigned
    ? new https.Agent({ rejectUnauthorized: false, keepAlive: true })
    : new https.Agent({ keepAlive: true });
  const auth = settings.cosmosKey ? { key: settings.cosmosKey } : { aadCredentials: azureCredential() };
  return new CosmosClient({
    endpoint: settings.cosmosEndpoint,
    ...auth,
    agent,
    connectionPolicy: {
      ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
      // The local server has no regional endpoints to discover.
      enableEndpointDiscovery: !settings.cosmosAllowSelfSigned,
      retryOptions: { maxRetryAttemptCount: 9, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 30 },
    },
  });
}

export function createClients(settings: Settings): Clients {
  return { s3: createS3Client(settings), lake: createLakeContainerClient(settings), cosmos: createCosmosClient(settings) };
}
