import { OrchestrationContext, Task } from 'durable-functions';
import type { ErrorInfo } from '../src/errors';
import type { RuCap } from '../src/cosmos/throughput';
import type { ExportSummary } from '../src/export/types';
import { Names } from '../src/migration/contracts';
import { migrationRunId } from '../src/migration/instance-id';
import { MigrationRequest } from '../src/migration/request';
import { LANE_ENDED_EVENT, LaneReading, ReadLanesInput } from './lane-contracts';
import { addOutcomes, newProgress, Progress, ProgressSample } from './progress';
import { addProgress } from './progress-sum';

/** What the migration's orchestration carries from one execution to the next while its lanes run. */
export interface ParentState {
  /** When the run started (orchestration clock, ISO): with the instance id, the run id. */
  startedAt: string;
  summary: ExportSummary;
  incremental: boolean;
  /** The lanes' instance ids. */
  lanes: string[];
  /** The manifest's file and item counts, and the RU cap the loads keep to. */
  expected: { files: number; items: number; ruCap?: RuCap };
  /** Lanes that ended, by instance id: their final totals. */
  ended: Record<string, Progress>;
  samples: ProgressSample[];
  polls: number;
}

/** Events of the history left, counted as migrate-lane.ts counts them. */
export interface HistoryBudget {
  events: number;
  limit: number;
  perTask: number;
}

/**
 * The first poll after a second (small migrations end in seconds), then every 2 s, no slower: the last lane's end
 * is seen at the next poll and validation waits for it, so a longer interval leaves the RU budget idle at the end
 * of every migration (a 5 s interval cost a 100 s load 4% of its cap). The history budget makes it a continue-as-new
 * about every minute; each poll reads the lanes' statuses and the running loads' checkpoints, a few small reads.
 */
export const FIRST_POLL_MS = 1_000;
export const LAST_POLL_MS = 2_000;
const POLL_GROWTH = 1.5;

export function pollDelayMs(polls: number): number {
  return Math.min(LAST_POLL_MS, Math.round(FIRST_POLL_MS * Math.pow(POLL_GROWTH, polls)));
}

/** The migration's totals over the lanes that have ended. */
export function endedTotals(state: ParentState): Progress {
  const progress = newProgress(state.expected.files, state.expected.items, state.expected.ruCap);
  for (const lane of Object.values(state.ended)) addProgress(progress, lane);
  return progress;
}

/**
 * A lane that failed, or was terminated, before it ended: its totals as of its last continue-as-new, and the files
 * it had not finished then count as failed (BATCH_FAILED). Files it finished after that are counted among these
 * too: what they loaded is in the container, and validation's counts say so.
 */
function lostLane(reading: LaneReading, lost: NonNullable<LaneReading['lost']>): Progress {
  const error: ErrorInfo = {
    code: 'BATCH_FAILED',
    message: `[BATCH_FAILED] ${reading.instanceId} ended ${reading.runtimeStatus.toLowerCase()} before the file was done; the app's log has the cause`,
  };
  return addOutcomes(
    lost.progress,
    lost.unfinished.map((file) => ({ index: file.index, key: file.key, itemCount: file.itemCount, error })),
  );
}

/**
 * Watches the lanes: a durable timer (cut short when a lane says it ended, LANE_ENDED_EVENT), then one activity
 * reads every running lane's status; the sum of their totals (and the counts so far of the files they are loading)
 * goes to `publish`. Returns true once every lane has ended, false when the history budget is spent first (the
 * caller continues as new with `state`).
 */
export function* pollLanes(
  context: OrchestrationContext,
  request: MigrationRequest,
  state: ParentState,
  budget: HistoryBudget,
  publish: (progress: Progress) => void,
): Generator<Task, boolean, unknown> {
  const runId = migrationRunId(context.df.instanceId, new Date(state.startedAt));
  for (;;) {
    const running = state.lanes.filter((id) => !state.ended[id]);
    if (running.length === 0) return true;
    // The timer, the lanes' reading, and a lane's end that may wake the wait.
    if (budget.events + 3 * budget.perTask > budget.limit) return false;
    budget.events += 3 * budget.perTask;
    const delay = pollDelayMs(state.polls++);
    const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay));
    const laneEnded = context.df.waitForExternalEvent(LANE_ENDED_EVENT);
    const woken = yield context.df.Task.any([timer, laneEnded]);
    if (woken !== timer) timer.cancel();
    let readings: LaneReading[];
    try {
      readings = (yield context.df.callActivity(Names.readLanes, {
        request,
        runId,
        instanceIds: running,
      } satisfies ReadLanesInput)) as LaneReading[];
    } catch {
      // The next poll reads them again; nothing is lost by skipping one.
      if (!context.df.isReplaying) context.warn(`${context.df.instanceId}: reading the lanes failed; polling again`);
      continue;
    }
    const live = newProgress(0, 0);
    for (const reading of readings) {
      if (reading.final) state.ended[reading.instanceId] = reading.final;
      else if (reading.lost) state.ended[reading.instanceId] = lostLane(reading, reading.lost);
      else if (reading.status) {
        addProgress(live, reading.status.progress);
        if (reading.loading) {
          const { requestCharge, ...items } = reading.loading;
          addProgress(live, { items: { ...items, expected: 0, inFailedFiles: 0 }, requestCharge });
        }
      }
    }
    publish(addProgress(endedTotals(state), live));
  }
}
