/**
 * The request units per second one migration consumes: a token bucket whose tokens are RUs, run at a rate that
 * adapts to Cosmos DB's answers (ru-rate.ts).
 *
 * Cosmos DB says what a request cost only in its response (the request charge), so a writer reserves an
 * estimate before it sends (the RUs per operation seen so far, times the operations in the request), and
 * settles the reservation with the real charge, and how many of its operations were throttled, when the response
 * arrives. The bucket may go into debt when a request cost more than estimated; later requests wait until it is
 * repaid, so over any stretch of time the consumption stays at the rate, give or take one bucket (a quarter of a
 * second's worth by default). With a known cap the rate starts at the cap and only 429s bring it below; without
 * one it starts low and climbs until the container throttles, then stays just under that.
 *
 * Written here rather than taken from a library: the npm rate limiters (limiter, bottleneck) take each job's
 * cost before it runs and cannot be told afterwards that it cost more or less, which is the whole point here.
 *
 * Sharing (see `leaseRuBudget`): all loads of one migration in one process draw from one bucket, so a file that
 * ends, or starts late, leaves its share to the others at once. Load activities of one migration can run in
 * different processes (in Azure, on different instances of the app) that cannot see each other's buckets. Each
 * process says how many loads it runs where the others can read it (a `LoadPresence`, load-presence.ts: a blob
 * per process in the migration's lake folder), and takes the cap times its share of all the loads running. Until
 * it has heard (or without a presence), it takes the cap divided by the migration's parallel files, once per
 * load it runs: no more loads than that run at once, so the processes together never exceed the cap, at the
 * price of an unused cap while fewer loads run.
 */
import { RateController } from './ru-rate';

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
 * application.
 */
export const DEFAULT_BURST_SECONDS = 0.25;

/** What a settled request says of throttling. */
export interface ThrottleFeedback {
  /** Operations answered 429. */
  operations: number;
  /** When the request was sent (the budget's `now()` then). Default: now. */
  sentAt?: number;
  /** The longest x-ms-retry-after-ms of those answers. */
  retryAfterMs?: number;
}

interface Waiter {
  estimate: number;
  resolve(taken: number): void;
}

const DEFAULT_HOLDER = Symbol('any holder');

export class RuBudget {
  private tokens: number;
  private updatedAt: number;
  private readonly controller: RateController;
  /**
   * Waiting acquisitions, one queue per holder (a writer), served in turn: one from each holder round the
   * rotation, each holder's own in order, so a large reservation is not starved by small ones and a writer
   * that keeps more requests in flight does not take a bigger share than the others.
   */
  private readonly queues = new Map<unknown, Waiter[]>();
  private readonly rotation: unknown[] = [];
  private turn = 0;
  private serving = false;
  /** RUs charged so far, and the time spent waiting for the budget (ms). */
  charged = 0;
  waitedMs = 0;
  /** Nothing is handed out before this time (a 429's retry-after). */
  private pausedUntil = -Infinity;
  private observedOperations = 0;
  private observedCharge = 0;

  /**
   * @param cap RU per second; Infinity: no known cap, the rate is found from the 429s (ru-rate.ts).
   * @param burstSeconds the bucket holds this many seconds of the rate. Default DEFAULT_BURST_SECONDS.
   */
  constructor(
    cap: number,
    private readonly burstSeconds = DEFAULT_BURST_SECONDS,
    private readonly clock: RuBudgetClock = realClock,
  ) {
    this.controller = new RateController(cap);
    this.tokens = this.capacity();
    this.updatedAt = clock.now();
  }

  /** RU per second spent now: the cap (this process's share of it), less what throttles took off. */
  get ratePerSecond(): number {
    return this.controller.rate;
  }

  /** Whether the cap is known; without one the rate is found from the 429s. */
  get capKnown(): boolean {
    return this.controller.known;
  }

  /** RUs the bucket holds when full: about what one request should carry at most. */
  get burst(): number {
    return this.capacity();
  }

  /** Throttled operations settled, and the times they cut the rate. */
  get throttling(): { throttles: number; cuts: number } {
    return { throttles: this.controller.throttles, cuts: this.controller.cuts };
  }

  /** Changes the cap (this process's share of it); what is in the bucket is kept, up to the new capacity. */
  setRate(cap: number): void {
    this.refill();
    this.controller.setCeiling(cap);
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  private capacity(): number {
    return this.controller.rate * this.burstSeconds;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.updatedAt) * this.controller.rate) / 1000);
    this.updatedAt = now;
  }

  /**
   * Waits until `estimate` RUs (at most one bucket's worth, so a request larger than the bucket is not
   * blocked for ever) are available, and takes them; `holder` (the writer asking) gets its turn among the
   * others (see `queues`). Returns what was taken: hand it to `settle`.
   */
  acquire(estimate: number, holder: unknown = DEFAULT_HOLDER): Promise<number> {
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
          const paused = this.pausedUntil - this.clock.now();
          if (paused > 0) {
            this.waitedMs += paused;
            await this.clock.sleep(paused);
            continue;
          }
          this.refill();
          // Worked out again each time round: the rate (and so the bucket) changes as loads come and go.
          take = Math.max(0, Math.min(waiter.estimate, this.capacity()));
          if (this.tokens >= take) break;
          const wait = Math.max(1, Math.ceil(((take - this.tokens) * 1000) / this.controller.rate));
          this.waitedMs += wait;
          await this.clock.sleep(wait);
          // Demand was above the rate for that long: room to grow, if a throttle has not said otherwise.
          this.controller.busy(this.clock.now(), wait);
        }
        this.tokens -= take;
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

  /**
   * Settles a reservation with the request's real charge: refunds what was over, books the debt if it was under.
   * `throttle`: its operations answered 429, which cut the rate (unless it was sent, `sentAt`, before the last
   * cut), and the longest retry-after they asked for, before which the budget hands out nothing: the service
   * throttles every request of that partition until then, so sending others meanwhile only makes more 429s.
   */
  settle(reserved: number, actual: number, throttle?: ThrottleFeedback): void {
    this.charged += actual;
    this.refill();
    this.tokens += reserved - actual;
    const now = this.clock.now();
    this.controller.charged(now, actual);
    if (!throttle || throttle.operations <= 0) return;
    this.controller.throttled(now, throttle.operations, throttle.sentAt ?? now);
    if (throttle.retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, now + throttle.retryAfterMs);
  }

  /** What the writers of the budget were charged per operation, once they have said (`observe`). */
  get ruPerOperation(): number | undefined {
    return this.observedOperations > 0 ? this.observedCharge / this.observedOperations : undefined;
  }

  /** A writer's `operations` (throttled ones left out) were charged `requestUnits` in all. */
  observe(operations: number, requestUnits: number): void {
    if (operations <= 0) return;
    this.observedOperations += operations;
    this.observedCharge += requestUnits;
  }

  /** The budget's time: what to hand `settle` as the time a request was sent. */
  now(): number {
    return this.clock.now();
  }
}

/**
 * Where the processes running a migration's loads say how many they run (load-presence.ts keeps it in the lake).
 */
export interface LoadPresence {
  /**
   * Says this process runs `leases` loads of the migration (0: none any more) and answers how many run in all
   * processes together, this one included; undefined when that could not be learnt.
   */
  publish(leases: number): Promise<number | undefined>;
}

/** How often a process with loads running says so, and hears of the others. */
export const PRESENCE_INTERVAL_MS = 2000;

interface Shared {
  budget: RuBudget;
  leases: number;
  /** Infinity: no known cap. */
  cap: number;
  parallelFiles: number;
  /** Loads of the migration running in all processes, as last heard; undefined: not heard (yet). */
  everywhere?: number;
  presence?: LoadPresence;
  timer?: ReturnType<typeof setInterval>;
  /** The presence messages in order. */
  publishing?: Promise<void>;
}

const shared = new Map<string, Shared>();

export interface RuBudgetLease {
  readonly budget: RuBudget;
  /** Gives this load's share back; the bucket goes when the last load of the migration in this process ends. */
  release(): void;
}

/** This process's share of the cap (see the top of this file). */
export function shareOfCap(cap: number, leases: number, parallelFiles: number, everywhere?: number): number {
  if (!Number.isFinite(cap)) return Infinity;
  if (everywhere !== undefined) return (cap * leases) / Math.max(leases, everywhere, 1);
  return (cap * Math.min(leases, parallelFiles)) / parallelFiles;
}

function applyShare(entry: Shared): void {
  entry.budget.setRate(shareOfCap(entry.cap, entry.leases, entry.parallelFiles, entry.everywhere));
}

/**
 * Says how many loads this process runs now, one message after the other (so the last one stored is the latest),
 * and takes the share that the answer gives.
 */
function publish(entry: Shared): void {
  const presence = entry.presence;
  if (!presence) return;
  entry.publishing = (entry.publishing ?? Promise.resolve())
    .then(() => presence.publish(entry.leases))
    .then(
      (everywhere) => {
        if (entry.leases === 0) return;
        // An answer about fewer loads than this process runs now is out of date: the static share is safe meanwhile.
        entry.everywhere = everywhere !== undefined && everywhere >= entry.leases ? everywhere : undefined;
        applyShare(entry);
      },
      () => {
        entry.everywhere = undefined;
        if (entry.leases > 0) applyShare(entry);
      },
    );
}

export interface LeaseOptions {
  clock?: RuBudgetClock;
  presence?: LoadPresence;
}

/**
 * The bucket of migration `key` in this process, with one more share of the cap for the calling load (see
 * above). `cap` undefined or Infinity: no known cap, the rate is found from the 429s (still one bucket per
 * migration and process, so its loads find it together).
 */
export function leaseRuBudget(
  key: string,
  cap: number | undefined,
  parallelFiles: number,
  options: LeaseOptions = {},
): RuBudgetLease {
  const files = Math.max(1, Math.floor(parallelFiles));
  const whole = cap === undefined || !Number.isFinite(cap) ? Infinity : cap;
  let current = shared.get(key);
  if (current) {
    current.cap = whole;
    current.parallelFiles = files;
    current.leases++;
    // The others hear of this load only at their next look: count it at once on this side at least.
    if (current.everywhere !== undefined) current.everywhere++;
    current.presence ??= options.presence;
    applyShare(current);
  } else {
    current = {
      budget: new RuBudget(shareOfCap(whole, 1, files), DEFAULT_BURST_SECONDS, options.clock ?? realClock),
      leases: 1,
      cap: whole,
      parallelFiles: files,
      presence: options.presence,
    };
    shared.set(key, current);
  }
  const entry = current;
  if (entry.presence && Number.isFinite(entry.cap) && !entry.timer) {
    entry.timer = setInterval(() => publish(entry), PRESENCE_INTERVAL_MS);
    entry.timer.unref();
  }
  if (Number.isFinite(entry.cap)) publish(entry);
  let released = false;
  return {
    budget: entry.budget,
    release() {
      if (released) return;
      released = true;
      entry.leases--;
      if (entry.leases === 0) {
        shared.delete(key);
        if (entry.timer) clearInterval(entry.timer);
        if (Number.isFinite(entry.cap)) publish(entry);
      } else {
        // Until the others hear of it, count this process's load as still running there too: never over the cap.
        applyShare(entry);
        publish(entry);
      }
    },
  };
}
