import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoItem } from '../../src/mapping';
import { edgeCaseItems, sampleItem } from './items';
import { seededRandom } from './random';

export interface GeneratedFile {
  key: string;
  body: Buffer;
  itemCount: number;
  md5Checksum: string;
}

export interface GeneratedExport {
  exportId: string;
  /** Folder of the export: `<prefix>/AWSDynamoDB/<exportId>`. */
  exportPrefix: string;
  itemCount: number;
  files: GeneratedFile[];
  /** Other objects of the export folder: manifests, their .md5 sidecars, `_started`. */
  objects: { key: string; body: Buffer }[];
}

export interface ExportSpec {
  /** S3 prefix the table was exported under, e.g. `exports/orders`. */
  prefix: string;
  itemCount: number;
  fileCount: number;
  seed?: number;
  /** Extra files holding no item, as DynamoDB writes for empty partitions. Default 1. */
  emptyFiles?: number;
  /** Put the mapping contract's edge cases into the first file. Default true. */
  edgeCases?: boolean;
  tableName?: string;
  exportTime?: string;
  /** Export exactly these items (spread evenly over the files) instead of generated ones; itemCount is ignored. */
  items?: DynamoItem[];
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function fileName(random: () => number): string {
  let name = '';
  for (let i = 0; i < 26; i++) name += BASE32[Math.floor(random() * 32)];
  return `${name}.json.gz`;
}

export function md5Base64(body: Buffer | string): string {
  return createHash('md5').update(body).digest('base64');
}

/** Items of a sample export in file order; file `f` holds a contiguous range, the edge cases lead file 0. */
export function* exportItems(spec: ExportSpec): Generator<{ file: number; item: DynamoItem }> {
  if (spec.items) {
    const perFile = Math.ceil(spec.items.length / spec.fileCount);
    for (let n = 0; n < spec.items.length; n++) yield { file: Math.floor(n / perFile), item: spec.items[n] };
    return;
  }
  const seed = spec.seed ?? 1;
  const edges = spec.edgeCases === false ? [] : edgeCaseItems();
  const generated = Math.max(0, spec.itemCount - edges.length);
  for (const item of edges.slice(0, spec.itemCount)) yield { file: 0, item };
  const perFile = Math.ceil(generated / spec.fileCount);
  for (let n = 0; n < generated; n++)
    yield { file: Math.min(spec.fileCount - 1, Math.floor(n / perFile)), item: sampleItem(seed, n) };
}

/**
 * Builds a DynamoDB full export exactly as AWS lays it out (manifest-summary.json, manifest-files.json as
 * JSON Lines, .md5 sidecars holding base64 MD5, gzipped DynamoDB JSON data files named by 26 base32
 * characters, empty partitions as valid empty gzip streams).
 */
export function buildFullExport(spec: ExportSpec): GeneratedExport {
  const seed = spec.seed ?? 1;
  const random = seededRandom(seed);
  const startMs = Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9);
  const exportId = `${String(startMs).padStart(14, '0')}-${Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const exportPrefix = exportFolder(spec.prefix, exportId);
  // One file's lines at a time, so a 100,000-item export never sits in memory uncompressed.
  const files: GeneratedFile[] = [];
  let current: string[] = [];
  const closeFile = (): void => {
    files.push(gzipDataFile(`${exportPrefix}/data/${fileName(random)}`, current));
    current = [];
  };
  for (const { file, item } of exportItems(spec)) {
    while (files.length < file) closeFile();
    current.push(JSON.stringify({ Item: item }));
  }
  while (files.length < spec.fileCount) closeFile();
  for (let i = 0; i < (spec.emptyFiles ?? 1); i++) closeFile();
  const table = spec.tableName ?? 'Orders';
  const time = spec.exportTime ?? new Date(startMs).toISOString();
  const summary = {
    version: '2020-06-30',
    startTime: time,
    endTime: new Date(Date.parse(time) + 400_000).toISOString(),
    exportTime: time,
  };
  return {
    exportId,
    exportPrefix,
    itemCount: files.reduce((sum, f) => sum + f.itemCount, 0),
    files,
    objects: manifestObjects(exportId, exportPrefix, spec.prefix, table, files, summary),
  };
}

/** Bucket-level view of a table's exports: `<prefix>/AWSDynamoDB/<ExportId>` for an export id. */
export function exportFolder(prefix: string, exportId: string): string {
  const clean = prefix.replace(/\/+$/, '');
  return clean ? `${clean}/AWSDynamoDB/${exportId}` : `AWSDynamoDB/${exportId}`;
}

export function gzipDataFile(key: string, lines: string[]): GeneratedFile {
  const body = gzipSync(lines.length ? lines.join('\n') + '\n' : '');
  return { key, body, itemCount: lines.length, md5Checksum: md5Base64(body) };
}

/**
 * The manifests of an export as DynamoDB writes them: manifest-files.json (JSON Lines with base64 MD5 and a
 * multipart-style ETag), manifest-summary.json with `summary`'s time fields, their .md5 sidecars and `_started`.
 */
export function manifestObjects(
  exportId: string,
  exportPrefix: string,
  prefix: string,
  table: string,
  files: GeneratedFile[],
  summary: Record<string, unknown>,
): { key: string; body: Buffer }[] {
  const manifestFiles =
    files
      .map((f) =>
        JSON.stringify({
          itemCount: f.itemCount,
          md5Checksum: f.md5Checksum,
          etag: `${createHash('md5').update(createHash('md5').update(f.body).digest()).digest('hex')}-1`,
          dataFileS3Key: f.key,
        }),
      )
      .join('\n') + '\n';
  const summaryText = JSON.stringify({
    version: summary.version,
    exportArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${table}/export/${exportId}`,
    startTime: summary.startTime,
    endTime: summary.endTime,
    tableArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${table}`,
    tableId: '7d0c2a55-1e4b-4b7e-9c11-2f6f0a9e8b31',
    ...summary,
    s3Bucket: 'source-bucket',
    s3Prefix: prefix,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${exportPrefix}/manifest-files.json`,
    billedSizeBytes: files.reduce((sum, f) => sum + f.body.length, 0),
    itemCount: files.reduce((sum, f) => sum + f.itemCount, 0),
    outputFormat: 'DYNAMODB_JSON',
  });
  return [
    { key: `${exportPrefix}/_started`, body: Buffer.alloc(0) },
    { key: `${exportPrefix}/manifest-files.json`, body: Buffer.from(manifestFiles) },
    { key: `${exportPrefix}/manifest-files.md5`, body: Buffer.from(md5Base64(manifestFiles)) },
    { key: `${exportPrefix}/manifest-summary.json`, body: Buffer.from(summaryText) },
    { key: `${exportPrefix}/manifest-summary.md5`, body: Buffer.from(md5Base64(summaryText)) },
  ];
}
