import { VerifyNames } from '../src/verify/types';
import { DependencySource } from './dependencies';
import { verifyPlanActivity } from './verify-plan';
import { verifyReportActivity } from './verify-report';
import { verifyBucketActivity, verifyContainerRangeActivity, verifyExpectedFileActivity } from './verify-units';

/** The full verification's activities (src/verify/), by the names its orchestrators call them with. */
export function createVerifyActivities(deps: DependencySource) {
  return {
    [VerifyNames.verifyPlan]: verifyPlanActivity(deps),
    [VerifyNames.verifyExpectedFile]: verifyExpectedFileActivity(deps),
    [VerifyNames.verifyContainerRange]: verifyContainerRangeActivity(deps),
    [VerifyNames.verifyBucket]: verifyBucketActivity(deps),
    [VerifyNames.verifyReport]: verifyReportActivity(deps),
  };
}
