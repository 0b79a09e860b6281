import type { Dependencies, DependencySource } from '../activities/dependencies';
import { createClients } from '../src/clients/create-clients';
import { readSettings } from '../src/config/settings';

let cached: Dependencies | undefined;

/**
 * The composition root's one cache: settings and clients are built on first use, once per process, so a missing
 * setting fails the first call that needs it with CONFIGURATION instead of stopping the app from loading.
 */
export const fromEnvironment: DependencySource = () => {
  if (!cached) {
    const settings = readSettings();
    cached = { settings, clients: createClients(settings) };
  }
  return cached;
};
