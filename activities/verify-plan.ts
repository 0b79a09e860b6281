import { migrationFolder } from '../src/lake/paths';
import type { Outcome } from '../src/migration/contracts';
import { planVerification } from '../src/verify/plan';
import { PlanSummary, VerifyInput } from '../src/verify/types';
import { DependencySource } from './dependencies';
import { asOutcome } from './outcome';

export interface VerifyPlanInput {
  verify: VerifyInput;
  /** The run's stamp (its start), so a re-run of this activity plans into the same folder. */
  stamp: string;
}

/** Plans a verification run into the lake (src/verify/plan.ts); a missing export or manifest is permanent. */
export function verifyPlanActivity(deps: DependencySource) {
  return async (input: VerifyPlanInput): Promise<Outcome<PlanSummary>> =>
    asOutcome(async () => {
      const { clients } = deps();
      const { verify } = input;
      const { database, container } = verify.target;
      const first = verify.exports[0];
      const folder =
        verify.folder ?? `${migrationFolder(first.bucket, first.exportPrefix, database, container)}/verify`;
      return planVerification({
        s3: clients.s3,
        lake: clients.lake,
        container: clients.cosmos.database(database).container(container),
        run: `${folder}/${input.stamp}`,
        verify,
      });
    });
}
