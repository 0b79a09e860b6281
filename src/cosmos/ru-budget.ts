/**
 * A cap on the request units per second one migration consumes: a token bucket whose tokens are RUs.
 *
 * Cosmos DB says what a request cost only in its response (the request charge), so a writer reserves an
 * estimate before it sends (the RUs per operation seen so far, times the operations in the request), and
 * settles the reservation with the real charge when the response arrives. The bucket may go into debt when a
 * request cost more than estimated; later requests wait until it is repaid, so over any stretch of time the
 * consumption stays at the rate, give or take one bucket (a quarter of a second's worth by default).
 *
 * Written here rather than taken from a library: the npm rate limiters (limiter, bottleneck) take each job's
 * cost before it runs and cannot be told afterwards that it cost more or less, which is the whole point here.
 *
 * Sharing (see `leaseRuBudget`): all loads of one migration in one process draw from one bucket, so a slow
 * file leaves its share to the others. Load activities of one migration can run in different processes (in
 * Azure, on different instances of the app) that cannot see each other's buckets, so a process's bucket does
 * not get the whole cap: it gets the cap divided by the migration's parallel files (the most loads the
 * orchestrator runs at once: `maxParallelFiles`, or the number of files if fewer), once for every load of that
 * migration the process is running. No more loads than that run at once, so the rates of all processes
 * together never exceed the cap, wherever the loads land. The price: while fewer loads run (the last files of
 * a migration, or loads waiting for their copies), the cap is not used up.
 */
export interface RuBudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RuBudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The bucket holds this many seconds of the rate by default: a quarter of a second, which at the default cap (80%
 * of the throughput) is the live application's 20% of one second. However the migration's requests line up, in
 * any one second it then takes at most its rate plus that burst, 100% of the throughput, never more; with a
 * bucket of a whole second two bursts could meet in one second and take twice the cap, throttling the live
 * application (and the migration's own retries, which the SDK makes outside this budget).
 */
export const DEFAULT_BURST_SECONDS = 0.25;

interface Waiter {
  estimate: number;
  resolve(taken: number): void;
}

const DEFAULT_HOLDER = Symbol('any holder');

export class RuBudget {
  private tokens: number;
  private updatedAt: number;
  /**
   * Waiting acquisitions, one queue per holder (a writer), served in turn: one from each holder round the
   * rotation, each holder's own in order, so a large reservation is not starved by small ones and a writer
   * that keeps more requests in flight does not take a bigger share than the others. Fair shares keep the
   * migration's files loading at one pace, so they end together and the cap is used to the end.
   */
  private readonly queues = new Map<unknown, Waiter[]>();
  private readonly rotation: unknown[] = [];
  private turn = 0;
  private serving = false;
  /** RUs charged so far, and the time spent waiting for the budget (ms). */
  charged = 0;
  waitedMs = 0;

  /**
   * @param rate RU per second; Infinity means no cap.
   * @param burstSeconds the bucket holds this many seconds of the rate. Default DEFAULT_BURST_SECONDS.
   */
  constructor(
    private rate: number,
    private readonly burstSeconds = DEFAULT_BURST_SECONDS,
    private readonly clock: RuBudgetClock = realClock,
  ) {
    this.tokens = this.capacity();
    this.updatedAt = clock.now();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** RUs the bucket holds when full: what one request should carry at most (Infinity without a cap). */
  get burst(): number {
    return this.capacity();
  }

  /** Changes the rate; what is in the bucket is kept, up to the new capacity. */
  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  private capacity(): number {
    return this.rate * this.burstSeconds;
  }

  private refill(): void {
    const now = this.clock.now();
    if (Number.isFinite(this.rate))
      this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
  }

  /**
   * Waits until `estimate` RUs (at most one bucket's worth, so a request larger than the bucket is not
   * blocked for ever) are available, and takes them; `holder` (the writer asking) gets its turn among the
   * others (see `queues`). Returns what was taken: hand it to `settle`.
   */
  acquire(estimate: number, holder: unknown = DEFAULT_HOLDER): Promise<number> {
    if (!Number.isFinite(this.rate)) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      let queue = this.queues.get(holder);
      if (!queue) {
        queue = [];
        this.queues.set(holder, queue);
        this.rotation.push(holder);
      }
      queue.push({ estimate, resolve });
      void this.serve();
    });
  }

  /** Hands out the bucket to the waiting holders in turn, waiting for it to refill as needed. */
  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.rotation.length > 0) {
        if (this.turn >= this.rotation.length) this.turn = 0;
        const holder = this.rotation[this.turn];
        const queue = this.queues.get(holder) as Waiter[];
        const waiter = queue[0];
        let take = 0;
        for (;;) {
          this.refill();
          if (!Number.isFinite(this.rate)) break;
          // Worked out again each time round: the rate (and so the bucket) changes as loads come and go.
          take = Math.max(0, Math.min(waiter.estimate, this.capacity()));
          if (this.tokens >= take) break;
          const wait = Math.max(1, Math.ceil(((take - this.tokens) * 1000) / this.rate));
          this.waitedMs += wait;
          await this.clock.sleep(wait);
        }
        if (Number.isFinite(this.rate)) this.tokens -= take;
        else take = 0;
        queue.shift();
        if (queue.length === 0) {
          this.queues.delete(holder);
          this.rotation.splice(this.turn, 1);
        } else {
          this.turn++;
        }
        waiter.resolve(take);
      }
    } finally {
      this.serving = false;
    }
  }

  /** Settles a reservation with the request's real charge: refunds what was over, books the debt if it was under. */
  settle(reserved: number, actual: number): void {
    this.charged += actual;
    if (!Number.isFinite(this.rate)) return;
    this.refill();
    this.tokens += reserved - actual;
  }
}

interface Shared {
  budget: RuBudget;
  leases: number;
  cap: number;
  parallelFiles: number;
}

const shared = new Map<string, Shared>();

export interface RuBudgetLease {
  readonly budget: RuBudget;
  /** Gives this load's share back; the bucket goes when the last load of the migration in this process ends. */
  release(): void;
}

function shareOf(entry: Shared): number {
  return (entry.cap * Math.min(entry.leases, entry.parallelFiles)) / entry.parallelFiles;
}

/**
 * The bucket of migration `key` in this process, with one more share of the cap for the calling load (see
 * above). `cap` undefined or Infinity: no cap, and nothing is shared.
 */
export function leaseRuBudget(
  key: string,
  cap: number | undefined,
  parallelFiles: number,
  clock: RuBudgetClock = realClock,
): RuBudgetLease {
  if (cap === undefined || !Number.isFinite(cap)) {
    return { budget: new RuBudget(Infinity), release: () => undefined };
  }
  const files = Math.max(1, Math.floor(parallelFiles));
  let current = shared.get(key);
  if (current) {
    current.cap = cap;
    current.parallelFiles = files;
    current.leases++;
    current.budget.setRate(shareOf(current));
  } else {
    current = { budget: new RuBudget(cap / files, DEFAULT_BURST_SECONDS, clock), leases: 1, cap, parallelFiles: files };
    shared.set(key, current);
  }
  const entry = current;
  let released = false;
  return {
    budget: entry.budget,
    release() {
      if (released) return;
      released = true;
      entry.leases--;
      if (entry.leases === 0) shared.delete(key);
      else entry.budget.setRate(shareOf(entry));
    },
  };
}
