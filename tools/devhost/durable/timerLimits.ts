/** Timer limits the extension sends with every orchestration (.NET TimeSpan text) and their split rule. */
export interface TimerLimits {
  /** Timers further away than this are split into segments (Azure Storage: 6 days). */
  maximumShortTimerDuration: string;
  /** Length of each segment of a split timer (Azure Storage: 3 days). */
  longRunningTimerIntervalDuration: string;
}

export const AZURE_STORAGE_TIMER_LIMITS: TimerLimits = {
  maximumShortTimerDuration: '6.00:00:00',
  longRunningTimerIntervalDuration: '3.00:00:00',
};

/** Parses `[-][d.]hh:mm[:ss[.fffffff]]` (.NET TimeSpan "c" format) into milliseconds. */
export function parseTimeSpanMs(text: string): number {
  const m = /^(-)?(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(\.\d+)?)?$/.exec(text.trim());
  if (!m) {
    throw new Error(`"${text}" is not a TimeSpan (expected [d.]hh:mm:ss)`);
  }
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours) * 3_600_000 +
    Number(minutes) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(fraction ?? 0) * 1000);
  return sign ? -ms : ms;
}

/**
 * Fire time of the next segment of a timer due at `finalFireAt`, mirroring durable-functions' LongTimerTask:
 * if more than the maximum short duration remains, wait one interval, else fire at the final time.
 */
export function nextTimerSegment(nowMs: number, finalFireAtMs: number, limits: TimerLimits): number {
  const maxShort = parseTimeSpanMs(limits.maximumShortTimerDuration);
  const interval = parseTimeSpanMs(limits.longRunningTimerIntervalDuration);
  return finalFireAtMs - nowMs > maxShort ? nowMs + interval : finalFireAtMs;
}
