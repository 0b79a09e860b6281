import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../../src/clients/create-clients';
import { LOCAL_AWS_REGION, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY } from './constants';

/**
 * The app's own S3 client configuration pointed at s3rver with its built-in credentials. What s3rver needs from
 * AWS SDK v3 (path-style addressing, no flexible checksums: it stores aws-chunked framing as object data) is set
 * by the app's configuration for any S3_ENDPOINT; ListObjectsV2 continuation tokens additionally need s3rver to
 * run with --openssl-legacy-provider, which emulators.ts takes care of.
 */
export function localS3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    ...s3ClientConfig({ awsRegion: LOCAL_AWS_REGION, s3Endpoint: endpoint, s3ForcePathStyle: true }),
    credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
  };
}

export interface S3ConnectionSettings {
  S3_ENDPOINT?: string;
  S3_FORCE_PATH_STYLE?: string;
  AWS_REGION?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
}

/**
 * Client config from app settings: with S3_ENDPOINT set (local stack or another S3-compatible store)
 * it applies the same compatibility settings as localS3ClientConfig; without it, real AWS defaults.
 * Explicit keys win over the SDK's default credential chain only when both are present.
 */
export function s3ClientConfigFromSettings(settings: S3ConnectionSettings): S3ClientConfig {
  const credentials =
    settings.AWS_ACCESS_KEY_ID && settings.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: settings.AWS_ACCESS_KEY_ID, secretAccessKey: settings.AWS_SECRET_ACCESS_KEY }
      : undefined;
  const config = s3ClientConfig({
    awsRegion: settings.AWS_REGION ?? LOCAL_AWS_REGION,
    s3Endpoint: settings.S3_ENDPOINT,
    s3ForcePathStyle: Boolean(settings.S3_ENDPOINT) && settings.S3_FORCE_PATH_STYLE?.toLowerCase() !== 'false',
  });
  return { ...config, ...(credentials ? { credentials } : {}) };
}
