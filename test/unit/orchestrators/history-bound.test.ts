/**
 * The history bound of issue 15 at its size: a migration of 10,000 files, its orchestration and every lane replayed
 * over all their executions (bench/history.ts, which `npm run bench` reports as maxHistoryEvents), keeps every
 * execution's history at 250 events or fewer.
 */
import { benchHistory } from '../../../bench/history';

test('10,000 files: no execution of the migration or of a lane passes 250 history events', async () => {
  const figures = await benchHistory(10_000, 200);

  expect(figures.lanes).toBe(8);
  expect(figures.maxLaneHistoryEvents).toBeLessThanOrEqual(250);
  expect(figures.maxParentHistoryEvents).toBeLessThanOrEqual(250);
  // Both were measured across continue-as-new, not on one short execution.
  expect(figures.laneExecutions).toBeGreaterThan(8 * 10);
  expect(figures.parentExecutions).toBeGreaterThan(2);
}, 600_000);
