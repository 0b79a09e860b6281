/**
 * Deletes the local stack's state directory.
 *
 *   node dist/tools/localstack/reset.js [--state-dir .local]
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { parse, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, LOCAL_HOST } from './constants';
import { EMULATORS } from './emulators';
import { isListening } from './net';
import { resolvePorts } from './stack';
import type { LocalStackPorts } from './types';

/**
 * Everything the stack writes lives in these entries (`durable`: the local Functions host's state, written by
 * `npm start` and `npm run demo`); anything else means stateDir points somewhere it should not.
 */
const STATE_ENTRIES = new Set(['azurite', 's3', 'cosmos', 'logs', 'durable']);

export interface ResetOptions {
  stateDir?: string;
  ports?: Partial<LocalStackPorts>;
}

export interface ResetResult {
  stateDir: string;
  removed: boolean;
}

/**
 * Refuses while any emulator port is in use: a running emulator would keep writing into the deleted
 * directory (Azurite and the Cosmos server flush their in-memory state on exit) and resurrect it.
 */
export async function resetLocalState(options: ResetOptions = {}): Promise<ResetResult> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const ports = resolvePorts(options.ports);
  const wanted = EMULATORS.flatMap((emulator) =>
    emulator.ports(ports).map((p) => ({
      label: `${emulator.name === p.service ? p.service : `${emulator.name} ${p.service}`} on ${LOCAL_HOST}:${p.port}`,
      port: p.port,
    })),
  );
  const listening = await Promise.all(wanted.map((w) => isListening(w.port)));
  const running = wanted.filter((_, i) => listening[i]).map((w) => w.label);
  if (running.length > 0) {
    throw new Error(
      `Refusing to delete ${stateDir}: emulators are still running (${running.join(', ')}). ` +
        'Stop the local stack first (Ctrl+C in the terminal running it), then reset again.',
    );
  }
  if (!existsSync(stateDir)) return { stateDir, removed: false };
  if (stateDir === parse(stateDir).root || stateDir === process.cwd()) {
    throw new Error(`Refusing to delete ${stateDir}: it is not a dedicated state directory.`);
  }
  const unexpected = readdirSync(stateDir).filter((entry) => !STATE_ENTRIES.has(entry));
  if (unexpected.length > 0) {
    throw new Error(
      `Refusing to delete ${stateDir}: it contains ${unexpected.join(', ')}, which the local stack did not create.`,
    );
  }
  rmSync(stateDir, { recursive: true, force: true });
  return { stateDir, removed: true };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: { 'state-dir': { type: 'string', default: DEFAULT_STATE_DIR } } });
  const result = await resetLocalState({ stateDir: values['state-dir'] });
  console.log(result.removed ? `Deleted ${result.stateDir}` : `Nothing to delete: ${result.stateDir} does not exist`);
}

if (require.main === module) {
  cli().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
