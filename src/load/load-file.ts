import { Container, OperationInput } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { BulkWriter, BulkWriterOptions } from '../cosmos/bulk-writer';
import { MigrationError } from '../errors';
import { readGzipLines } from '../export/read-lines';
import { DeadLetterSink } from '../lake/dead-letters';
import { checkpointPath, deadLetterPath, samplePath } from '../lake/paths';
import { mapItem, mapKeys, MappingError, MappingOptions, MappingStats, newMappingStats } from '../mapping';
import { LoadCheckpoint, LoadTotals, readCheckpoint, truncateDeadLetters, writeCheckpoint } from './checkpoint';
import { LineLedger, PendingLine } from './line-ledger';
import { parseRecord, RecordError } from '../export/records';

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
  /** Folder for this migration's dead letters, samples and checkpoints. */
  migrationFolder: string;
  sampleQuota: number;
  /** Bulk requests in flight. Default 4. */
  concurrency?: number;
  /** The migration's RU budget (cosmos/ru-budget.ts), shared with its other loads in this process. Default: none. */
  ruBudget?: BulkWriterOptions<unknown>['ruBudget'];
  /** The migration run; a checkpoint left by another run is ignored and the file loads from line 1. */
  runId: string;
  /** Stop at a checkpoint once this much time has passed; the result then says `complete: false`. Default: none. */
  timeBudgetMs?: number;
  /** How often progress is saved to the checkpoint. Default 5000 ms (half the time budget if that is shorter). */
  checkpointIntervalMs?: number;
  /** Receives one line per resume, checkpoint and stop. */
  log?: (line: string) => void;
}

export interface LoadFileResult extends LoadTotals {
  fileIndex: number;
  sampled: number;
  /** False when the load stopped at its time budget: loading the file again continues from the checkpoint. */
  complete: boolean;
  /** Set when this load continued from a checkpoint: every line up to this one had been loaded before. */
  resumedAfterLine?: number;
}

const DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;
/** Lines written but not yet settled behind a slow one; beyond this the reader waits (bounds memory). */
const MAX_UNSETTLED = 50_000;

/** The checkpoint to continue from, if it belongs to this run and this copy of the file and can be honoured. */
async function resumePoint(input: LoadFileInput, etag: string, path: string): Promise<LoadCheckpoint | undefined> {
  const checkpoint = await readCheckpoint(input.lake, path);
  if (
    !checkpoint ||
    checkpoint.runId !== input.runId ||
    checkpoint.lakePath !== input.lakePath ||
    checkpoint.etag !== etag
  )
    return undefined;
  if (checkpoint.complete) return checkpoint;
  const blob = input.lake.getAppendBlobClient(deadLetterPath(input.migrationFolder, input.fileIndex));
  return (await truncateDeadLetters(blob, checkpoint.deadLetterBytes)) ? checkpoint : undefined;
}

function operationFor(
  text: string,
  input: LoadFileInput,
  stats: MappingStats,
): { operation: OperationInput; kind: 'put' | 'delete' } {
  const record = parseRecord(text, input.incremental);
  if (record.kind === 'put') {
    const mapped = mapItem(record.item, input.mapping, stats);
    return {
      kind: 'put',
      operation: {
        operationType: 'Upsert',
        partitionKey: mapped.partitionKey as never,
        resourceBody: mapped.document as never,
      },
    };
  }
  const key = mapKeys(record.keys, input.mapping);
  return {
    kind: 'delete',
    operation: { operationType: 'Delete', id: key.id, partitionKey: key.partitionKey as never },
  };
}

/**
 * Loads one data file from the lake into Cosmos: gunzip → lines → records → mapping → bulk upserts/deletes.
 * Everything streams with back-pressure from the bulk writer; lines that cannot be written go to the
 * dead-letter blob with their reason; a reservoir keeps this file's share of the validation sample.
 *
 * Progress is checkpointed every few seconds without pausing the writes (see LineLedger). A load that was
 * killed, failed or ran out of its time budget continues after the checkpoint's line; lines after it are
 * written again (upserts and deletes are idempotent) but counted once. A file whose gzip data breaks off
 * keeps what could be read before the break and fails with CORRUPT_GZIP saying how far that was.
 */
export async function loadFile(input: LoadFileInput): Promise<LoadFileResult> {
  const log = input.log ?? (() => undefined);
  const startedAt = Date.now();
  const checkpointBlob = checkpointPath(input.migrationFolder, input.fileIndex);
  const source = input.lake.getBlockBlobClient(input.lakePath);
  const etag = (await source.getProperties()).etag ?? '';
  const resume = await resumePoint(input, etag, checkpointBlob);
  if (resume?.complete) {
    log(`${input.sourceName}: already loaded by this run (checkpoint), nothing to do`);
    return { ...resume.totals, fileIndex: input.fileIndex, sampled: resume.sample.items.length, complete: true };
  }
  if (resume) log(`${input.sourceName}: resuming from checkpoint after line ${resume.settledThrough}`);

  const deadLetters = new DeadLetterSink(
    input.lake.getAppendBlobClient(deadLetterPath(input.migrationFolder, input.fileIndex)),
    resume !== undefined,
    resume ? { count: resume.totals.deadLettered, bytes: resume.deadLetterBytes } : undefined,
  );
  const ledger = new LineLedger(input.sourceName, deadLetters, input.sampleQuota, resume);
  const writer = new BulkWriter<PendingLine>(input.container, {
    concurrency: input.concurrency,
    ruBudget: input.ruBudget,
    onWritten(pending: PendingLine) {
      pending.state = 'written';
    },
    onRejected(pending: PendingLine, reason: string) {
      pending.state = 'rejected';
      pending.reason = reason;
    },
  });

  const checkpoint = async (complete: boolean): Promise<LoadTotals> => {
    await ledger.settle();
    const settledThrough = ledger.settledThrough();
    const state: LoadCheckpoint = {
      version: 1,
      runId: input.runId,
      lakePath: input.lakePath,
      etag,
      settledThrough,
      readThrough: Math.max(ledger.readThrough, resume?.readThrough ?? 0),
      complete,
      totals: ledger.snapshot(writer),
      deadLetterBytes: 0,
      sample: { seen: ledger.sample.seen, items: [...ledger.sample.items] },
    };
    await deadLetters.flush();
    state.deadLetterBytes = deadLetters.bytes;
    await writeCheckpoint(input.lake, checkpointBlob, state);
    if (!complete) log(`${input.sourceName}: checkpoint after line ${settledThrough}`);
    return state.totals;
  };

  /** Reads and writes the lines after the checkpoint; true when it stopped early for the time budget. */
  const readLines = async (): Promise<boolean> => {
    const skipThrough = resume?.settledThrough ?? 0;
    const countedThrough = resume?.readThrough ?? 0;
    const uncounted = newMappingStats();
    const interval = Math.min(
      input.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
      (input.timeBudgetMs ?? Infinity) / 2,
    );
    let nextCheckpoint = Date.now() + interval;
    const download = await source.download();
    for await (const line of readGzipLines(download.readableStreamBody as Readable, input.sourceName)) {
      if (line.number <= skipThrough) continue;
      const counted = line.number > countedThrough;
      if (counted) ledger.totals.linesRead++;
      let next: ReturnType<typeof operationFor>;
      try {
        next = operationFor(line.text, input, counted ? ledger.totals.stats : uncounted);
      } catch (error) {
        if (!(error instanceof RecordError || error instanceof MappingError)) throw error;
        await ledger.unmappable(line.number, error.message, line.text, counted);
        continue;
      }
      await writer.write(next.operation, ledger.handOut(line.number, line.text, next.kind), line.text.length);
      await ledger.settle();
      if (ledger.unsettled > MAX_UNSETTLED) {
        await writer.flush();
        await ledger.settle();
      }
      if (Date.now() >= nextCheckpoint) {
        await checkpoint(false);
        nextCheckpoint = Date.now() + interval;
        if (input.timeBudgetMs !== undefined && Date.now() - startedAt >= input.timeBudgetMs) return true;
      }
    }
    return false;
  };

  let stopped: boolean;
  try {
    stopped = await readLines();
  } catch (error) {
    if (!(error instanceof MigrationError && error.code === 'CORRUPT_GZIP')) throw error;
    await writer.flush();
    await ledger.settle();
    await deadLetters.flush();
    const { written, deleted } = ledger.totals;
    throw new MigrationError(
      'CORRUPT_GZIP',
      `${error.message.replace(/^\[CORRUPT_GZIP\] /, '')}; the lines before it were loaded (${written + deleted} written, ${deadLetters.count} dead-lettered), nothing after it could be read`,
    );
  }
  await writer.flush();
  await ledger.settle();
  const result = (totals: LoadTotals, complete: boolean): LoadFileResult => ({
    ...totals,
    fileIndex: input.fileIndex,
    sampled: ledger.sample.items.length,
    complete,
    resumedAfterLine: resume?.settledThrough,
  });

  if (stopped) {
    const partial = await checkpoint(false);
    log(
      `${input.sourceName}: time budget of ${Math.round((input.timeBudgetMs ?? 0) / 1000)} s used, stopped after line ${ledger.readThrough}`,
    );
    return result(partial, false);
  }
  const sampleBlob = input.lake.getBlockBlobClient(samplePath(input.migrationFolder, input.fileIndex));
  if (ledger.sample.items.length > 0) {
    const body = ledger.sample.items.map((record) => JSON.stringify(record)).join('\n') + '\n';
    await sampleBlob.upload(body, Buffer.byteLength(body));
  } else {
    await sampleBlob.deleteIfExists();
  }
  return result(await checkpoint(true), true);
}
