import { Container } from '@azure/cosmos';
import { ContainerClient, RestError } from '@azure/storage-blob';
import { SampleRecord } from './sample-record';
import { RunFolder, samplePath } from '../lake/paths';
import { mapItem, mapKeys, MappingError, MappingOptions, newMappingStats } from '../mapping';
import { parseRecord } from '../export/records';
import { compareDocuments, Difference } from './compare';

export interface Mismatch {
  id: string;
  file: string;
  line: number;
  reason: string;
  differences?: Difference[];
}

export interface SampleCheck {
  sampled: number;
  mismatched: number;
  /** The first mismatches, for the report (the count above is complete). */
  mismatches: Mismatch[];
}

const REPORTED_MISMATCHES = 50;
const READ_CONCURRENCY = 16;

async function readSampleFile(lake: ContainerClient, path: string): Promise<SampleRecord[]> {
  try {
    const buffer = await lake.getBlockBlobClient(path).downloadToBuffer();
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as SampleRecord);
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return [];
    throw error;
  }
}

async function checkRecord(
  container: Container,
  record: SampleRecord,
  mapping: MappingOptions,
  incremental: boolean,
): Promise<Mismatch | undefined> {
  const parsed = parseRecord(record.raw, incremental);
  if (parsed.kind === 'delete') {
    const key = mapKeys(parsed.keys, mapping);
    const { statusCode } = await container.item(key.id, key.partitionKey as never).read();
    return statusCode === 404
      ? undefined
      : {
          id: key.id,
          file: record.file,
          line: record.line,
          reason: 'deleted in the source but still present in Cosmos DB',
        };
  }
  const expected = mapItem(parsed.item, mapping, newMappingStats());
  const { resource, statusCode } = await container
    .item(expected.id, expected.partitionKey as never)
    .read<Record<string, unknown>>();
  if (!resource) {
    return {
      id: expected.id,
      file: record.file,
      line: record.line,
      reason: `not found in Cosmos DB (HTTP ${statusCode})`,
    };
  }
  const differences = compareDocuments(expected.document, resource);
  return differences.length === 0
    ? undefined
    : { id: expected.id, file: record.file, line: record.line, reason: 'attributes differ', differences };
}

/**
 * What one odd record must not do is fail the validation of the whole export on every retry: a record the
 * mapping now refuses, or an id no request URL can carry (a lone surrogate makes the SDK's `encodeURI` throw
 * `URI malformed`), is a mismatch with the reason. Failures of the service (throttling, connections) are still
 * thrown, so the activity is retried.
 */
async function checkRecordSafely(
  container: Container,
  record: SampleRecord,
  mapping: MappingOptions,
  incremental: boolean,
): Promise<Mismatch | undefined> {
  try {
    return await checkRecord(container, record, mapping, incremental);
  } catch (error) {
    if (!(error instanceof URIError || error instanceof MappingError || error instanceof SyntaxError)) throw error;
    return {
      id: '',
      file: record.file,
      line: record.line,
      reason: `cannot be read back to compare: ${error.message.split('\n')[0]}`,
    };
  }
}

/**
 * Reads every sampled record back from Cosmos by id and partition key and compares it, attribute by
 * attribute, with what the mapping makes of the source line. A record that was written more recently by a
 * later export is not this export's concern: callers validate an export right after applying it.
 */
export async function verifySample(input: {
  lake: ContainerClient;
  container: Container;
  /** The run whose loads wrote the samples (runFolder): another run's samples are not this one's to check. */
  run: RunFolder;
  fileIndexes: number[];
  mapping: MappingOptions;
  incremental: boolean;
}): Promise<SampleCheck> {
  // A sample file per data file that had sampled lines: up to one per sampled record, so read them side by side.
  const perFile: SampleRecord[][] = new Array(input.fileIndexes.length);
  let nextFile = 0;
  const reader = async (): Promise<void> => {
    while (nextFile < input.fileIndexes.length) {
      const slot = nextFile++;
      perFile[slot] = await readSampleFile(input.lake, samplePath(input.run, input.fileIndexes[slot]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, input.fileIndexes.length) }, reader));
  const records = perFile.flat();
  const mismatches: Mismatch[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const record = records[next++];
      const mismatch = await checkRecordSafely(input.container, record, input.mapping, input.incremental);
      if (mismatch) mismatches.push(mismatch);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, records.length) }, worker));
  mismatches.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return {
    sampled: records.length,
    mismatched: mismatches.length,
    mismatches: mismatches.slice(0, REPORTED_MISMATCHES),
  };
}
