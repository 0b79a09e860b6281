import { approximateIntervalMs, parseSchedule } from '../../../tools/devhost/timer/schedule';
import { NEVER, timerTriggerValue } from '../../../tools/devhost/timer/timerPayload';

const at = (iso: string) => Date.parse(iso);

describe('NCRONTAB schedules', () => {
  it('has a seconds field', () => {
    const everySecond = parseSchedule('*/1 * * * * *');
    expect(new Date(everySecond.next(at('2024-01-01T12:00:00.000Z'))).toISOString()).toBe('2024-01-01T12:00:01.000Z');
    const fiveMinutes = parseSchedule('0 */5 * * * *');
    expect(new Date(fiveMinutes.next(at('2024-01-01T12:05:00.000Z'))).toISOString()).toBe('2024-01-01T12:10:00.000Z');
    expect(new Date(fiveMinutes.next(at('2024-01-01T12:04:59.999Z'))).toISOString()).toBe('2024-01-01T12:05:00.000Z');
  });

  it('supports day-of-week names and ranges', () => {
    const weekdays = parseSchedule('0 30 9 * * Mon-Fri');
    // 2024-01-06 is a Saturday
    expect(new Date(weekdays.next(at('2024-01-06T00:00:00Z'))).toISOString()).toBe('2024-01-08T09:30:00.000Z');
  });

  it('evaluates in the configured time zone', () => {
    const nineInBerlin = parseSchedule('0 0 9 * * *', 'Europe/Berlin');
    expect(new Date(nineInBerlin.next(at('2024-01-01T12:00:00Z'))).toISOString()).toBe('2024-01-02T08:00:00.000Z');
  });

  it('rejects 5-field (classic cron) and malformed expressions', () => {
    expect(() => parseSchedule('*/5 * * * *')).toThrow('expected 6 fields');
    expect(() => parseSchedule('61 * * * * *')).toThrow();
    expect(() => parseSchedule('x * * * * *')).toThrow();
  });

  it('accepts TimeSpan schedules as fixed intervals', () => {
    const schedule = parseSchedule('00:00:30');
    expect(schedule.next(1000)).toBe(31_000);
  });

  it('estimates the interval (used to default useMonitor)', () => {
    expect(approximateIntervalMs(parseSchedule('*/10 * * * * *'), 0)).toBe(10_000);
    expect(approximateIntervalMs(parseSchedule('0 0 * * * *'), 0)).toBe(3_600_000);
  });
});

describe('timer trigger value', () => {
  const status = { Last: NEVER, Next: '2024-01-01T00:00:00.000Z', LastUpdated: '2024-01-01T00:00:00.000Z' };

  it('uses the host PascalCase shape that the library camel-cases', () => {
    expect(timerTriggerValue({ scheduledMs: 0, firedMs: 5, status })).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status,
      IsPastDue: false,
    });
  });

  it('is past due when it fires well after its occurrence', () => {
    expect(timerTriggerValue({ scheduledMs: 0, firedMs: 60_000, status }).IsPastDue).toBe(true);
  });
});
