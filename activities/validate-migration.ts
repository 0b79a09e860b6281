import { ValidateInput, ValidationResult } from '../src/migration/contracts';
import { mappingOptionsOf, migrationFolderOf } from '../src/migration/request-views';
import { reconcileCounts } from '../src/validation/counts';
import { verifySample } from '../src/validation/verify-sample';
import { DependencySource } from './dependencies';

export function validateMigrationActivity(deps: DependencySource) {
  return async (input: ValidateInput): Promise<ValidationResult> => {
    const { clients } = deps();
    const { database, container } = input.request.target;
    const counts = reconcileCounts(input.counts);
    const sample = await verifySample({
      lake: clients.lake,
      container: clients.cosmos.database(database).container(container),
      migrationFolder: migrationFolderOf(input.request),
      fileIndexes: input.sampleFileIndexes,
      mapping: mappingOptionsOf(input.request),
      incremental: input.incremental,
    });
    return {
      passed: counts.reconciled && sample.mismatched === 0,
      countsReconciled: counts.reconciled,
      countsDetail: counts.detail,
      sampled: sample.sampled,
      mismatched: sample.mismatched,
      mismatches: sample.mismatches,
    };
  };
}
