import { planSyncStepActivity } from '../../../activities/plan-sync-step';
import { readManifestActivity } from '../../../activities/read-manifest';
import { readSettings } from '../../../src/config/settings';
import { MigrationError } from '../../../src/errors';
import type { DependencySource } from '../../../activities/dependencies';

const complete = { COSMOS_ENDPOINT: 'https://cosmos.example', LAKE_ACCOUNT_URL: 'https://lake.example' };

function configurationError(run: () => unknown): MigrationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MigrationError);
    return error as MigrationError;
  }
  throw new Error('expected a CONFIGURATION error');
}

describe('a missing or invalid app setting is a permanent CONFIGURATION failure', () => {
  test.each([
    ['no Cosmos endpoint', { LAKE_ACCOUNT_URL: 'https://lake.example' }, 'COSMOS_ENDPOINT'],
    ['no lake', { COSMOS_ENDPOINT: 'https://cosmos.example' }, 'LAKE_ACCOUNT_URL'],
    [
      'a load budget that is not a number',
      { ...complete, LOAD_TIME_BUDGET_SECONDS: 'soon' },
      'LOAD_TIME_BUDGET_SECONDS',
    ],
    ['a load budget of zero', { ...complete, LOAD_TIME_BUDGET_SECONDS: '0' }, 'LOAD_TIME_BUDGET_SECONDS'],
  ])('%s', (_name, env, named) => {
    const error = configurationError(() => readSettings(env));
    expect(error.code).toBe('CONFIGURATION');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^\[CONFIGURATION\] /);
    expect(error.message).toContain(named);
  });

  test('complete settings read without error', () => {
    expect(readSettings(complete)).toMatchObject({ cosmosEndpoint: 'https://cosmos.example', lakeContainer: 'lake' });
  });

  const broken: DependencySource = () => readSettings({}) as never;

  test('an activity that returns outcomes returns it as data instead of being retried', async () => {
    const outcome = await readManifestActivity(broken)({
      source: { bucket: 'b', exportPrefix: 'p' },
    } as never);
    expect(outcome).toEqual({
      ok: false,
      code: 'CONFIGURATION',
      message: expect.stringContaining('COSMOS_ENDPOINT') as unknown as string,
    });
  });

  test('the sync planner ends the sync as failed, naming the setting, instead of being retried', async () => {
    const step = await planSyncStepActivity(broken)({ table: 't', syncInstanceId: 'sync-t' });
    expect(step).toEqual({
      kind: 'done',
      state: 'failed',
      reason: expect.stringMatching(/^\[CONFIGURATION\] .*COSMOS_ENDPOINT/),
    });
  });

  test('a transient failure of the sync planner is still thrown, for Durable to retry', async () => {
    const flaky: DependencySource = () => {
      throw new Error('socket hang up');
    };
    await expect(planSyncStepActivity(flaky)({ table: 't', syncInstanceId: 'sync-t' })).rejects.toThrow(
      'socket hang up',
    );
  });
});
