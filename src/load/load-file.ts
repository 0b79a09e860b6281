import { Container, OperationInput } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { BulkWriter } from '../cosmos/bulk-writer';
import { readGzipLines } from '../export/read-lines';
import { DeadLetterSink } from '../lake/dead-letters';
import { deadLetterPath, samplePath } from '../lake/paths';
import { mapItem, mapKeys, MappingError, MappingOptions, MappingStats, newMappingStats } from '../mapping';
import { Reservoir } from '../validation/reservoir';
import { parseRecord, RecordError } from './records';

export interface LoadFileInput {
  lake: ContainerClient;
  container: Container;
  /** Raw copy of the data file in the lake (what is loaded; S3 is not read again). */
  lakePath: string;
  /** Name used in dead letters and messages: the data file's S3 key. */
  sourceName: string;
  fileIndex: number;
  incremental: boolean;
  mapping: MappingOptions;
  /** Folder for this migration's dead letters and samples. */
  migrationFolder: string;
  sampleQuota: number;
  /** Bulk requests in flight. Default 4. */
  concurrency?: number;
}

export interface LoadFileResult {
  fileIndex: number;
  linesRead: number;
  written: number;
  deleted: number;
  deadLettered: number;
  sampled: number;
  requestCharge: number;
  retries: number;
  stats: MappingStats;
}

/** What a sampled record needs for validation: enough to map it again and point-read the result. */
export interface SampleRecord {
  file: string;
  line: number;
  kind: 'put' | 'delete';
  raw: string;
}

interface LineMeta {
  line: number;
  raw: string;
}

/**
 * Loads one data file from the lake into Cosmos: gunzip → lines → records → mapping → bulk upserts/deletes.
 * Everything streams with back-pressure from the bulk writer; lines that cannot be written go to the
 * dead-letter blob with their reason; a reservoir keeps this file's share of the validation sample.
 */
export async function loadFile(input: LoadFileInput): Promise<LoadFileResult> {
  const stats = newMappingStats();
  const deadLetters = new DeadLetterSink(
    input.lake.getAppendBlobClient(deadLetterPath(input.migrationFolder, input.fileIndex)),
    false,
  );
  const sample = new Reservoir<SampleRecord>(input.sampleQuota);
  const result: LoadFileResult = {
    fileIndex: input.fileIndex,
    linesRead: 0,
    written: 0,
    deleted: 0,
    deadLettered: 0,
    sampled: 0,
    requestCharge: 0,
    retries: 0,
    stats,
  };
  const rejected: { meta: LineMeta; reason: string }[] = [];
  const writer = new BulkWriter<LineMeta>(input.container, {
    concurrency: input.concurrency,
    onWritten(meta: LineMeta, operation: OperationInput) {
      const kind = operation.operationType === 'Delete' ? 'delete' : 'put';
      if (kind === 'delete') result.deleted++;
      else result.written++;
      sample.offer({ file: input.sourceName, line: meta.line, kind, raw: meta.raw });
    },
    onRejected(meta: LineMeta, reason: string) {
      rejected.push({ meta, reason });
    },
  });

  const deadLetter = async (line: number, reason: string, raw: string): Promise<void> => {
    await deadLetters.add({ file: input.sourceName, line, reason, raw });
  };

  const download = await input.lake.getBlockBlobClient(input.lakePath).download();
  const stream = download.readableStreamBody as Readable;
  for await (const line of readGzipLines(stream, input.sourceName)) {
    result.linesRead++;
    let operation: OperationInput;
    try {
      const record = parseRecord(line.text, input.incremental);
      if (record.kind === 'put') {
        const mapped = mapItem(record.item, input.mapping, stats);
        operation = { operationType: 'Upsert', partitionKey: mapped.partitionKey as never, resourceBody: mapped.document as never };
      } else {
        const key = mapKeys(record.keys, input.mapping);
        operation = { operationType: 'Delete', id: key.id, partitionKey: key.partitionKey as never };
      }
    } catch (error) {
      if (error instanceof RecordError || error instanceof MappingError) {
        await deadLetter(line.number, error.message, line.text);
        continue;
      }
      throw error;
    }
    await writer.write(operation, { line: line.number, raw: line.text }, line.text.length);
    while (rejected.length > 0) {
      const { meta, reason } = rejected.shift() as { meta: LineMeta; reason: string };
      await deadLetter(meta.line, reason, meta.raw);
    }
  }
  await writer.flush();
  for (const { meta, reason } of rejected) await deadLetter(meta.line, reason, meta.raw);
  await deadLetters.flush();

  result.deadLettered = deadLetters.count;
  result.requestCharge = Math.round(writer.requestCharge * 100) / 100;
  result.retries = writer.retries;
  result.sampled = sample.items.length;
  const sampleBlob = input.lake.getBlockBlobClient(samplePath(input.migrationFolder, input.fileIndex));
  if (sample.items.length > 0) {
    const body = sample.items.map((record) => JSON.stringify(record)).join('\n') + '\n';
    await sampleBlob.upload(body, Buffer.byteLength(body));
  } else {
    await sampleBlob.deleteIfExists();
  }
  return result;
}
