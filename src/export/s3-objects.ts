import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { MigrationError, scrubbedLine } from '../errors';

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
 * Every S3 failure as a MigrationError naming the object. No retry can fix S3 refusing the app's identity or a
 * bucket that does not exist (permanent codes); anything else (an unknown S3 error, an answer the SDK cannot
 * parse, a broken connection) is `TRANSIENT` with S3's answer in one scrubbed line, so Durable retries it and,
 * if it lasts, the failure says which object and what S3 said instead of carrying the SDK's stack.
 */
function permanentOrSame(error: unknown, at: S3Location): unknown {
  if (error instanceof MigrationError) return error;
  if (!(error instanceof S3ServiceException)) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new MigrationError('TRANSIENT', `${s3Url(at)}: the S3 request failed (${scrubbedLine(what)})`, {
      cause: error,
    });
  }
  if (error.name === 'AccessDenied' || error.name === 'Forbidden' || error.$metadata?.httpStatusCode === 403) {
    return new MigrationError(
      'SOURCE_ACCESS_DENIED',
      `${s3Url(at)}: S3 denied access (HTTP 403${error.name === 'Unknown' ? '' : ` ${error.name}`}); the app's AWS identity needs s3:GetObject on the export's objects`,
    );
  }
  if (error.name === 'NoSuchBucket')
    return new MigrationError('EXPORT_NOT_FOUND', `bucket "${at.bucket}" does not exist (reading ${s3Url(at)})`);
  const status = error.$metadata?.httpStatusCode;
  return new MigrationError(
    'TRANSIENT',
    `${s3Url(at)}: S3 answered${status ? ` HTTP ${status}` : ''} ${error.name === 'Unknown' ? '' : `${error.name} `}(${scrubbedLine(error.message)})`,
    { cause: error },
  );
}

/** `permanentOrSame` for callers outside this module that send their own S3 commands (listing a prefix). */
export function s3Failure(error: unknown, at: S3Location): unknown {
  return permanentOrSame(error, at);
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
