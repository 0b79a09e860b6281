import { MigrationError } from '../src/errors';
import { Failure } from '../src/migration/contracts';

/**
 * Runs an activity body and turns a permanent MigrationError into a returned Failure, so the orchestrator
 * does not retry what cannot succeed. Anything else is thrown: Durable's retry options handle it.
 */
export async function asOutcome<T extends object>(work: () => Promise<T>): Promise<({ ok: true } & T) | Failure> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    if (error instanceof MigrationError && !error.retryable)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
