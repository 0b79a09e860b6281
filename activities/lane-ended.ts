import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { LANE_ENDED_EVENT, LaneEndedInput } from '../orchestrators/lane-contracts';

/**
 * Tells a migration that one of its lanes ended (orchestrations cannot raise events on others themselves), so it
 * validates as soon as the last lane is done instead of at its next poll. Only a hint: the migration polls anyway,
 * so a migration that has ended or cannot be reached is no error.
 */
export function laneEndedActivity() {
  return async ({ parent, lane }: LaneEndedInput, context: InvocationContext): Promise<{ told: boolean }> => {
    try {
      await df.getClient(context).raiseEvent(parent, LANE_ENDED_EVENT, lane);
      return { told: true };
    } catch (error) {
      context.warn(
        `${lane}: could not tell ${parent} that it ended (${(error as Error).message}); its poll will see it`,
      );
      return { told: false };
    }
  };
}
