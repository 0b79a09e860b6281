import { migrationFolderOf, mappingOptionsOf } from '../src/migration/request-views';
import { loadFile, LoadFileResult } from '../src/load/load-file';
import { LoadFileInput, Outcome } from '../src/migration/contracts';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export function loadFileActivity(deps: DependencySource) {
  return async (input: LoadFileInput): Promise<Outcome<LoadFileResult>> =>
    asOutcome(async () => {
      const { clients } = deps();
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
      });
    });
}
