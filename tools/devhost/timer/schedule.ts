import { CronExpressionParser } from 'cron-parser';
import { parseTimeSpanMs } from '../durable/timerLimits';

export interface Schedule {
  /** First occurrence strictly after `afterMs`. */
  next(afterMs: number): number;
  readonly expression: string;
}

const TIME_SPAN = /^(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Timer trigger schedules: a 6-field NCRONTAB expression (seconds first) evaluated in `timeZone`
 * (WEBSITE_TIME_ZONE in Azure, UTC by default), or a TimeSpan like `00:05:00` meaning "every 5 minutes
 * from the previous run", which Azure accepts on App Service plans.
 */
export function parseSchedule(expression: string, timeZone = 'UTC'): Schedule {
  const text = expression.trim();
  if (TIME_SPAN.test(text)) {
    const interval = parseTimeSpanMs(text);
    if (interval <= 0) {
      throw new Error(`Timer schedule '${expression}' must be a positive TimeSpan.`);
    }
    return { expression: text, next: (afterMs) => afterMs + interval };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `'${expression}' is not a valid NCRONTAB expression: expected 6 fields ` +
        '({second} {minute} {hour} {day} {month} {day-of-week}), got ' +
        `${fields.length}.`,
    );
  }
  // Validate once up front so a typo fails at startup, not at the first firing.
  CronExpressionParser.parse(text, { tz: timeZone });
  return {
    expression: text,
    next: (afterMs) =>
      CronExpressionParser.parse(text, { currentDate: new Date(afterMs), tz: timeZone })
        .next()
        .getTime(),
  };
}

/** Interval between the next two occurrences; Azure turns schedule monitoring off below one minute. */
export function approximateIntervalMs(schedule: Schedule, fromMs: number): number {
  const first = schedule.next(fromMs);
  return schedule.next(first) - first;
}
