import { Clients, createClients } from '../src/clients/create-clients';
import { readSettings, Settings } from '../src/config/settings';

export interface Dependencies {
  settings: Settings;
  clients: Clients;
}

/** What activities are built from; tests pass their own, the app builds one lazily from the app settings. */
export type DependencySource = () => Dependencies;

let cached: Dependencies | undefined;

/** Built on first use so that a missing setting fails the activity that needs it with a clear message, not the app's start. */
export const fromEnvironment: DependencySource = () => {
  if (!cached) {
    const settings = readSettings();
    cached = { settings, clients: createClients(settings) };
  }
  return cached;
};
