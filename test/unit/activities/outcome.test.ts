/** asOutcome: permanent problems come back as data, everything else is thrown for Durable's retries. */
import { asOutcome } from '../../../activities/outcome';
import { MigrationError } from '../../../src/errors';

describe('asOutcome', () => {
  test('a result comes back with ok: true and its fields', async () => {
    await expect(asOutcome(async () => ({ lakePath: 'a/b', bytes: 3 }))).resolves.toEqual({
      ok: true,
      lakePath: 'a/b',
      bytes: 3,
    });
  });

  test.each(['CHECKSUM_MISMATCH', 'EXPORT_INCOMPLETE', 'PARTITION_KEY_MISMATCH', 'CONFIGURATION'] as const)(
    'a permanent MigrationError (%s) becomes { ok: false, code, message }',
    async (code) => {
      const outcome = await asOutcome(async () => {
        throw new MigrationError(code, 's3://b/k is broken');
      });
      expect(outcome).toEqual({ ok: false, code, message: `[${code}] s3://b/k is broken` });
    },
  );

  test('a retryable MigrationError is rethrown as it is', async () => {
    const error = new MigrationError('TRANSIENT', 'the copy kept breaking off');
    expect(error.retryable).toBe(true);
    await expect(
      asOutcome(async () => {
        throw error;
      }),
    ).rejects.toBe(error);
  });

  test('any other error is rethrown as it is', async () => {
    const error = new Error('socket hang up');
    await expect(
      asOutcome(async () => {
        throw error;
      }),
    ).rejects.toBe(error);
  });

  test('an error that only looks like a permanent one (code in the text) is still thrown', async () => {
    await expect(
      asOutcome(async () => {
        throw new Error('[CHECKSUM_MISMATCH] not a MigrationError');
      }),
    ).rejects.toThrow('[CHECKSUM_MISMATCH] not a MigrationError');
  });
});
