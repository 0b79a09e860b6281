import { runFolder } from '../src/lake/paths';
import { latestRunFolder } from '../src/lake/runs';
import { ValidateInput, ValidationResult } from '../src/migration/contracts';
import { mappingOptionsOf, migrationFolderOf } from '../src/migration/request-views';
import { RuBudget } from '../src/cosmos/ru-budget';
import { resolveRuCap } from '../src/cosmos/throughput';
import { checkContainer, expectedDocuments } from '../src/validation/container-count';
import { reconcileCounts } from '../src/validation/counts';
import { verifySample } from '../src/validation/verify-sample';
import { DependencySource } from './dependencies';

export function validateMigrationActivity(deps: DependencySource) {
  return async (input: ValidateInput): Promise<ValidationResult> => {
    const { clients, settings } = deps();
    const { database, container } = input.request.target;
    const counts = reconcileCounts(input.counts);
    const folder = migrationFolderOf(input.request);
    const run = input.runId ? runFolder(folder, input.runId) : await latestRunFolder(clients.lake, folder);
    const sample = run
      ? await verifySample({
          lake: clients.lake,
          container: clients.cosmos.database(database).container(container),
          run,
          fileIndexes: input.sampleFileIndexes,
          mapping: mappingOptionsOf(input.request),
          incremental: input.incremental,
        })
      : { sampled: 0, mismatched: 0, mismatches: [] };
    // Counted after the sample, within the migration's RU cap: the application may be live on this container.
    const target = clients.cosmos.database(database).container(container);
    const cap = await resolveRuCap(target, input.request.options.maxRequestUnitsPerSecond, settings.cosmosThroughput);
    const expected = expectedDocuments(input.counts, input.incremental, input.request.documentsBefore);
    const held = await checkContainer(target, expected, new RuBudget(cap.requestUnitsPerSecond ?? Infinity));
    return {
      passed: counts.reconciled && sample.mismatched === 0 && held.reconciled,
      countsReconciled: counts.reconciled,
      countsDetail: counts.detail,
      sampled: sample.sampled,
      mismatched: sample.mismatched,
      mismatches: sample.mismatches,
      container: held,
    };
  };
}
