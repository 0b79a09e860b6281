/**
 * App settings, read once from the environment (Azure app settings, local.settings.json, or the local stack).
 * Keys and connection strings are optional: without them Azure access uses DefaultAzureCredential.
 */
export interface Settings {
  /** ADLS Gen2 / Blob account for raw copies, dead letters and reports. Connection string wins over the URL. */
  lakeConnectionString?: string;
  /** e.g. https://<account>.blob.core.windows.net — used with managed identity. */
  lakeAccountUrl?: string;
  /** Container (file system) in the lake. Default `lake`. */
  lakeContainer: string;
  cosmosEndpoint: string;
  /** Only for the emulator; in Azure the managed identity's data-plane role is used. */
  cosmosKey?: string;
  /** Trust self-signed certificates (the local Cosmos server). Default false. */
  cosmosAllowSelfSigned: boolean;
  /** S3-compatible endpoint for local runs; unset in production (real S3). */
  s3Endpoint?: string;
  s3ForcePathStyle: boolean;
  awsRegion: string;
  /**
   * IAM role assumed with an Entra ID token of the app's managed identity (STS AssumeRoleWithWebIdentity).
   * Unset: the AWS SDK's default chain (e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from Key Vault references).
   */
  awsRoleArn?: string;
  /** Audience of that Entra ID token; the IAM identity provider must list it. Default `api://AzureADTokenExchange`. */
  awsWebIdentityAudience?: string;
  /** Comma-separated `bucket` or `bucket/prefix` entries the app may read; empty = any bucket. */
  allowedSources: string[];
  /** Seconds a load of one data file may run before it stops at a checkpoint. Default 540. */
  loadTimeBudgetSeconds: number;
  /** Block size of the server-side copy into the lake; unset: the copy's default (64 MiB). A tuning knob, and how local tests make small files span several blocks. */
  lakeCopyBlockBytes?: number;
  /**
   * `COSMOS_THROUGHPUT`: the targets' throughput as `infra/` provisions it (`app=autoscale:4000`, `*=serverless`),
   * for the default RU cap where the throughput offer cannot be read (src/cosmos/throughput.ts). Unset: none.
   */
  cosmosThroughput?: string;
}

import { MigrationError } from '../errors';

/** A setting that is missing or wrong will not fix itself: CONFIGURATION is permanent, so it is not retried. */
function configuration(message: string): MigrationError {
  return new MigrationError('CONFIGURATION', message);
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return /^(1|true|yes)$/i.test(value);
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw configuration(`App setting ${name} must be a positive number, got "${value}"`);
  return n;
}

function wholeBytes(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw configuration(`App setting ${name} must be a whole number of bytes, got "${value}"`);
  }
  return bytes;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const cosmosEndpoint = env.COSMOS_ENDPOINT ?? env.COSMOS_CONNECTION__accountEndpoint;
  if (!cosmosEndpoint) throw configuration('App setting COSMOS_ENDPOINT is not set');
  if (!env.LAKE_CONNECTION && !env.LAKE_ACCOUNT_URL) {
    throw configuration('Set LAKE_ACCOUNT_URL (managed identity) or LAKE_CONNECTION (emulator) for the data lake');
  }
  return {
    lakeConnectionString: env.LAKE_CONNECTION || undefined,
    lakeAccountUrl: env.LAKE_ACCOUNT_URL || undefined,
    lakeContainer: env.LAKE_CONTAINER || 'lake',
    cosmosEndpoint,
    cosmosKey: env.COSMOS_KEY || undefined,
    cosmosAllowSelfSigned: flag(env.COSMOS_ALLOW_SELF_SIGNED, false),
    s3Endpoint: env.S3_ENDPOINT || undefined,
    s3ForcePathStyle: flag(env.S3_FORCE_PATH_STYLE, Boolean(env.S3_ENDPOINT)),
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    awsRoleArn: env.AWS_ROLE_ARN || undefined,
    awsWebIdentityAudience: env.AWS_WEB_IDENTITY_AUDIENCE || undefined,
    allowedSources: (env.ALLOWED_SOURCES ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    loadTimeBudgetSeconds: positiveNumber('LOAD_TIME_BUDGET_SECONDS', env.LOAD_TIME_BUDGET_SECONDS, 540),
    lakeCopyBlockBytes: wholeBytes('LAKE_COPY_BLOCK_BYTES', env.LAKE_COPY_BLOCK_BYTES),
    cosmosThroughput: env.COSMOS_THROUGHPUT?.trim() || undefined,
  };
}
