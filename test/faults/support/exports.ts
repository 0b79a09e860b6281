/**
 * Exports with something wrong in them, built from the sample generator's layout: data files replaced by
 * given bytes or lines, manifests rewritten to match (or deliberately not).
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { buildFullExport, GeneratedExport, GeneratedFile, md5Base64 } from '../../../tools/sample/build-export';
import { ensureBucket } from '../../../tools/sample/upload-export';

function object(generated: GeneratedExport, suffix: string): { key: string; body: Buffer } {
  const found = generated.objects.find((o) => o.key.endsWith(suffix));
  if (!found) throw new Error(`the export has no ${suffix}`);
  return found;
}

function setObject(generated: GeneratedExport, suffix: string, body: string): void {
  object(generated, suffix).body = Buffer.from(body);
}

/** Rewrites manifest-files.json, manifest-summary.json and their .md5 sidecars from the data files. */
export function rewriteManifests(
  generated: GeneratedExport,
  summaryChanges: Record<string, unknown> = {},
): GeneratedExport {
  const files =
    generated.files
      .map((f) =>
        JSON.stringify({ itemCount: f.itemCount, md5Checksum: f.md5Checksum, etag: 'x-1', dataFileS3Key: f.key }),
      )
      .join('\n') + '\n';
  setObject(generated, '/manifest-files.json', files);
  setObject(generated, '/manifest-files.md5', md5Base64(files));
  generated.itemCount = generated.files.reduce((sum, f) => sum + f.itemCount, 0);
  const summary = JSON.stringify({
    ...JSON.parse(object(generated, '/manifest-summary.json').body.toString()),
    itemCount: generated.itemCount,
    ...summaryChanges,
  });
  setObject(generated, '/manifest-summary.json', summary);
  setObject(generated, '/manifest-summary.md5', md5Base64(summary));
  return generated;
}

/** A data file holding exactly `body`, listed with `itemCount` items and the MD5 of those bytes. */
export function dataFile(key: string, body: Buffer, itemCount: number): GeneratedFile {
  return { key, body, itemCount, md5Checksum: md5Base64(body) };
}

/** An export whose data files hold the given lines (one gzip file per entry), manifests to match. */
export function exportOfLines(prefix: string, files: string[][], seed = 1): GeneratedExport {
  const generated = buildFullExport({
    prefix,
    itemCount: 0,
    fileCount: files.length,
    emptyFiles: 0,
    edgeCases: false,
    seed,
  });
  generated.files = generated.files.map((f, i) =>
    dataFile(f.key, gzipSync(files[i].length ? files[i].join('\n') + '\n' : ''), files[i].length),
  );
  return rewriteManifests(generated);
}

/** Uploads the export; `skip` names data file keys left out, as if they had been deleted. */
export async function uploadWithout(
  s3: S3Client,
  bucket: string,
  generated: GeneratedExport,
  skip: string[] = [],
): Promise<void> {
  await ensureBucket(s3, bucket);
  for (const { key, body } of [...generated.files, ...generated.objects]) {
    if (skip.includes(key)) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    else await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
}
