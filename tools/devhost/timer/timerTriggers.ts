import { promises as fs } from 'fs';
import * as path from 'path';
import { FunctionDefinition } from '../app/functionIndex';
import { extraInputData } from '../invoke/extraInputs';
import { Invoker } from '../invoke/invoker';
import { errorMessage, Logger } from '../logger';
import { approximateIntervalMs, parseSchedule, Schedule } from './schedule';
import { NEVER, ScheduleStatus, timerTriggerValue } from './timerPayload';

export interface TimerTriggerOptions {
  functions: FunctionDefinition[];
  invoker: Invoker;
  logger: Logger;
  /** Monitor records go to `<stateDir>/timers/`. */
  stateDir: string;
  timeZone: string;
  durableClientValue: () => unknown;
}

const MAX_TIMEOUT_MS = 2_147_483_647;
const ONE_MINUTE_MS = 60_000;

class TimerJob {
  running = false;
  handle: NodeJS.Timeout | undefined;
  status: ScheduleStatus | null = null;

  constructor(
    readonly fn: FunctionDefinition,
    readonly schedule: Schedule,
    readonly monitor: boolean,
    readonly statusFile: string,
  ) {}
}

/**
 * Fires timer triggers on their schedule. A firing that comes due while the previous run of the same timer
 * is still executing is skipped, as the host's singleton lock does. With schedule monitoring (default for
 * schedules of a minute or more) the last/next occurrence is persisted, so an occurrence missed while the
 * host was down fires at startup with `isPastDue: true`.
 */
export class TimerTriggers {
  readonly #jobs: TimerJob[] = [];
  #stopped = false;

  constructor(private readonly options: TimerTriggerOptions) {}

  async start(): Promise<void> {
    const dir = path.join(this.options.stateDir, 'timers');
    for (const fn of this.options.functions) {
      let schedule: Schedule;
      try {
        schedule = parseSchedule(String(fn.trigger.schedule ?? ''), this.options.timeZone);
      } catch (err) {
        this.options.logger.error(`Timer function '${fn.name}' is not loaded: ${errorMessage(err)}`);
        continue;
      }
      const useMonitor = typeof fn.trigger.useMonitor === 'boolean' ? fn.trigger.useMonitor : undefined;
      const monitor = useMonitor ?? approximateIntervalMs(schedule, Date.now()) >= ONE_MINUTE_MS;
      const job = new TimerJob(
        fn,
        schedule,
        monitor,
        path.join(dir, `${fn.name.replace(/[^A-Za-z0-9_-]/g, '_')}.json`),
      );
      this.#jobs.push(job);
    }
    await fs.mkdir(dir, { recursive: true });
    for (const job of this.#jobs) {
      const now = Date.now();
      job.status = job.monitor ? await this.#readStatus(job) : null;
      if (job.fn.trigger.runOnStartup === true) {
        void this.#fire(job, now);
      } else if (job.status && Date.parse(job.status.Next) < now) {
        void this.#fire(job, Date.parse(job.status.Next));
      }
      this.#arm(job, now);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const job of this.#jobs) {
      clearTimeout(job.handle);
    }
  }

  /** Invokes a timer function now (the host's `POST /admin/functions/<name>`). */
  async runNow(name: string): Promise<boolean> {
    const job = this.#jobs.find((j) => j.fn.name.toLowerCase() === name.toLowerCase());
    if (!job) return false;
    await this.#fire(job, Date.now());
    return true;
  }

  #arm(job: TimerJob, afterMs: number): void {
    if (this.#stopped) return;
    const due = job.schedule.next(afterMs);
    const tick = (): void => {
      const remaining = due - Date.now();
      if (remaining > 0) {
        job.handle = setTimeout(tick, Math.min(remaining, MAX_TIMEOUT_MS));
        return;
      }
      void this.#fire(job, due);
      this.#arm(job, Math.max(due, Date.now()));
    };
    job.handle = setTimeout(tick, Math.min(Math.max(0, due - Date.now()), MAX_TIMEOUT_MS));
  }

  async #fire(job: TimerJob, scheduledMs: number): Promise<void> {
    if (this.#stopped) return;
    if (job.running) {
      this.options.logger.warn(`Timer '${job.fn.name}' skipped an occurrence: the previous run is still executing.`);
      return;
    }
    job.running = true;
    const firedMs = Date.now();
    const before: ScheduleStatus = job.status ?? {
      Last: NEVER,
      Next: new Date(scheduledMs).toISOString(),
      LastUpdated: new Date(firedMs).toISOString(),
    };
    const value = timerTriggerValue({ scheduledMs, firedMs, status: before });
    try {
      await this.options.invoker.invoke(job.fn, {
        inputData: [
          { name: job.fn.triggerBindingName, data: { json: JSON.stringify(value) } },
          ...extraInputData(job.fn, this.options.durableClientValue),
        ],
      });
    } catch {
      // Already reported on the invocation line; a failing run must not stop the schedule.
    } finally {
      job.running = false;
    }
    job.status = {
      Last: new Date(scheduledMs).toISOString(),
      Next: new Date(job.schedule.next(Math.max(scheduledMs, Date.now()))).toISOString(),
      LastUpdated: new Date().toISOString(),
    };
    if (job.monitor) {
      await this.#writeStatus(job).catch((err: unknown) =>
        this.options.logger.warn(`Timer '${job.fn.name}': schedule status not saved: ${errorMessage(err)}`),
      );
    }
  }

  async #readStatus(job: TimerJob): Promise<ScheduleStatus | null> {
    try {
      const status = JSON.parse(await fs.readFile(job.statusFile, 'utf8')) as ScheduleStatus;
      return typeof status.Next === 'string' ? status : null;
    } catch {
      return null;
    }
  }

  async #writeStatus(job: TimerJob): Promise<void> {
    const temp = `${job.statusFile}.tmp`;
    await fs.writeFile(temp, JSON.stringify(job.status));
    await fs.rename(temp, job.statusFile);
  }
}
