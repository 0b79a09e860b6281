/**
 * maxHistoryEvents: the longest Durable history of any execution of a migration of BENCH_HISTORY_FILES files
 * (10,000) — the migration's own orchestration and every lane, over all their executions (continue-as-new). The
 * real orchestrators run under the replay simulation of test/support (the durable-functions handler and the
 * devhost's history planning), with activities that answer at once and lanes that read as running for
 * BENCH_HISTORY_POLLS polls (200), so the migration's watching is measured across its continue-as-new too.
 */
import { happyActivities, manifest, request } from '../test/unit/orchestrators/fixtures';
import { simulateMigration } from '../test/support/lane-sim';

export interface HistoryFigures {
  files: number;
  lanes: number;
  polls: number;
  parentExecutions: number;
  laneExecutions: number;
  maxParentHistoryEvents: number;
  maxLaneHistoryEvents: number;
  maxHistoryEvents: number;
  seconds: number;
}

/** Runs the simulated migration and returns the history figures. */
export async function benchHistory(files = 10_000, polls = 200): Promise<HistoryFigures> {
  const t0 = performance.now();
  const itemCounts = Array.from({ length: files }, (_, i) => 1 + (i % 7));
  const sim = await simulateMigration(request(), happyActivities(manifest(itemCounts)), { runningPolls: polls });
  if (sim.parent.outcome !== 'completed') throw new Error(`the simulated migration ended ${sim.parent.outcome}`);
  const lanes = Object.values(sim.lanes);
  return {
    files,
    lanes: lanes.length,
    polls,
    parentExecutions: sim.parent.historyLengths.length,
    laneExecutions: lanes.reduce((sum, lane) => sum + lane.historyLengths.length, 0),
    maxParentHistoryEvents: sim.maxHistoryEvents.parent,
    maxLaneHistoryEvents: sim.maxHistoryEvents.lanes,
    maxHistoryEvents: Math.max(sim.maxHistoryEvents.parent, sim.maxHistoryEvents.lanes),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}
