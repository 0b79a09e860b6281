import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';

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

/** Reads a small object as text; undefined when it does not exist. */
export async function readTextIfExists(s3: S3Client, at: S3Location): Promise<string | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return await (response.Body as { transformToString(): Promise<string> }).transformToString();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function headObject(s3: S3Client, at: S3Location): Promise<{ size: number } | undefined> {
  try {
    const response = await s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return { size: response.ContentLength ?? 0 };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function openObjectStream(s3: S3Client, at: S3Location): Promise<Readable> {
  const response = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
  return response.Body as Readable;
}

export function s3Url(at: S3Location): string {
  return `s3://${at.bucket}/${at.key}`;
}
