import { InvocationContext } from '@azure/functions';
import { migrationFolderOf, mappingOptionsOf } from '../src/migration/request-views';
import { loadFile, LoadFileResult } from '../src/load/load-file';
import { LoadFileInput, Outcome } from '../src/migration/contracts';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export function loadFileActivity(deps: DependencySource) {
  return async (input: LoadFileInput, context?: InvocationContext): Promise<Outcome<LoadFileResult>> =>
    asOutcome(async () => {
      const { clients, settings } = deps();
      const { database, container } = input.request.target;
      return loadFile({
        lake: clients.lake,
        container: clients.cosmos.database(database).container(container),
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
      });
    });
}
