/** createActivities: one handler per activity name the orchestrators call, built lazily from one dependency source. */
import { createActivities } from '../../../activities';
import { MigrationError } from '../../../src/errors';
import { MigrationReport, Names } from '../../../src/migration/contracts';
import { VerifyNames } from '../../../src/verify/types';
import { request } from '../orchestrators/fixtures';

const ORCHESTRATORS: string[] = [
  Names.migrateExport,
  Names.migrateLane,
  Names.syncTable,
  VerifyNames.verifyTable,
  VerifyNames.verifyFanOut,
];

describe('createActivities', () => {
  test('exposes exactly the names in Names that are not orchestrators, each a function', () => {
    const activities = createActivities(() => {
      throw new Error('not needed');
    });
    const expected = [...Object.values(Names), ...Object.values(VerifyNames)]
      .filter((name) => !ORCHESTRATORS.includes(name))
      .sort();
    expect(Object.keys(activities).sort()).toEqual(expected);
    expect(expected).toEqual([
      'copyFile',
      'laneEnded',
      'loadFile',
      'planSyncStep',
      'prepareTarget',
      'readLanes',
      'readManifest',
      'recordSyncOutcome',
      'startLanes',
      'validateMigration',
      'verifyBucket',
      'verifyContainerRange',
      'verifyExpectedFile',
      'verifyPlan',
      'verifyReport',
      'writeReport',
    ]);
    for (const handler of Object.values(activities)) expect(typeof handler).toBe('function');
  });

  test('building them does not ask for the dependencies; each call does', () => {
    let asked = 0;
    createActivities(() => {
      asked++;
      throw new Error('not yet');
    });
    expect(asked).toBe(0);
  });

  test('a permanent problem with the dependencies is a failure outcome of an activity that returns outcomes', async () => {
    const activities = createActivities(() => {
      throw new MigrationError('CONFIGURATION', 'App setting COSMOS_ENDPOINT is not set');
    });
    await expect(activities.readManifest(request())).resolves.toEqual({
      ok: false,
      code: 'CONFIGURATION',
      message: '[CONFIGURATION] App setting COSMOS_ENDPOINT is not set',
    });
    await expect(activities.prepareTarget(request())).resolves.toMatchObject({ ok: false, code: 'CONFIGURATION' });
  });

  test('...ends a sync as failed at once when planning the sync', async () => {
    const activities = createActivities(() => {
      throw new MigrationError('CONFIGURATION', 'App setting COSMOS_ENDPOINT is not set');
    });
    await expect(activities.planSyncStep({ table: 'orders', syncInstanceId: 'sync-orders' })).resolves.toEqual({
      kind: 'done',
      state: 'failed',
      reason: '[CONFIGURATION] App setting COSMOS_ENDPOINT is not set',
    });
  });

  test('...and is thrown by an activity that returns plain results', async () => {
    const activities = createActivities(() => {
      throw new MigrationError('CONFIGURATION', 'App setting COSMOS_ENDPOINT is not set');
    });
    await expect(activities.writeReport({ request: request(), report: {} as MigrationReport })).rejects.toThrow(
      '[CONFIGURATION] App setting COSMOS_ENDPOINT is not set',
    );
  });
});
