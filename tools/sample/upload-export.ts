import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GeneratedExport } from './build-export';

export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

/** Uploads data files first and the summary last, the order DynamoDB writes them in. */
export async function uploadExport(s3: S3Client, bucket: string, generated: GeneratedExport): Promise<void> {
  await ensureBucket(s3, bucket);
  const started = generated.objects.filter((o) => o.key.endsWith('/_started'));
  const manifests = generated.objects.filter((o) => !o.key.endsWith('/_started'));
  for (const object of [...started, ...generated.files.map((f) => ({ key: f.key, body: f.body })), ...manifests]) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body }));
  }
}
