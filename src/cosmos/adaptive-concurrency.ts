/**
 * How many bulk requests one writer keeps in flight, adapted to throttling the way TCP adapts its window
 * (AIMD): while requests come back unthrottled the limit grows by one per window's worth of them (additive
 * increase), and a throttled request halves it (multiplicative decrease). Requests already in flight when
 * the limit was cut were sent under the old limit; their throttles say nothing new, so they do not cut it
 * again: one burst of 429s halves the window once, not once per request.
 *
 * Written here rather than taken from a library: the npm packages for adaptive concurrency are promise
 * pools that adapt to latency or errors in general, not to one status code with this "once per window"
 * rule, and the rule is a few lines.
 */
export interface AdaptiveConcurrencyOptions {
  /** Starting limit. */
  initial: number;
  /** Never below this. Default 1. */
  min?: number;
  /** Never above this. */
  max: number;
}

/** What `begin` hands out: the epoch the request was sent in. */
export type Ticket = number;

export class AdaptiveConcurrency {
  private current: number;
  private readonly min: number;
  private readonly max: number;
  /** Increments at every cut; a ticket from an older epoch cannot cut again. */
  private epoch = 0;
  /** Unthrottled completions since the last change of the limit. */
  private clean = 0;
  /** Throttles seen, for reports and tests. */
  throttles = 0;
  /** Times the limit was cut. */
  decreases = 0;

  constructor(options: AdaptiveConcurrencyOptions) {
    this.min = Math.max(1, Math.floor(options.min ?? 1));
    this.max = Math.max(this.min, Math.floor(options.max));
    this.current = Math.min(this.max, Math.max(this.min, Math.floor(options.initial)));
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** Call when a request is sent; pass the ticket to `end`. */
  begin(): Ticket {
    return this.epoch;
  }

  /** Call when a request has come back; `throttled` if any part of it was answered with 429. */
  end(ticket: Ticket, throttled: boolean): void {
    if (throttled) {
      this.throttles++;
      if (ticket !== this.epoch) return;
      this.epoch++;
      this.decreases++;
      this.clean = 0;
      this.current = Math.max(this.min, Math.floor(this.current / 2));
      return;
    }
    if (ticket !== this.epoch) return;
    this.clean++;
    if (this.clean >= this.current && this.current < this.max) {
      this.clean = 0;
      this.current++;
    }
  }
}
