import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { LOCAL_AWS_REGION, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY } from './constants';

/**
 * S3ClientConfig that works against s3rver 3.7.1 with AWS SDK v3 (client-s3 3.11xx).
 *
 * - forcePathStyle: s3rver only recognises virtual-hosted buckets under *.amazonaws.com/*.localhost;
 *   `http://127.0.0.1:4568/<bucket>` is the only form that resolves.
 * - requestChecksumCalculation 'WHEN_REQUIRED': by default the SDK sends streaming bodies
 *   (PutObject/UploadPart with a Readable) as `Content-Encoding: aws-chunked` with a trailing
 *   x-amz-checksum-crc32. s3rver does not decode aws-chunked and stores the chunk framing as object
 *   data (a 100000-byte upload became 100045 bytes), silently corrupting the object.
 * - responseChecksumValidation 'WHEN_REQUIRED': stops the SDK asking for `x-amz-checksum-mode`,
 *   which s3rver ignores anyway; keeps GetObject behaviour identical for stream and Range reads.
 * Operations whose checksum S3 requires (DeleteObjects) still send x-amz-checksum-crc32, which s3rver accepts.
 * ListObjectsV2 continuation tokens additionally need the emulator process to run with
 * --openssl-legacy-provider (s3rver encrypts them with DES); emulators.ts takes care of that.
 */
export function localS3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: LOCAL_AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
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
  const region = settings.AWS_REGION ?? LOCAL_AWS_REGION;
  if (!settings.S3_ENDPOINT) return { region, ...(credentials ? { credentials } : {}) };
  return {
    ...localS3ClientConfig(settings.S3_ENDPOINT),
    region,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE?.toLowerCase() !== 'false',
    ...(credentials ? { credentials } : {}),
  };
}
