import { DocumentKey, DynamoItem, MappedDocument, mapItem, mapKeys, MappingOptions, MappingStats } from '../mapping';
import { IonRecordError, isIonLine, parseIonRecord } from './ion';
import { mapJsonItemLine } from './json-item-line';

/** One line of a data file, decoded: a full export's item, or an incremental export's change record. */
export type ExportRecord = { kind: 'put'; item: DynamoItem } | { kind: 'delete'; keys: DynamoItem };

export class RecordError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Decodes a line. Full exports wrap each item in `Item`; incremental ones carry `Keys` and, unless the item
 * was deleted, `NewImage` (the whole item after the change). A NEW_IMAGE delete is `Keys` alone.
 * A line that begins with `$ion_1_0` is Amazon Ion (an `outputFormat: "ION"` export) and gives the same record
 * as the item in DynamoDB JSON (src/export/ion, docs/export-formats.md); any other line is DynamoDB JSON.
 */
export function parseRecord(text: string, incremental: boolean): ExportRecord {
  if (isIonLine(text)) {
    try {
      return parseIonRecord(text, incremental);
    } catch (error) {
      if (error instanceof IonRecordError) throw new RecordError(error.message);
      throw error;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const hint = /^\s*\{/.test(text) ? '' : '; an Ion export line begins with $ion_1_0';
    throw new RecordError(`line is not valid JSON (${(error as Error).message})${hint}`);
  }
  if (!isObject(value)) throw new RecordError('line is not a JSON object');
  if (!incremental) {
    if (!isObject(value.Item)) throw new RecordError('a full export line must have an "Item" object');
    return { kind: 'put', item: value.Item as DynamoItem };
  }
  if (isObject(value.NewImage)) return { kind: 'put', item: value.NewImage as DynamoItem };
  if (value.NewImage !== undefined) throw new RecordError('"NewImage" must be an object');
  if (!isObject(value.Keys)) throw new RecordError('an incremental export line must have a "Keys" object');
  return { kind: 'delete', keys: value.Keys as DynamoItem };
}

/** A line decoded and mapped: the document to upsert, or the key of the document to delete. */
export type MappedRecord = { kind: 'put'; mapped: MappedDocument } | { kind: 'delete'; key: DocumentKey };

/**
 * A line decoded and mapped (mapping.md): `mapItem` of a put's item, `mapKeys` of a delete's keys. A full
 * export's DynamoDB JSON line is read straight into its document (json-item-line.ts); any other line, and any
 * that reader leaves, goes through `parseRecord`. Either way the same result, or the same RecordError or
 * MappingError.
 */
export function mapRecord(
  text: string,
  incremental: boolean,
  options: MappingOptions,
  stats: MappingStats,
): MappedRecord {
  if (!incremental) {
    const mapped = mapJsonItemLine(text, options, stats);
    if (mapped !== undefined) return { kind: 'put', mapped };
  }
  const record = parseRecord(text, incremental);
  return record.kind === 'put'
    ? { kind: 'put', mapped: mapItem(record.item, options, stats) }
    : { kind: 'delete', key: mapKeys(record.keys, options) };
}
