import { DeadLetterSink } from '../lake/dead-letters';
import { mergeMappingStats, newMappingStats } from '../mapping';
import { emptyTotals, LoadCheckpoint, LoadTotals } from './checkpoint';
import type { ChangeCounts } from '../validation/counts';
import type { SampleRecord } from '../validation/sample-record';

type ChangeKey = keyof ChangeCounts;

/** A line handed to the bulk writer; the writer's callbacks set its state. */
export interface PendingLine {
  line: number;
  raw: string;
  kind: 'put' | 'delete';
  state: 'pending' | 'written' | 'rejected';
  reason?: string;
  /** The service's answer to a written line: 201 or 200 for a put, 204 or 404 for a delete. */
  status?: number;
}

/**
 * Characters (about bytes) of raw lines one file's validation sample holds at most: 16 MiB, four lines at the
 * reader's 4 MiB cap, forty of 400 KB. The sample is kept in memory and written into every checkpoint; at the
 * default quota of small items it is far below this, but a file of long lines would otherwise hold its whole
 * quota of them (500 lines of 4 MiB: 2 GB, and a checkpoint that cannot even be serialised).
 */
export const SAMPLE_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * A file's validation sample: a uniform reservoir (algorithm R: after n offers each line is held with
 * probability capacity/n) whose capacity is at most the budget over the longest line offered so far, so
 * whatever lines it holds fit the budget. When a longer line lowers the capacity, held lines are dropped at
 * random; the new capacity does not depend on which lines are held, so what stays is a uniform subsample of a
 * uniform sample: the sample stays uniform, only smaller (the report's `validation.sampled` says how many).
 */
export class BoundedSample {
  readonly items: SampleRecord[] = [];
  seen = 0;
  /** Characters of `raw` held (a stand-in for bytes, cheap to keep). */
  private held = 0;
  private longest = 0;

  constructor(
    public capacity: number,
    private readonly budget = SAMPLE_BUDGET_BYTES,
    private readonly random: () => number = Math.random,
  ) {}

  get bytes(): number {
    return this.held;
  }

  /** Restores a sample saved in a checkpoint (with the capacity it had come down to). */
  restore(saved: { seen: number; items: SampleRecord[]; capacity?: number }): void {
    this.seen = saved.seen;
    if (saved.capacity !== undefined) this.capacity = Math.min(this.capacity, saved.capacity);
    for (const item of saved.items) {
      this.items.push(item);
      this.held += item.raw.length;
      this.longest = Math.max(this.longest, item.raw.length);
    }
    this.shrinkTo(this.capacity);
  }

  offer(value: SampleRecord): void {
    this.seen++;
    if (value.raw.length > this.longest) {
      this.longest = value.raw.length;
      this.shrinkTo(Math.max(1, Math.floor(this.budget / this.longest)));
    }
    if (this.items.length < this.capacity) {
      this.items.push(value);
      this.held += value.raw.length;
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot >= this.capacity) return;
    this.held += value.raw.length - this.items[slot].raw.length;
    this.items[slot] = value;
  }

  private shrinkTo(capacity: number): void {
    if (capacity >= this.capacity && this.items.length <= capacity) return;
    this.capacity = Math.min(this.capacity, capacity);
    while (this.items.length > this.capacity) {
      const slot = Math.floor(this.random() * this.items.length);
      this.held -= this.items[slot].raw.length;
      this.items[slot] = this.items[this.items.length - 1];
      this.items.pop();
    }
  }
}

/**
 * The bookkeeping of one file's load. Writes complete out of order, but their effects (counts, sample,
 * dead letters of rejected documents) are applied strictly in line order, so at any moment there is one
 * line before which everything has settled: what a checkpoint records. Lines that fail to map are
 * dead-lettered as they are read.
 */
export class LineLedger {
  readonly totals: LoadTotals;
  readonly sample: BoundedSample;
  private queue: PendingLine[] = [];
  private head = 0;
  /** Characters of the raw lines handed out and not yet settled (what `unsettled` holds in memory). */
  unsettledChars = 0;
  /** Last line read (handed to the writer, or dead-lettered because it could not be mapped). */
  readThrough: number;
  /** Resumed from a checkpoint: the lines after it may have been written by the attempt that wrote it. */
  private readonly resending: boolean;

  constructor(
    private readonly file: string,
    readonly deadLetters: DeadLetterSink,
    sampleQuota: number,
    resume?: LoadCheckpoint,
  ) {
    this.totals = resume
      ? { ...resume.totals, stats: mergeMappingStats(resume.totals.stats, newMappingStats()) }
      : emptyTotals();
    this.sample = new BoundedSample(sampleQuota);
    if (resume) this.sample.restore(resume.sample);
    this.readThrough = resume?.settledThrough ?? 0;
    this.resending = resume !== undefined;
  }

  /** Lines handed out whose effects wait for an earlier line. */
  get unsettled(): number {
    return this.queue.length - this.head;
  }

  handOut(line: number, raw: string, kind: PendingLine['kind']): PendingLine {
    const pending: PendingLine = { line, raw, kind, state: 'pending' };
    this.queue.push(pending);
    this.unsettledChars += raw.length;
    this.readThrough = line;
    return pending;
  }

  async unmappable(line: number, reason: string, raw: string, counted: boolean): Promise<void> {
    if (counted) await this.deadLetters.add({ file: this.file, line, reason, raw });
    this.readThrough = line;
  }

  /**
   * A line longer than the reader's cap: dead-lettered with its length and its first bytes (it was never
   * held). `complete` is false when the data broke off inside it: its length is then a lower bound.
   */
  async tooLong(
    line: number,
    bytes: number,
    head: string,
    limit: number,
    counted: boolean,
    complete = true,
  ): Promise<void> {
    if (counted) {
      const length = complete ? `${bytes} bytes long` : `at least ${bytes} bytes long (the data breaks off inside it)`;
      await this.deadLetters.add({
        file: this.file,
        line,
        code: 'LINE_TOO_LONG',
        reason: `[LINE_TOO_LONG] line ${line} is ${length}, over the limit of ${limit} bytes for a line (a DynamoDB item of 400 KB is at most about 3.6 MB of DynamoDB JSON); it was skipped without being read`,
        raw: head,
        rawTruncated: true,
        bytes,
        ...(complete ? {} : { bytesAtLeast: true as const }),
      });
    }
    this.readThrough = line;
  }

  /** Applies the effects of the leading lines whose writes have finished. */
  async settle(): Promise<void> {
    while (this.head < this.queue.length && this.queue[this.head].state !== 'pending') {
      const { line, raw, kind, state, reason, status } = this.queue[this.head++];
      this.unsettledChars -= raw.length;
      if (state === 'rejected') {
        await this.deadLetters.add({ file: this.file, line, reason: reason as string, raw });
        continue;
      }
      if (kind === 'delete') this.totals.deleted++;
      else this.totals.written++;
      this.countChange(kind, status);
      this.sample.offer({ file: this.file, line, kind, raw });
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Splits a written line by what the service answered (see LoadTotals.created). */
  private countChange(kind: PendingLine['kind'], status: number | undefined): void {
    const totals = this.totals;
    const add = (key: ChangeKey): void => {
      totals[key] = (totals[key] ?? 0) + 1;
    };
    // Only a 201 proves a create and only a 404 proves there was nothing to delete; anything else is the other case.
    const found = kind === 'delete' ? status !== 404 : status !== 201;
    if (kind === 'delete') add(found ? 'deletedPresent' : 'deletedAbsent');
    else add(found ? 'replaced' : 'created');
    if (!this.resending) return;
    if (kind === 'put' && found) add('replacedOnResend');
    if (kind === 'delete' && !found) add('absentOnResend');
  }

  /** Every line up to this one has settled (call after `settle`). */
  settledThrough(): number {
    return this.head < this.queue.length ? this.queue[this.head].line - 1 : this.readThrough;
  }

  /** The totals as of now, as a value (the writer's charge and retries added to what earlier loads spent). */
  snapshot(charge: { requestCharge: number; retries: number }): LoadTotals {
    return {
      ...this.totals,
      stats: mergeMappingStats(this.totals.stats, newMappingStats()),
      deadLettered: this.deadLetters.count,
      requestCharge: Math.round((this.totals.requestCharge + charge.requestCharge) * 100) / 100,
      retries: this.totals.retries + charge.retries,
    };
  }
}
