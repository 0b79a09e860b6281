/**
 * A migration replayed with its lanes (test/support/replay.ts): the lanes are orchestrations of their own that the
 * migration starts and reads through two activities using the durable client, so here `startLanes` replays each
 * lane to its end with the same activities, and `readLanes` answers from those results as the real activity would
 * (completed: its totals; failed: its totals and unfinished files as of its last input). A lane can be made to
 * fail (`failLanes`), or to look running for the first polls (`runningPolls`).
 */
import { migrateExport } from '../../orchestrators/migrate-export';
import { migrateLane } from '../../orchestrators/migrate-lane';
import type {
  LaneInput,
  LaneOutput,
  LaneReading,
  LaneStatus,
  ReadLanesInput,
  StartLanesInput,
} from '../../orchestrators/lane-contracts';
import type { MigrationRequest } from '../../src/migration/request';
import { ActivityFn, parsedOutput, simulate, SimulateOptions, SimulationResult } from './replay';

export interface LaneSimOptions extends SimulateOptions {
  /** Lanes (by number) that end failed: their orchestration is replaced by one that throws. */
  failLanes?: number[];
  /** Polls during which every lane still reads as running, with its last custom status. */
  runningPolls?: number;
  /** External events raised on the migration only (`events` goes to the lanes too). */
  parentEvents?: SimulateOptions['events'];
}

export interface LaneSimulation {
  parent: SimulationResult;
  lanes: Record<string, SimulationResult>;
  /** The longest history of any execution: of the migration, and of any lane. */
  maxHistoryEvents: { parent: number; lanes: number };
}

function failingLane(): Iterator<unknown, unknown, unknown> {
  throw new Error('the lane broke');
}

function readingOf(id: string, lane: SimulationResult, running: boolean): LaneReading {
  if (running || lane.outcome === 'continuedAsNew') {
    const status = lane.customStatus as LaneStatus | undefined;
    return { instanceId: id, runtimeStatus: 'Running', ...(status ? { status } : {}) };
  }
  if (lane.outcome === 'completed') {
    return { instanceId: id, runtimeStatus: 'Completed', final: (parsedOutput(lane) as LaneOutput).progress };
  }
  const last = lane.inputs[lane.inputs.length - 1] as LaneInput;
  const unfinished = [...last.active.map((w) => w.file), ...last.queue].map(({ index, key, itemCount }) => ({
    index,
    key,
    itemCount,
  }));
  return { instanceId: id, runtimeStatus: 'Failed', lost: { progress: last.progress, unfinished } };
}

/** Replays migrateExport and its lanes; the lanes' runs are kept by instance id. */
export async function simulateMigration(
  input: MigrationRequest,
  activities: Record<string, ActivityFn>,
  options: LaneSimOptions = {},
): Promise<LaneSimulation> {
  const { failLanes = [], runningPolls = 0, parentEvents, ...simOptions } = options;
  const lanes: Record<string, SimulationResult> = {};
  let polls = 0;
  // The lanes say they ended; the migration here still sees it at its polls (the lanes run to their end when started).
  const laneActivities: Record<string, ActivityFn> = { laneEnded: () => ({ told: false }), ...activities };
  const all: Record<string, ActivityFn> = {
    ...activities,
    startLanes: async ({ lanes: wanted }: StartLanesInput) => {
      for (const { instanceId, input: laneInput } of wanted) {
        if (lanes[instanceId]) continue;
        const fails = failLanes.includes(laneInput.lane);
        lanes[instanceId] = await simulate(fails ? failingLane : migrateLane, laneInput, laneActivities, {
          ...simOptions,
          name: 'migrateLane',
          instanceId,
          maxGenerations: 10_000,
        });
      }
      return { started: wanted.length };
    },
    readLanes: ({ instanceIds }: ReadLanesInput) => {
      polls++;
      return instanceIds.map((id) =>
        lanes[id] ? readingOf(id, lanes[id], polls <= runningPolls) : { instanceId: id, runtimeStatus: 'Missing' },
      );
    },
  };
  const parent = await simulate(migrateExport, input, all, {
    name: 'migrateExport',
    instanceId: 'mig-1',
    maxGenerations: 10_000,
    ...simOptions,
    ...(parentEvents ? { events: [...(simOptions.events ?? []), ...parentEvents] } : {}),
  });
  const longest = (results: SimulationResult[]) => Math.max(0, ...results.flatMap((r) => r.historyLengths));
  return {
    parent,
    lanes,
    maxHistoryEvents: { parent: longest([parent]), lanes: longest(Object.values(lanes)) },
  };
}
