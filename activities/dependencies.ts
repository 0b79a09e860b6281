import type { Clients } from '../src/clients/create-clients';
import type { Settings } from '../src/config/settings';

/** What every activity works with: the app settings and the clients built from them once per process. */
export interface Dependencies {
  settings: Settings;
  clients: Clients;
}

/**
 * Activities take a source rather than the dependencies themselves: the composition root builds them on first
 * use, so a missing setting fails the activity that needs it, not the app's start. Tests pass fakes.
 */
export type DependencySource = () => Dependencies;
