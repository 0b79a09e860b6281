import { InvocationContext } from '@azure/functions';
import { lakeLoadPresence } from '../src/cosmos/load-presence';
import { leaseRuBudget } from '../src/cosmos/ru-budget';
import { resolveRuCap } from '../src/cosmos/throughput';
import { migrationFolderOf, mappingOptionsOf } from '../src/migration/request-views';
import { loadFile, LoadFailure, LoadFileResult, LoadOutcome } from '../src/load/load-file';
import { LoadFileInput } from '../src/migration/contracts';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export function loadFileActivity(deps: DependencySource) {
  return async (input: LoadFileInput, context?: InvocationContext): Promise<LoadOutcome> => {
    /** What a load that failed for good had loaded (CORRUPT_GZIP, FILE_POISONED): the report counts it. */
    let loaded: LoadFileResult | undefined;
    const outcome = await asOutcome(async () => {
      const { clients, settings } = deps();
      const { database, container } = input.request.target;
      const target = clients.cosmos.database(database).container(container);
      // The cap is the whole migration's; this process's loads of it share one bucket, a parallel file's share each (ru-budget.ts).
      const cap = await resolveRuCap(target, input.request.options.maxRequestUnitsPerSecond, settings.cosmosThroughput);
      const lease = leaseRuBudget(
        input.runId,
        cap.requestUnitsPerSecond,
        input.parallelFiles ?? input.request.options.maxParallelFiles,
        { presence: lakeLoadPresence(clients.lake, migrationFolderOf(input.request), input.runId) },
      );
      context?.log(
        cap.requestUnitsPerSecond === undefined
          ? `${input.file.key}: no known RU cap (${cap.detail}); the budget finds the rate the container sustains from its 429s`
          : `${input.file.key}: RU budget ${Math.round(lease.budget.ratePerSecond)} RU/s in this process of ${cap.requestUnitsPerSecond} RU/s (${cap.detail})`,
      );
      try {
        const load = loadFile({
          lake: clients.lake,
          // Without the SDK's retries of 429s: the writer retries them itself, through the budget (bulk-writer.ts).
          container: clients.cosmosWrites?.database(database).container(container) ?? target,
          lakePath: input.lakePath,
          sourceName: input.file.key,
          fileIndex: input.file.index,
          incremental: input.incremental,
          mapping: mappingOptionsOf(input.request),
          migrationFolder: migrationFolderOf(input.request),
          sampleQuota: input.file.sampleQuota,
          concurrency: input.request.options.bulkConcurrency,
          runId: input.runId,
          timeBudgetMs: settings.loadTimeBudgetSeconds * 1000,
          log: (line) => context?.log(line),
          ruBudget: lease.budget,
        });
        return await load.catch((error: unknown) => {
          if (error instanceof LoadFailure) loaded = error.loaded;
          throw error;
        });
      } finally {
        const { throttles, cuts } = lease.budget.throttling;
        // The migration's budget as this load leaves it: a rate under the cap with 429s says Cosmos DB gave less.
        context?.log(
          `${input.file.key}: RU budget at ${Math.round(lease.budget.ratePerSecond)} RU/s; ${throttles} operations of the migration's loads in this process throttled, rate cut ${cuts} times`,
        );
        lease.release();
      }
    });
    return !outcome.ok && loaded ? { ...outcome, loaded } : outcome;
  };
}
