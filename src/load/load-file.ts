import { Container, OperationInput } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { BulkWriter, BulkWriterOptions } from '../cosmos/bulk-writer';
import { ErrorCode, MigrationError } from '../errors';
import { MAX_LINE_BYTES, readGzipEntries, SKIP_PROGRESS_BYTES, SkipProgress } from '../export/read-lines';
import { DeadLetterSink } from '../lake/dead-letters';
import { checkpointPath, deadLetterPath, runFolder, RunFolder, samplePath } from '../lake/paths';
import { MappingError, MappingOptions, MappingStats, newMappingStats } from '../mapping';
import {
  AttemptMarker,
  attemptMarkerPath,
  clearAttemptMarker,
  emptyTotals,
  LoadCheckpoint,
  LoadTotals,
  readAttemptMarker,
  readCheckpoint,
  truncateDeadLetters,
  writeAttemptMarker,
  writeCheckpoint,
} from './checkpoint';
import { LineLedger, PendingLine } from './line-ledger';
import { mapRecord, RecordError } from '../export/records';
import type { Failure, Outcome } from '../migration/contracts';

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
  /** The migration's folder; this run's dead letters, samples and checkpoints go in its run folder (runFolder). */
  migrationFolder: string;
  sampleQuota: number;
  /** Bulk requests in flight. Default 4. */
  concurrency?: number;
  /** The migration's RU budget (cosmos/ru-budget.ts), shared with its other loads in this process. Default: none. */
  ruBudget?: BulkWriterOptions<unknown>['ruBudget'];
  /**
   * The migration run: names the run folder its checkpoint, dead letters and sample go in, so a terminated run's
   * load that is still going never meets this run's; a checkpoint of another run is ignored.
   */
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

/**
 * A load that failed for good after loading part of the file: `loaded` is what it loaded, counted as a
 * finished load counts it, so the report's counts agree with what the container holds.
 */
export class LoadFailure extends MigrationError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly loaded: LoadFileResult,
  ) {
    super(code, message);
  }
}

/** What the load activity returns: a failure after part of the file was loaded carries that part. */
export type LoadOutcome = Outcome<LoadFileResult> | (Failure & { loaded?: LoadFileResult });

const DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;
/** Lines written but not yet settled behind a slow one; beyond this the reader waits (bounds memory). */
const MAX_UNSETTLED = 50_000;
/** The same bound in characters of those lines: 32 MiB, eight lines at the reader's cap. */
const MAX_UNSETTLED_CHARS = 32 * 1024 * 1024;
/**
 * Attempts whose process died while skipping the same line over the cap (the marker names it; nothing else is
 * read there) before the file is failed with FILE_POISONED. One death is what a kill, a deployment or a recycled
 * worker looks like, and the next attempt goes on from the checkpoint right before the line; a second one there
 * means the line kills the process, and a third attempt would only take the host (and every other migration on
 * it) down again.
 */
const POISONED_AFTER_DEATHS_IN_LONG_LINE = 2;
/**
 * The same for deaths anywhere after one checkpoint. One more is allowed: a load that is killed with its host
 * twice within one checkpoint interval (5 s) is more likely than one that is killed by a line under the cap.
 */
const POISONED_AFTER_DEATHS = 3;

function runFolderOf(input: LoadFileInput): RunFolder {
  return runFolder(input.migrationFolder, input.runId);
}

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
  const blob = input.lake.getAppendBlobClient(deadLetterPath(runFolderOf(input), input.fileIndex));
  return (await truncateDeadLetters(blob, checkpoint.deadLetterBytes)) ? checkpoint : undefined;
}

function operationFor(
  text: string,
  input: LoadFileInput,
  stats: MappingStats,
): { operation: OperationInput; kind: 'put' | 'delete' } {
  const record = mapRecord(text, input.incremental, input.mapping, stats);
  if (record.kind === 'put') {
    const { mapped } = record;
    return {
      kind: 'put',
      operation: {
        operationType: 'Upsert',
        // The document's own value at the container's partition key path(s) (docs/mapping.md §4).
        partitionKey: mapped.partitionKey as never,
        resourceBody: mapped.document as never,
      },
    };
  }
  // Keys mapped and named as the item's key attributes are, so the value at the path is the one it was written with.
  const { key } = record;
  return {
    kind: 'delete',
    operation: { operationType: 'Delete', id: key.id, partitionKey: key.partitionKey as never },
  };
}

/**
 * Loads one data file from the lake into Cosmos (loadFileAttempt), with a poison marker in the lake while it
 * runs: deleted however the attempt ends, unless its process dies; then the next attempt finds it (see
 * AttemptMarker in checkpoint.ts).
 */
export async function loadFile(input: LoadFileInput): Promise<LoadFileResult> {
  const attempt: { marker?: string } = {};
  try {
    return await loadFileAttempt(input, attempt);
  } finally {
    if (attempt.marker) {
      await clearAttemptMarker(input.lake, attempt.marker).catch((error: Error) =>
        (input.log ?? (() => undefined))(`${input.sourceName}: could not delete the attempt marker (${error.message})`),
      );
    }
  }
}

/** Checks the poison marker left by attempts whose process died, and writes this attempt's. */
async function startAttempt(
  input: LoadFileInput,
  path: string,
  etag: string,
  resume: LoadCheckpoint | undefined,
  log: (line: string) => void,
): Promise<AttemptMarker> {
  const after = resume?.settledThrough ?? 0;
  const found = await readAttemptMarker(input.lake, path);
  const previous =
    found && found.runId === input.runId && found.lakePath === input.lakePath && found.etag === etag
      ? found
      : undefined;
  const deaths = previous ? (previous.after === after ? previous.deaths : 0) + 1 : 0;
  if (previous) {
    const where = previous.skipping
      ? `while skipping line ${previous.skipping.line}, longer than the limit of ${MAX_LINE_BYTES} bytes (at least ${previous.skipping.bytesSoFar} bytes)`
      : `after line ${previous.after}`;
    log(
      `${input.sourceName}: the previous attempt at this file did not end: its process died ${where}; ${deaths} in a row without progress`,
    );
    if (deaths >= (previous.skipping ? POISONED_AFTER_DEATHS_IN_LONG_LINE : POISONED_AFTER_DEATHS)) {
      const totals = resume?.totals ?? emptyTotals();
      throw new LoadFailure(
        'FILE_POISONED',
        `${input.sourceName}: the process loading this file died ${deaths} times in a row ${where}, so it is not loaded again; lines 1 to ${after} were loaded (${totals.written + totals.deleted} written, ${totals.deadLettered} dead-lettered), nothing after them is counted`,
        {
          ...totals,
          fileIndex: input.fileIndex,
          sampled: 0,
          complete: false,
          resumedAfterLine: resume?.settledThrough,
        },
      );
    }
  }
  const marker: AttemptMarker = { version: 1, runId: input.runId, lakePath: input.lakePath, etag, after, deaths };
  await writeAttemptMarker(input.lake, path, marker);
  return marker;
}

/**
 * Loads one data file from the lake into Cosmos: gunzip → lines → records → mapping → bulk upserts/deletes.
 * Everything streams with back-pressure from the bulk writer; lines that cannot be written go to the
 * dead-letter blob with their reason; a reservoir keeps this file's share of the validation sample.
 *
 * Progress is checkpointed every few seconds without pausing the writes (see LineLedger). A load that was
 * killed, failed or ran out of its time budget continues after the checkpoint's line; lines after it are
 * written again (upserts and deletes are idempotent) but counted once. A file whose gzip data breaks off
 * keeps what could be read before the break and fails with CORRUPT_GZIP saying how far that was; that part
 * is counted (LoadFailure).
 *
 * A line longer than the reader's cap is dead-lettered with its length without ever being held (read-lines.ts).
 * Before skipping one of more than SKIP_PROGRESS_BYTES, the load settles and checkpoints everything before it
 * and names the line in its poison marker: should the process die in it, the next attempt resumes right before
 * it, and a second death there fails the file with FILE_POISONED, counting the lines before it (three deaths
 * after one checkpoint anywhere else do too).
 */
async function loadFileAttempt(input: LoadFileInput, attempt: { marker?: string }): Promise<LoadFileResult> {
  const log = input.log ?? (() => undefined);
  const startedAt = Date.now();
  const checkpointBlob = checkpointPath(runFolderOf(input), input.fileIndex);
  const source = input.lake.getBlockBlobClient(input.lakePath);
  const etag = (await source.getProperties()).etag ?? '';
  const resume = await resumePoint(input, etag, checkpointBlob);
  if (resume?.complete) {
    log(`${input.sourceName}: already loaded by this run (checkpoint), nothing to do`);
    return { ...resume.totals, fileIndex: input.fileIndex, sampled: resume.sample.items.length, complete: true };
  }
  if (resume) log(`${input.sourceName}: resuming from checkpoint after line ${resume.settledThrough}`);
  const markerBlob = attemptMarkerPath(checkpointBlob);
  let marker = await startAttempt(input, markerBlob, etag, resume, log);
  attempt.marker = markerBlob;
  const mark = async (changes: Partial<AttemptMarker>): Promise<void> => {
    marker = { ...marker, ...changes };
    await writeAttemptMarker(input.lake, markerBlob, marker);
  };

  const deadLetters = new DeadLetterSink(
    input.lake.getAppendBlobClient(deadLetterPath(runFolderOf(input), input.fileIndex)),
    resume !== undefined,
    resume ? { count: resume.totals.deadLettered, bytes: resume.deadLetterBytes } : undefined,
  );
  const ledger = new LineLedger(input.sourceName, deadLetters, input.sampleQuota, resume);
  const writer = new BulkWriter<PendingLine>(input.container, {
    concurrency: input.concurrency,
    ruBudget: input.ruBudget,
    onWritten(pending: PendingLine, _operation, status: number) {
      pending.state = 'written';
      pending.status = status;
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
      sample: { seen: ledger.sample.seen, items: [...ledger.sample.items], capacity: ledger.sample.capacity },
    };
    await deadLetters.flush();
    state.deadLetterBytes = deadLetters.bytes;
    await writeCheckpoint(input.lake, checkpointBlob, state);
    // Progress past the marker's checkpoint clears its count of deaths.
    if (!complete && settledThrough !== marker.after) await mark({ after: settledThrough, deaths: 0 });
    if (!complete) log(`${input.sourceName}: checkpoint after line ${settledThrough}`);
    return state.totals;
  };

  /** The line over the cap being skipped, as last reported by the reader. */
  let skipping: SkipProgress | undefined;
  /**
   * A line over the cap, more than SKIP_PROGRESS_BYTES of it so far: the first time, everything before it is
   * written and checkpointed, then (and every SKIP_PROGRESS_BYTES after) the marker names it.
   */
  const skippingLongLine = async (entry: SkipProgress): Promise<void> => {
    if (entry.skipping.bytesSoFar < SKIP_PROGRESS_BYTES) return;
    if (marker.skipping?.line !== entry.number) {
      await writer.flush();
      await checkpoint(false);
      log(
        `${input.sourceName}: line ${entry.number} is longer than the limit of ${MAX_LINE_BYTES} bytes; skipping it without holding it (${entry.skipping.bytesSoFar} bytes so far)`,
      );
    }
    await mark({ skipping: { line: entry.number, bytesSoFar: entry.skipping.bytesSoFar } });
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
    // gzip cannot be entered mid-stream (docs/scale.md, "Resume"): the file is read from its first byte again, and
    // the lines before the checkpoint are only counted, never decoded or parsed.
    const download = await source.download();
    const entries = readGzipEntries(download.readableStreamBody as Readable, input.sourceName, { skipThrough });
    for await (const line of entries) {
      if ('skipping' in line) {
        skipping = line;
        await skippingLongLine(line);
        continue;
      }
      skipping = undefined;
      const counted = line.number > countedThrough;
      if (counted) ledger.totals.linesRead++;
      if ('tooLong' in line) {
        await ledger.tooLong(line.number, line.tooLong.bytes, line.tooLong.head, MAX_LINE_BYTES, counted);
        if (marker.skipping) await mark({ skipping: undefined });
      } else {
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
        if (ledger.unsettled > MAX_UNSETTLED || ledger.unsettledChars > MAX_UNSETTLED_CHARS) {
          await writer.flush();
          await ledger.settle();
        }
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
    // A line over the cap that the data breaks off inside: dead-lettered with the length seen of it.
    if (skipping && skipping.number > (resume?.readThrough ?? 0)) {
      ledger.totals.linesRead++;
      const { number, skipping: seen } = skipping;
      await ledger.tooLong(number, seen.bytesSoFar, seen.head, MAX_LINE_BYTES, true, false);
    }
    await deadLetters.flush();
    const { written, deleted } = ledger.totals;
    // What was read before the break is in the container: the failure carries its counts for the report.
    throw new LoadFailure(
      'CORRUPT_GZIP',
      `${error.message.replace(/^\[CORRUPT_GZIP\] /, '')}; the lines before it were loaded (${written + deleted} written, ${deadLetters.count} dead-lettered), nothing after it could be read`,
      {
        ...ledger.snapshot(writer),
        fileIndex: input.fileIndex,
        sampled: 0,
        complete: false,
        resumedAfterLine: resume?.settledThrough,
      },
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
  const sampleBlob = input.lake.getBlockBlobClient(samplePath(runFolderOf(input), input.fileIndex));
  if (ledger.sample.items.length > 0) {
    const body = ledger.sample.items.map((record) => JSON.stringify(record)).join('\n') + '\n';
    await sampleBlob.upload(body, Buffer.byteLength(body));
  } else {
    await sampleBlob.deleteIfExists();
  }
  return result(await checkpoint(true), true);
}
