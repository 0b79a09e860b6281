import { DeadLetterSink } from '../lake/dead-letters';
import { mergeMappingStats, newMappingStats } from '../mapping';
import { Reservoir } from '../validation/reservoir';
import { LoadCheckpoint, LoadTotals } from './checkpoint';
import type { SampleRecord } from '../validation/sample-record';

/** A line handed to the bulk writer; the writer's callbacks set its state. */
export interface PendingLine {
  line: number;
  raw: string;
  kind: 'put' | 'delete';
  state: 'pending' | 'written' | 'rejected';
  reason?: string;
}

/**
 * The bookkeeping of one file's load. Writes complete out of order, but their effects (counts, sample,
 * dead letters of rejected documents) are applied strictly in line order, so at any moment there is one
 * line before which everything has settled: what a checkpoint records. Lines that fail to map are
 * dead-lettered as they are read.
 */
export class LineLedger {
  readonly totals: LoadTotals;
  readonly sample: Reservoir<SampleRecord>;
  private queue: PendingLine[] = [];
  private head = 0;
  /** Last line read (handed to the writer, or dead-lettered because it could not be mapped). */
  readThrough: number;

  constructor(
    private readonly file: string,
    readonly deadLetters: DeadLetterSink,
    sampleQuota: number,
    resume?: LoadCheckpoint,
  ) {
    this.totals = resume
      ? { ...resume.totals, stats: mergeMappingStats(resume.totals.stats, newMappingStats()) }
      : {
          linesRead: 0,
          written: 0,
          deleted: 0,
          deadLettered: 0,
          requestCharge: 0,
          retries: 0,
          stats: newMappingStats(),
        };
    this.sample = new Reservoir<SampleRecord>(sampleQuota);
    if (resume) {
      this.sample.items.push(...resume.sample.items);
      this.sample.seen = resume.sample.seen;
    }
    this.readThrough = resume?.settledThrough ?? 0;
  }

  /** Lines handed out whose effects wait for an earlier line. */
  get unsettled(): number {
    return this.queue.length - this.head;
  }

  handOut(line: number, raw: string, kind: PendingLine['kind']): PendingLine {
    const pending: PendingLine = { line, raw, kind, state: 'pending' };
    this.queue.push(pending);
    this.readThrough = line;
    return pending;
  }

  async unmappable(line: number, reason: string, raw: string, counted: boolean): Promise<void> {
    if (counted) await this.deadLetters.add({ file: this.file, line, reason, raw });
    this.readThrough = line;
  }

  /** Applies the effects of the leading lines whose writes have finished. */
  async settle(): Promise<void> {
    while (this.head < this.queue.length && this.queue[this.head].state !== 'pending') {
      const { line, raw, kind, state, reason } = this.queue[this.head++];
      if (state === 'rejected') {
        await this.deadLetters.add({ file: this.file, line, reason: reason as string, raw });
        continue;
      }
      if (kind === 'delete') this.totals.deleted++;
      else this.totals.written++;
      this.sample.offer({ file: this.file, line, kind, raw });
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
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
