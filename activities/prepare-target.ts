import { ensureTargetContainer } from '../src/cosmos/target';
import { resolveRuCap } from '../src/cosmos/throughput';
import { PrepareTargetResult } from '../src/migration/contracts';
import { MigrationRequest } from '../src/migration/request';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

/**
 * The lake container and the Cosmos DB container ready (partition key checked), and the migration's RU cap with
 * where it came from (src/cosmos/throughput.ts), for the custom status and the report: the loads resolve the
 * same cap from the same request and settings. A malformed COSMOS_THROUGHPUT fails here, as CONFIGURATION.
 */
export function prepareTargetActivity(deps: DependencySource) {
  return async (request: MigrationRequest): Promise<PrepareTargetResult> =>
    asOutcome(async () => {
      const { clients, settings } = deps();
      await clients.lake.createIfNotExists();
      await ensureTargetContainer(clients.cosmos, request.target);
      const container = clients.cosmos.database(request.target.database).container(request.target.container);
      const ruCap = await resolveRuCap(container, request.options.maxRequestUnitsPerSecond, settings.cosmosThroughput);
      return { lakeContainer: settings.lakeContainer, ruCap };
    });
}
