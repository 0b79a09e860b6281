import { ContainerClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { readGzipEntries } from '../export/read-lines';
import { parseRecord, RecordError } from '../export/records';
import { mapItem, mapKeys, MappingError, MappingOptions, newMappingStats } from '../mapping';
import { bucketOf, documentKey } from './buckets';
import { contentHash } from './canonical';
import { expectedLine, ExpectedRecord } from './records';
import { SpillWriter } from './spill';
import { ExpectedUnit, UnitTotals } from './types';

/** What one line of an export file expects of the container, or undefined for a line the loads dead-letter. */
export function expectationOf(
  text: string,
  unit: Pick<ExpectedUnit, 'seq' | 'fileIndex' | 'incremental'>,
  line: number,
  mapping: MappingOptions,
): { record: ExpectedRecord; document?: Record<string, unknown> } | undefined {
  try {
    const parsed = parseRecord(text, unit.incremental);
    const where = { seq: unit.seq, fileIndex: unit.fileIndex, line };
    if (parsed.kind === 'put') {
      // The real mapper, as the load ran it: the expected document is what the load wrote.
      const mapped = mapItem(parsed.item, mapping, newMappingStats());
      const pk = JSON.stringify(mapped.partitionKey);
      return {
        record: { id: mapped.id, pk, hash: contentHash(mapped.document), op: 'put', ...where },
        document: mapped.document,
      };
    }
    const key = mapKeys(parsed.keys, mapping);
    return { record: { id: key.id, pk: JSON.stringify(key.partitionKey), hash: '', op: 'delete', ...where } };
  } catch (error) {
    if (error instanceof RecordError || error instanceof MappingError) return undefined;
    throw error;
  }
}

/** Streams an export file's lake copy and hands out each line after `after`; a line over the cap is skipped. */
async function* linesOf(lake: ContainerClient, unit: ExpectedUnit): AsyncGenerator<{ number: number; text?: string }> {
  const download = await lake.getBlockBlobClient(unit.lakePath).download();
  for await (const entry of readGzipEntries(download.readableStreamBody as Readable, unit.key)) {
    if ('skipping' in entry) continue;
    yield 'tooLong' in entry ? { number: entry.number } : entry;
  }
}

/**
 * The expected side of one data file: every line mapped with the real mapper and written, as a record with its
 * content hash, to its bucket's spill (spill.ts). Lines the mapping refuses (and lines over the reader's cap)
 * were dead-lettered by the load, so they expect nothing and are only counted. Streams: memory is one spill.
 */
export async function writeExpectedUnit(input: {
  lake: ContainerClient;
  unit: ExpectedUnit;
  mapping: MappingOptions;
  buckets: number;
  folder: string;
}): Promise<UnitTotals> {
  const spill = new SpillWriter(input.lake, input.folder, input.buckets);
  let unmappable = 0;
  for await (const line of linesOf(input.lake, input.unit)) {
    if (line.text === undefined) {
      unmappable++;
      continue;
    }
    if (line.text.trim() === '') continue;
    const expected = expectationOf(line.text, input.unit, line.number, input.mapping);
    if (!expected) {
      unmappable++;
      continue;
    }
    const { record } = expected;
    await spill.add(bucketOf(documentKey(record.id, record.pk), input.buckets), expectedLine(record));
  }
  await spill.close();
  return { records: spill.records, unmappable, requestCharge: 0 };
}

/** The documents some lines of an export file expect, by line number: one pass over the file for all of them. */
export async function expectedDocumentsAt(
  lake: ContainerClient,
  unit: ExpectedUnit,
  lines: Set<number>,
  mapping: MappingOptions,
): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  const last = Math.max(...lines);
  for await (const line of linesOf(lake, unit)) {
    if (line.number > last) break;
    if (!lines.has(line.number) || line.text === undefined) continue;
    const document = expectationOf(line.text, unit, line.number, mapping)?.document;
    if (document) found.set(line.number, document);
  }
  return found;
}
