/**
 * The rate a migration's RU budget runs at, adapted to what Cosmos DB answers (AIMD on 429s).
 *
 * With a known cap the rate starts at the cap, so a load runs at it from its first request; a burst of 429s (the
 * container, or one of its physical partitions, spent its second's RUs: the cap was more than the container
 * sustains, or the live application used more than its share) cuts the rate once per second of throttles, to a
 * little under what the responses' charges say went through in the last second, and every second in which the
 * budget was the bottleneck wins some of it back, up to the cap again.
 *
 * Without a known cap (a serverless container, a throughput nobody could read), there is nothing to start from:
 * the rate starts at the smallest throughput Azure provisions and doubles every busy second until the first
 * throttle (slow start), then climbs additively and is cut on throttles, so it settles just under what the
 * container sustains, as TCP settles on a link's bandwidth.
 *
 * Pure: every method takes the time, so tests drive it with a made-up clock.
 */

/** Where a budget without a known cap starts: the least RU/s a container or database can be provisioned with. */
export const UNKNOWN_CAP_START = 400;
/**
 * A throttle cuts the rate to this share of itself: with a known cap a little (the cap is about right, the 429s
 * say one second went over it: a burst, or the live application's share of it), without one more (the rate was
 * probing above what the container sustains).
 */
export const THROTTLE_DECREASE = 0.9;
export const UNKNOWN_CAP_DECREASE = 0.8;
/**
 * Throttles closer together than this cut once: the service's budgets are per second, so the 429s of one exhausted
 * second are one signal. Nor do the 429s of requests sent before the last cut: they could not have heeded it.
 */
export const THROTTLE_HOLD_MS = 1000;
/**
 * What went through in the last this-many ms, when a throttle comes, is what the container gave: the cut starts
 * from it when it is below the rate (a cap far above what the container sustains comes down in one step, not ten).
 */
export const DELIVERED_WINDOW_MS = 1000;
/** One cut never takes more than half the rate: a second of little demand says little about the container. */
const DEEPEST_CUT = 0.5;
/**
 * After a throttle (and without a known cap, after the first one), the rate grows by this share of itself per busy
 * second: back from a cut of 10% in two seconds, while a cap far above what the container gives does not bring
 * the 429s back every other second.
 */
export const PROBE_PER_SECOND = 0.05;
/** The rate is never cut below this share of the cap (or below this many RU/s without one). */
const FLOOR_SHARE = 0.05;
const UNKNOWN_FLOOR = 50;

export class RateController {
  private current: number;
  private lastCut = -Infinity;
  private slowStart: boolean;
  /** Charges settled in the last DELIVERED_WINDOW_MS: `[time, RU]`, oldest first. */
  private readonly recent: [number, number][] = [];
  /** Throttles reported, and the times they cut the rate. */
  throttles = 0;
  cuts = 0;

  /** `ceiling`: the cap in RU/s, Infinity when unknown. */
  constructor(private ceiling: number) {
    this.current = Number.isFinite(ceiling) ? ceiling : UNKNOWN_CAP_START;
    this.slowStart = !Number.isFinite(ceiling);
  }

  /** RU per second to spend now. */
  get rate(): number {
    return this.current;
  }

  get known(): boolean {
    return Number.isFinite(this.ceiling);
  }

  /** A new cap (this process's share changed): the rate keeps its ratio to the cap. */
  setCeiling(ceiling: number): void {
    if (Number.isFinite(ceiling) && Number.isFinite(this.ceiling) && this.ceiling > 0) {
      this.current = (this.current / this.ceiling) * ceiling;
    } else if (Number.isFinite(ceiling)) {
      this.current = Math.min(this.current, ceiling);
    }
    this.ceiling = ceiling;
  }

  private get floor(): number {
    return Number.isFinite(this.ceiling) ? this.ceiling * FLOOR_SHARE : UNKNOWN_FLOOR;
  }

  /** A response at `now` was charged `requestUnits`. */
  charged(now: number, requestUnits: number): void {
    if (requestUnits > 0) this.recent.push([now, requestUnits]);
    while (this.recent.length > 0 && this.recent[0][0] <= now - DELIVERED_WINDOW_MS) this.recent.shift();
  }

  /** RU per second settled in the last DELIVERED_WINDOW_MS. */
  private delivered(now: number): number {
    this.charged(now, 0);
    return (this.recent.reduce((sum, [, ru]) => sum + ru, 0) * 1000) / DELIVERED_WINDOW_MS;
  }

  /** `count` operations of a request sent at `sentAt` were answered 429 at `now`. */
  throttled(now: number, count = 1, sentAt = now): void {
    if (count <= 0) return;
    this.throttles += count;
    this.slowStart = false;
    if (now - this.lastCut < THROTTLE_HOLD_MS || sentAt < this.lastCut) return;
    this.lastCut = now;
    this.cuts++;
    const decrease = Number.isFinite(this.ceiling) ? THROTTLE_DECREASE : UNKNOWN_CAP_DECREASE;
    const delivered = this.delivered(now);
    const from = delivered > 0 ? Math.min(this.current, delivered) : this.current;
    this.current = Math.max(this.floor, this.current * DEEPEST_CUT, from * decrease);
  }

  /**
   * The budget held requests back for `elapsedMs` up to `now` (demand was above the rate): grow, unless a throttle
   * came within the last THROTTLE_HOLD_MS.
   */
  busy(now: number, elapsedMs: number): void {
    if (elapsedMs <= 0 || now - this.lastCut < THROTTLE_HOLD_MS) return;
    const seconds = elapsedMs / 1000;
    const grown = this.current * (this.slowStart ? 2 ** seconds : 1 + PROBE_PER_SECOND * seconds);
    this.current = Math.min(this.ceiling, grown);
  }
}
