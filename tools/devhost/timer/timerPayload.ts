/** Schedule monitor record, persisted per timer function like the host's `timers/<fn>/status` blob. */
export interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

/** .NET DateTime.MinValue as the host reports "never ran". */
export const NEVER = '0001-01-01T00:00:00';

/** Firing later than this counts as past due (a missed or delayed occurrence). */
export const PAST_DUE_TOLERANCE_MS = 1000;

/**
 * The trigger value in the host's PascalCase; the library camel-cases it into
 * `{isPastDue, schedule:{adjustForDST}, scheduleStatus:{last,next,lastUpdated}}`.
 */
export function timerTriggerValue(args: {
  scheduledMs: number;
  firedMs: number;
  status: ScheduleStatus | null;
}): Record<string, unknown> {
  return {
    Schedule: { AdjustForDST: true },
    ScheduleStatus: args.status,
    IsPastDue: args.firedMs - args.scheduledMs > PAST_DUE_TOLERANCE_MS,
  };
}
