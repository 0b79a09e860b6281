import { ApplyOutcome, recordOutcome } from '../src/sync/sync-steps';
import { TableStore } from '../src/sync/table-store';
import { Ledger } from '../src/sync/types';
import { DependencySource } from './dependencies';

export interface RecordSyncInput {
  table: string;
  outcome: ApplyOutcome;
}

export function recordSyncOutcomeActivity(deps: DependencySource) {
  return async (input: RecordSyncInput): Promise<Pick<Ledger, 'status' | 'reachedTime'>> => {
    const { clients } = deps();
    const ledger = await recordOutcome(
      new TableStore(clients.lake),
      input.table,
      input.outcome,
      new Date().toISOString(),
    );
    return { status: ledger.status, reachedTime: ledger.reachedTime };
  };
}
