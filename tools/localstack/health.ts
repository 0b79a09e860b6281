import { S3Client } from '@aws-sdk/client-s3';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { reachS3 } from '../../src/clients/check-dependencies';
import { createCosmosClient, createLakeContainerClient } from '../../src/clients/create-clients';
import { DEFAULT_LAKE_CONTAINER } from './constants';
import { s3ClientConfigFromSettings, type S3ConnectionSettings } from './s3-client-config';
import { parseStorageConnectionString, type StorageAccountEndpoints } from './storage-connection-string';
import type { HealthResult } from './types';

/** The subset of app settings the checks read; process.env satisfies it directly. */
export interface HealthSettings extends S3ConnectionSettings {
  AzureWebJobsStorage?: string;
  LAKE_CONNECTION?: string;
  LAKE_CONTAINER?: string;
  COSMOS_ENDPOINT?: string;
  COSMOS_KEY?: string;
  COSMOS_ALLOW_SELF_SIGNED?: string;
}

export interface HealthOptions {
  /** Budget per service; all services are checked concurrently. Default 3000 ms. */
  timeoutMs?: number;
}

type Check = (signal: AbortSignal) => Promise<string>;

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() reports every network failure as "fetch failed"; the useful part is the cause.
  if (error.cause instanceof Error) return describeError(error.cause);
  const code = (error as { code?: unknown }).code;
  const text = error.message.split('\n')[0] || error.name;
  return typeof code === 'string' || typeof code === 'number' ? `${code}: ${text}` : text;
}

async function run(name: HealthResult['name'], timeoutMs: number, check: Check | string): Promise<HealthResult> {
  if (typeof check === 'string') return { name, ok: false, detail: check };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return { name, ok: true, detail: await check(signal) };
  } catch (error) {
    const detail = signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(error);
    return { name, ok: false, detail };
  }
}

/** Queue and table are probed over plain HTTP with a short-lived account SAS: their SDKs are not dependencies. */
function accountSas(account: StorageAccountEndpoints, services: 'q' | 't'): string | undefined {
  if (account.sas) return account.sas;
  if (!account.accountKey) return undefined;
  return generateAccountSASQueryParameters(
    {
      services: AccountSASServices.parse(services).toString(),
      resourceTypes: AccountSASResourceTypes.parse('sc').toString(),
      permissions: AccountSASPermissions.parse('l'),
      expiresOn: new Date(Date.now() + 5 * 60_000),
    },
    new StorageSharedKeyCredential(account.accountName, account.accountKey),
  ).toString();
}

async function expectOk(url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { signal, headers });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`HTTP ${response.status} ${response.headers.get('x-ms-error-code') ?? response.statusText}`);
  }
}

function storageChecks(connectionString: string | undefined): { queue: Check | string; table: Check | string } {
  if (!connectionString) return { queue: 'AzureWebJobsStorage is not set', table: 'AzureWebJobsStorage is not set' };
  let account: StorageAccountEndpoints;
  try {
    account = parseStorageConnectionString(connectionString);
  } catch (error) {
    const detail = `AzureWebJobsStorage: ${describeError(error)}`;
    return { queue: detail, table: detail };
  }
  const queueSas = accountSas(account, 'q');
  const tableSas = accountSas(account, 't');
  const noCredential = 'AzureWebJobsStorage has neither AccountKey nor SharedAccessSignature';
  return {
    queue: queueSas
      ? async (signal) => {
          await expectOk(`${account.queue}/?comp=list&maxresults=1&${queueSas}`, signal);
          return `${account.queue} lists queues`;
        }
      : noCredential,
    table: tableSas
      ? async (signal) => {
          await expectOk(`${account.table}/Tables?$top=1&${tableSas}`, signal, {
            accept: 'application/json;odata=nometadata',
            'x-ms-version': '2019-02-02',
          });
          return `${account.table} lists tables`;
        }
      : noCredential,
  };
}

/** The app's own lake client for these settings (a connection string here: the emulator has no identity). */
function blobCheck(settings: HealthSettings): Check | string {
  const lakeConnectionString = settings.LAKE_CONNECTION ?? settings.AzureWebJobsStorage;
  if (!lakeConnectionString) return 'neither LAKE_CONNECTION nor AzureWebJobsStorage is set';
  const lakeContainer = settings.LAKE_CONTAINER ?? DEFAULT_LAKE_CONTAINER;
  return async (abortSignal) => {
    const container = createLakeContainerClient({ lakeConnectionString, lakeContainer });
    const exists = await container.exists({ abortSignal });
    return `${container.url} answers; container '${lakeContainer}' ${exists ? 'exists' : 'does not exist yet'}`;
  };
}

/** The app's own S3 check: a role that may not list buckets still proves endpoint and credentials. */
function s3Check(settings: HealthSettings): Check {
  return async (abortSignal) => {
    const client = new S3Client({ ...s3ClientConfigFromSettings(settings), maxAttempts: 1 });
    try {
      await reachS3(client, abortSignal);
      return `${settings.S3_ENDPOINT ?? 'AWS S3'} answers; credentials accepted`;
    } finally {
      client.destroy();
    }
  };
}

function cosmosCheck(settings: HealthSettings): Check | string {
  const { COSMOS_ENDPOINT, COSMOS_KEY } = settings;
  if (!COSMOS_ENDPOINT || !COSMOS_KEY) return 'COSMOS_ENDPOINT or COSMOS_KEY is not set';
  return async (abortSignal) => {
    const client = createCosmosClient(
      {
        cosmosEndpoint: COSMOS_ENDPOINT,
        cosmosKey: COSMOS_KEY,
        cosmosAllowSelfSigned: settings.COSMOS_ALLOW_SELF_SIGNED?.toLowerCase() === 'true',
      },
      { maxRetryAttemptCount: 0 },
    );
    try {
      const { resource } = await client.getDatabaseAccount({ abortSignal });
      return `${COSMOS_ENDPOINT} answers; consistency ${resource?.consistencyPolicy ?? 'unknown'}`;
    } finally {
      client.dispose();
    }
  };
}

/**
 * One cheap authenticated call per service, run concurrently, each bounded by timeoutMs. Never throws:
 * failures are reported per service so GET /api/health can show exactly what is down.
 */
export async function checkHealth(settings: HealthSettings, options: HealthOptions = {}): Promise<HealthResult[]> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const storage = storageChecks(settings.AzureWebJobsStorage);
  return Promise.all([
    run('blob', timeoutMs, blobCheck(settings)),
    run('queue', timeoutMs, storage.queue),
    run('table', timeoutMs, storage.table),
    run('s3', timeoutMs, s3Check(settings)),
    run('cosmos', timeoutMs, cosmosCheck(settings)),
  ]);
}
