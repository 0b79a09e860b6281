import type { Dependencies, DependencySource } from '../activities/dependencies';
import { createClients } from '../src/clients/create-clients';
import { readSettings } from '../src/config/settings';
import { MigrationError } from '../src/errors';

let cached: Dependencies | undefined;

/**
 * The composition root's one cache: settings and clients are built on first use, once per process, so a missing
 * or malformed setting fails the first call that needs it with CONFIGURATION (permanent, never retried) instead of
 * stopping the app from loading.
 */
export const fromEnvironment: DependencySource = () => {
  if (!cached) {
    const settings = readSettings();
    try {
      cached = { settings, clients: createClients(settings) };
    } catch (error) {
      // The SDKs reject a malformed connection string or URL here; their message names the part, never the key.
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new MigrationError('CONFIGURATION', `the app settings do not give usable clients: ${reason}`);
    }
  }
  return cached;
};
