/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); longer waits re-arm in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** In-memory alarms for durable timers, keyed so they can be disarmed individually or per instance. */
export class TimerService {
  readonly #handles = new Map<string, NodeJS.Timeout>();

  arm(key: string, fireAtMs: number, onFire: () => void): void {
    this.cancel(key);
    // Always asynchronous, even when already due, so callers never re-enter themselves.
    const schedule = (): void => {
      const remaining = Math.max(0, fireAtMs - Date.now());
      const handle = setTimeout(
        () => {
          if (fireAtMs - Date.now() > 0) {
            schedule();
            return;
          }
          this.#handles.delete(key);
          onFire();
        },
        Math.min(remaining, MAX_TIMEOUT_MS),
      );
      this.#handles.set(key, handle);
    };
    schedule();
  }

  cancel(key: string): void {
    const handle = this.#handles.get(key);
    if (handle) {
      clearTimeout(handle);
      this.#handles.delete(key);
    }
  }

  cancelWhere(predicate: (key: string) => boolean): void {
    for (const key of [...this.#handles.keys()]) {
      if (predicate(key)) this.cancel(key);
    }
  }

  cancelAll(): void {
    this.cancelWhere(() => true);
  }
}
