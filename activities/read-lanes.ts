import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { checkpointPath, runFolder } from '../src/lake/paths';
import { readCheckpoint } from '../src/load/checkpoint';
import { migrationFolderOf } from '../src/migration/request-views';
import type { LaneInput, LaneOutput, LaneReading, LaneStatus, ReadLanesInput } from '../orchestrators/lane-contracts';
import { DependencySource } from './dependencies';
import { isInstanceMissing } from './start-lanes';

const ENDED_BADLY = new Set(['Failed', 'Terminated', 'Canceled']);

/**
 * Where each lane of a migration stands, for the migration's poll: a running lane's custom status (and the counts
 * so far of the file it is loading, from that load's checkpoint), a completed lane's totals, or for a lane that
 * failed or was terminated its totals and unfinished files as of its last continue-as-new. The per-file records
 * stay out: the migration's history keeps only totals.
 */
export function readLanesActivity(deps: DependencySource) {
  return async (input: ReadLanesInput, context: InvocationContext): Promise<LaneReading[]> => {
    const client = df.getClient(context);
    const run = runFolder(migrationFolderOf(input.request), input.runId);
    return Promise.all(
      input.instanceIds.map(async (instanceId): Promise<LaneReading> => {
        let status: df.DurableOrchestrationStatus;
        try {
          status = await client.getStatus(instanceId, { showInput: false });
        } catch (error) {
          if (isInstanceMissing(error)) return { instanceId, runtimeStatus: 'Missing' };
          throw error;
        }
        const runtimeStatus = String(status.runtimeStatus);
        if (runtimeStatus === 'Completed') {
          return { instanceId, runtimeStatus, final: (status.output as LaneOutput).progress };
        }
        if (ENDED_BADLY.has(runtimeStatus)) {
          const { input: last } = await client.getStatus(instanceId, { showInput: true });
          const lane = last as LaneInput;
          const unfinished = [...lane.active.map((work) => work.file), ...lane.queue].map(
            ({ index, key, itemCount }) => ({ index, key, itemCount }),
          );
          return { instanceId, runtimeStatus, lost: { progress: lane.progress, unfinished } };
        }
        const laneStatus = (status.customStatus ?? undefined) as LaneStatus | undefined;
        const reading: LaneReading = { instanceId, runtimeStatus, ...(laneStatus ? { status: laneStatus } : {}) };
        if (laneStatus?.loading) {
          try {
            const checkpoint = await readCheckpoint(deps().clients.lake, checkpointPath(run, laneStatus.loading.index));
            if (checkpoint && checkpoint.runId === input.runId && !checkpoint.complete) {
              const { linesRead, written, deleted, deadLettered, requestCharge } = checkpoint.totals;
              reading.loading = { read: linesRead, written, deleted, deadLettered, requestCharge };
            }
          } catch {
            // No checkpoint yet, or the lake is busy: this poll shows the file's counts when it ends.
          }
        }
        return reading;
      }),
    );
  };
}
