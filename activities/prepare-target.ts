import { ensureTargetContainer } from '../src/cosmos/target';
import { Outcome } from '../src/migration/contracts';
import { MigrationRequest } from '../src/migration/request';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export function prepareTargetActivity(deps: DependencySource) {
  return async (request: MigrationRequest): Promise<Outcome<object>> =>
    asOutcome(async () => {
      const { clients, settings } = deps();
      await clients.lake.createIfNotExists();
      await ensureTargetContainer(clients.cosmos, request.target);
      return { lakeContainer: settings.lakeContainer };
    });
}
