import { Names } from '../src/migration/contracts';
import { copyFileActivity } from './copy-file';
import { DependencySource } from './dependencies';
import { laneEndedActivity } from './lane-ended';
import { loadFileActivity } from './load-file';
import { planSyncStepActivity } from './plan-sync-step';
import { prepareTargetActivity } from './prepare-target';
import { readLanesActivity } from './read-lanes';
import { readManifestActivity } from './read-manifest';
import { recordSyncOutcomeActivity } from './record-sync-outcome';
import { startLanesActivity } from './start-lanes';
import { validateMigrationActivity } from './validate-migration';
import { createVerifyActivities } from './verify-activities';
import { writeReportActivity } from './write-report';

/** Every activity, by the name the orchestrators call it with, built from one dependency source. */
export function createActivities(deps: DependencySource) {
  return {
    [Names.readManifest]: readManifestActivity(deps),
    [Names.prepareTarget]: prepareTargetActivity(deps),
    [Names.copyFile]: copyFileActivity(deps),
    [Names.loadFile]: loadFileActivity(deps),
    [Names.startLanes]: startLanesActivity(),
    [Names.readLanes]: readLanesActivity(deps),
    [Names.laneEnded]: laneEndedActivity(),
    [Names.validateMigration]: validateMigrationActivity(deps),
    [Names.writeReport]: writeReportActivity(deps),
    [Names.planSyncStep]: planSyncStepActivity(deps),
    [Names.recordSyncOutcome]: recordSyncOutcomeActivity(deps),
    ...createVerifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { Dependencies, DependencySource } from './dependencies';
