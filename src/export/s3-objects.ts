import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { MigrationError } from '../errors';

export interface S3Location {
  bucket: string;
  key: string;
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404;
  }
  return false;
}

/**
 * Failures no retry can fix, as a permanent MigrationError naming the object: S3 refused the app's identity,
 * or the bucket does not exist. Anything else is returned as it is (the SDK has already retried throttling
 * and server errors).
 */
function permanentOrSame(error: unknown, at: S3Location): unknown {
  if (!(error instanceof S3ServiceException)) return error;
  if (error.name === 'AccessDenied' || error.name === 'Forbidden' || error.$metadata?.httpStatusCode === 403) {
    return new MigrationError(
      'SOURCE_ACCESS_DENIED',
      `${s3Url(at)}: S3 denied access (HTTP 403${error.name === 'Unknown' ? '' : ` ${error.name}`}); the app's AWS identity needs s3:GetObject on the export's objects`,
    );
  }
  if (error.name === 'NoSuchBucket')
    return new MigrationError('EXPORT_NOT_FOUND', `bucket "${at.bucket}" does not exist (reading ${s3Url(at)})`);
  return error;
}

/** Reads a small object as text; undefined when it does not exist. */
export async function readTextIfExists(s3: S3Client, at: S3Location): Promise<string | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return await (response.Body as { transformToString(): Promise<string> }).transformToString();
  } catch (error) {
    if (error instanceof S3ServiceException && error.name === 'NoSuchBucket') throw permanentOrSame(error, at);
    if (isNotFound(error)) return undefined;
    throw permanentOrSame(error, at);
  }
}

export async function headObject(s3: S3Client, at: S3Location): Promise<{ size: number } | undefined> {
  try {
    const response = await s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return { size: response.ContentLength ?? 0 };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw permanentOrSame(error, at);
  }
}

export async function openObjectStream(s3: S3Client, at: S3Location): Promise<Readable> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return response.Body as Readable;
  } catch (error) {
    throw permanentOrSame(error, at);
  }
}

export function s3Url(at: S3Location): string {
  return `s3://${at.bucket}/${at.key}`;
}
