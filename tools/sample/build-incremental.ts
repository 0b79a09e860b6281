import { DynamoItem } from '../../src/mapping';
import {
  exportFolder,
  fileName,
  GeneratedExport,
  GeneratedFile,
  gzipDataFile,
  ionSpellingOf,
  LineFormat,
  manifestObjects,
} from './build-export';
import { ionChangeLine, Spelling } from './ion-lines';
import { seededRandom } from './random';

export type ExportView = 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE';

/** The net change of one item over an export's window. */
export interface ItemChange {
  keys: DynamoItem;
  /** The item at the end of the window; absent when it was deleted. */
  newImage?: DynamoItem;
  /** The item at the start of the window; absent when it did not exist then. */
  oldImage?: DynamoItem;
  writeTimestampMicros: number;
}

export interface IncrementalSpec extends LineFormat {
  prefix: string;
  /** Window `[fromTime, toTime)`, ISO strings. */
  fromTime: string;
  toTime: string;
  changes: ItemChange[];
  fileCount: number;
  view?: ExportView;
  seed?: number;
  tableName?: string;
}

/** One change record as DynamoDB writes it in Ion; `OldImage` only in the NEW_AND_OLD_IMAGES view. */
export function ionChangeRecordLine(change: ItemChange, view: ExportView, spelling: Spelling = 'aws'): string {
  return ionChangeLine(
    {
      writeTimestampMicros: change.writeTimestampMicros,
      keys: change.keys,
      oldImage: view === 'NEW_AND_OLD_IMAGES' ? change.oldImage : undefined,
      newImage: change.newImage,
    },
    spelling,
  );
}

/** One change record as DynamoDB writes it; `OldImage` only in the NEW_AND_OLD_IMAGES view. */
export function changeRecordLine(change: ItemChange, view: ExportView): string {
  const record: Record<string, unknown> = {
    Metadata: { WriteTimestampMicros: { N: String(change.writeTimestampMicros) } },
    Keys: change.keys,
  };
  if (view === 'NEW_AND_OLD_IMAGES' && change.oldImage) record.OldImage = change.oldImage;
  if (change.newImage) record.NewImage = change.newImage;
  return JSON.stringify(record);
}

/**
 * Builds an incremental export as DynamoDB lays it out: manifests under `<prefix>/AWSDynamoDB/<ExportId>/`,
 * data files in the `<prefix>/AWSDynamoDB/data/` folder that all incremental exports of the prefix share.
 * The export id starts with the export's start time in milliseconds, as real ids do. DynamoDB JSON, or Amazon
 * Ion with `format: 'ION'`.
 */
export function buildIncrementalExport(spec: IncrementalSpec): GeneratedExport {
  const seed = spec.seed ?? Date.parse(spec.toTime);
  const random = seededRandom(seed);
  const view = spec.view ?? 'NEW_AND_OLD_IMAGES';
  const format = spec.format ?? 'DYNAMODB_JSON';
  const spelling = ionSpellingOf(spec.ionSpelling, seed);
  const line = (change: ItemChange): string =>
    format === 'ION' ? ionChangeRecordLine(change, view, spelling) : changeRecordLine(change, view);
  const startMs = Date.parse(spec.toTime) + 60_000;
  const exportId = `${String(startMs).padStart(14, '0')}-${Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const exportPrefix = exportFolder(spec.prefix, exportId);
  const sharedData = exportFolder(spec.prefix, 'data');
  const perFile = Math.ceil(spec.changes.length / Math.max(1, spec.fileCount));
  const files: GeneratedFile[] = [];
  for (let f = 0; f < spec.fileCount; f++) {
    const lines = spec.changes.slice(f * perFile, (f + 1) * perFile).map(line);
    files.push(gzipDataFile(`${sharedData}/${fileName(random, format)}`, lines));
  }
  const summary = {
    version: '2023-08-01',
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(startMs + 250_000).toISOString(),
    exportFromTime: spec.fromTime,
    exportToTime: spec.toTime,
    outputView: view,
    exportType: 'INCREMENTAL_EXPORT',
    outputFormat: format,
  };
  return {
    exportId,
    exportPrefix,
    itemCount: files.reduce((sum, f) => sum + f.itemCount, 0),
    files,
    objects: manifestObjects(exportId, exportPrefix, spec.prefix, spec.tableName ?? 'Orders', files, summary),
  };
}
