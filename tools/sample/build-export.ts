import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoItem } from '../../src/mapping';
import { ionItemLine, ionLineFromJson, Spelling } from './ion-lines';
import { edgeCaseItems, sampleItem } from './items';
import { seededRandom } from './random';

/** DynamoDB's two export formats (`ExportFormat`). */
export type ExportFormat = 'DYNAMODB_JSON' | 'ION';

/**
 * How an Ion export spells numbers and names (tools/sample/ion-lines.ts): `aws` as DynamoDB does, `literal` each
 * `N` string's own spelling, `varied` every spelling a reader must accept, chosen by a random seeded from the
 * export's seed.
 */
export type IonSpelling = 'aws' | 'literal' | 'varied';

/** The format and, for Ion, the spelling of an export's data lines. */
export interface LineFormat {
  /** Default DYNAMODB_JSON. */
  format?: ExportFormat;
  /** Ion only; default `aws`. */
  ionSpelling?: IonSpelling;
}

/** The spelling source of an Ion export: a random of its own, so the export's other random choices stay put. */
export function ionSpellingOf(spelling: IonSpelling | undefined, seed: number): Spelling {
  return spelling === 'varied' ? seededRandom(seed ^ 0x5eed_10) : (spelling ?? 'aws');
}

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

export interface ExportSpec extends LineFormat {
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

export function fileName(random: () => number, format: ExportFormat = 'DYNAMODB_JSON'): string {
  let name = '';
  for (let i = 0; i < 26; i++) name += BASE32[Math.floor(random() * 32)];
  return `${name}${format === 'ION' ? '.ion.gz' : '.json.gz'}`;
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
 * JSON Lines, .md5 sidecars holding base64 MD5, gzipped data files named by 26 base32 characters, in DynamoDB
 * JSON or, with `format: 'ION'`, Amazon Ion text, empty partitions as valid empty gzip streams).
 */
export function buildFullExport(spec: ExportSpec): GeneratedExport {
  const seed = spec.seed ?? 1;
  const random = seededRandom(seed);
  const format = spec.format ?? 'DYNAMODB_JSON';
  const spelling = ionSpellingOf(spec.ionSpelling, seed);
  const startMs = Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9);
  const exportId = `${String(startMs).padStart(14, '0')}-${Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const exportPrefix = exportFolder(spec.prefix, exportId);
  // One file's lines at a time, so a 100,000-item export never sits in memory uncompressed.
  const files: GeneratedFile[] = [];
  let current: string[] = [];
  const closeFile = (): void => {
    files.push(gzipDataFile(`${exportPrefix}/data/${fileName(random, format)}`, current));
    current = [];
  };
  for (const { file, item } of exportItems(spec)) {
    while (files.length < file) closeFile();
    current.push(format === 'ION' ? ionItemLine(item, spelling) : JSON.stringify({ Item: item }));
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
    outputFormat: format,
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
 * multipart-style ETag), manifest-summary.json with `summary`'s time fields and `outputFormat` (default
 * DYNAMODB_JSON), their .md5 sidecars and `_started`.
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
  const { outputFormat = 'DYNAMODB_JSON', ...fields } = summary;
  const summaryText = JSON.stringify({
    version: fields.version,
    exportArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${table}/export/${exportId}`,
    startTime: fields.startTime,
    endTime: fields.endTime,
    tableArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${table}`,
    tableId: '7d0c2a55-1e4b-4b7e-9c11-2f6f0a9e8b31',
    ...fields,
    s3Bucket: 'source-bucket',
    s3Prefix: prefix,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${exportPrefix}/manifest-files.json`,
    billedSizeBytes: files.reduce((sum, f) => sum + f.body.length, 0),
    itemCount: files.reduce((sum, f) => sum + f.itemCount, 0),
    outputFormat,
  });
  return [
    { key: `${exportPrefix}/_started`, body: Buffer.alloc(0) },
    { key: `${exportPrefix}/manifest-files.json`, body: Buffer.from(manifestFiles) },
    { key: `${exportPrefix}/manifest-files.md5`, body: Buffer.from(md5Base64(manifestFiles)) },
    { key: `${exportPrefix}/manifest-summary.json`, body: Buffer.from(summaryText) },
    { key: `${exportPrefix}/manifest-summary.md5`, body: Buffer.from(md5Base64(summaryText)) },
  ];
}

/**
 * The same export written as Amazon Ion: every data line re-encoded (`Item` lines and change records alike),
 * the files renamed `*.ion.gz`, the manifests rewritten with `outputFormat: "ION"` and the new checksums. Same
 * export id, same records in the same order: the Ion twin of a DynamoDB JSON export, for chains that mix formats.
 */
export function toIonExport(generated: GeneratedExport, spelling: IonSpelling = 'aws', seed = 1): GeneratedExport {
  const lineSpelling = ionSpellingOf(spelling, seed);
  const files = generated.files.map((file) => {
    const text = gunzipSync(file.body).toString('utf8');
    const lines = text.split('\n').filter((line) => line.length > 0);
    return gzipDataFile(
      file.key.replace(/\.json\.gz$/, '.ion.gz'),
      lines.map((line) => ionLineFromJson(line, lineSpelling)),
    );
  });
  const summaryObject = generated.objects.find((o) => o.key.endsWith('/manifest-summary.json'));
  if (!summaryObject) throw new Error(`${generated.exportPrefix} has no manifest-summary.json`);
  const summary = JSON.parse(summaryObject.body.toString('utf8')) as Record<string, unknown>;
  const table = String(summary.tableArn).slice(String(summary.tableArn).lastIndexOf('/') + 1);
  return {
    ...generated,
    files,
    objects: manifestObjects(generated.exportId, generated.exportPrefix, String(summary.s3Prefix ?? ''), table, files, {
      ...summary,
      outputFormat: 'ION',
    }),
  };
}
