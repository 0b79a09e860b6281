/**
 * One physical partition's RU budget. Cosmos DB gives each physical partition an equal share of the provisioned
 * RU/s; "in any given second" operations that consume more than that are rate limited, and "every second, the
 * number of available request units resets" (https://learn.microsoft.com/azure/cosmos-db/troubleshoot-request-rate-too-large).
 * So: calendar-second windows of `rate` RU each. A request is admitted while the window's balance is positive; its
 * charge may take the balance below zero (the service runs an admitted operation to the end), and that overdraft is
 * carried into the next windows, so over time no more than `rate` RU/s get through. While the balance is not
 * positive, requests are refused with the time until the window in which it is.
 */
export type Clock = () => number;

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

const WINDOW_MS = 1000;

export class SecondWindowBudget {
  private balance: number;
  private window: number;

  constructor(
    private rate: number,
    private readonly clock: Clock = Date.now,
  ) {
    this.balance = rate;
    this.window = Math.floor(clock() / WINDOW_MS);
  }

  /** RU per second: what each window holds. */
  get ratePerSecond(): number {
    return this.rate;
  }

  set ratePerSecond(rate: number) {
    this.roll();
    this.balance = Math.min(this.balance, rate);
    this.rate = rate;
  }

  /** The current window's balance (negative while an overdraft is being paid off). */
  get available(): number {
    this.roll();
    return this.balance;
  }

  /** Starts the windows that began since the last call: each adds `rate`, up to a full window. */
  private roll(): void {
    const window = Math.floor(this.clock() / WINDOW_MS);
    if (window <= this.window) return;
    this.balance = Math.min(this.rate, this.balance + (window - this.window) * this.rate);
    this.window = window;
  }

  /** Whether a request may start now; when not, how long until a window with budget left begins. */
  admit(): Admission {
    this.roll();
    if (this.balance > 0) return { admitted: true };
    const windowsAhead = Math.floor(-this.balance / this.rate) + 1;
    const retryAt = (this.window + windowsAhead) * WINDOW_MS;
    return { admitted: false, retryAfterMs: Math.max(1, retryAt - this.clock()) };
  }

  /** Takes a charge off the balance (a negative charge gives back an over-estimate). */
  charge(requestUnits: number): void {
    this.roll();
    this.balance = Math.min(this.rate, this.balance - requestUnits);
  }
}
