/**
 * Runs the local stack in the foreground until SIGINT/SIGTERM.
 *
 *   node dist/tools/localstack/main.js [--state-dir .local] [--verbose] [--with-host [--port 7071]]
 *
 * Emulators already listening on the default ports are reused and left running on exit. With --with-host (what
 * `npm start` passes) the project's local Functions host serves the app on the port, against those emulators.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, LOCAL_TASK_HUB } from './constants';
import { HostProcess, startHostProcess } from './host-process';
import { withLocalRunThroughput } from './strict-cosmos/options';
import { delay } from './net';
import { ensureLocalStack } from './stack';
import type { EmulatorExit, LocalStack } from './types';

function printSummary(stack: LocalStack): void {
  for (const emulator of stack.emulators) {
    const how = emulator.startedHere
      ? `started (pid ${emulator.pid}), log ${emulator.logFile}`
      : 'already running, reused';
    console.log(`  ${emulator.name.padEnd(8)} ports ${emulator.ports.join('/').padEnd(17)} ${how}`);
  }
  console.log(`State: ${stack.stateDir}`);
  console.log('App settings for local.settings.json "Values":');
  console.log(JSON.stringify(stack.settings, null, 2));
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** The app on the local Functions host, as `func start` would serve it, with the stack's settings. */
async function startHost(stack: LocalStack, stateDir: string, port: number): Promise<HostProcess> {
  const appDir = resolve(__dirname, '../../..');
  const logDir = join(resolve(stateDir), 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'host.log');
  const env = { ...stack.settings, DURABLE_TASK_HUB: LOCAL_TASK_HUB } as Record<string, string>;
  const host = await startHostProcess({ appDir, port, stateDir: join(resolve(stateDir), 'durable'), env, logFile });
  console.log(`Functions host: ${host.url}/api (health: ${host.url}/api/health), log ${logFile}`);
  console.log('Press Ctrl+C to stop.');
  return host;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
      verbose: { type: 'boolean', default: false },
      'with-host': { type: 'boolean', default: false },
      port: { type: 'string', default: '7071' },
    },
  });
  const stack = await ensureLocalStack({
    stateDir: values['state-dir'],
    quiet: !values.verbose,
    cosmos: withLocalRunThroughput(),
  });
  console.log('Local stack ready:');
  printSummary(stack);
  const host = values['with-host'] ? await startHost(stack, values['state-dir'], Number(values.port)) : undefined;
  if (!host && !stack.emulators.some((e) => e.startedHere)) {
    console.log('Every emulator was already running; waiting for Ctrl+C without supervising anything.');
  }

  // Signal listeners do not keep Node running; with every emulator reused there would be nothing else.
  const keepAlive = setInterval(() => undefined, 60_000);
  const signalled = nextSignal();
  let outcome = await Promise.race<NodeJS.Signals | EmulatorExit>([signalled, stack.unexpectedExit]);
  if (typeof outcome !== 'string') {
    // Ctrl+C reaches the emulators too (same process group); one of them may exit before our own
    // handler runs. That is a shutdown, not a crash.
    const exited = outcome;
    outcome = await Promise.race([signalled, delay(250).then(() => exited)]);
  }
  clearInterval(keepAlive);
  // A second Ctrl+C while emulators are flushing means "now".
  process.once('SIGINT', () => process.exit(130));
  if (host) {
    console.log('Stopping the Functions host...');
    await host.stop();
  }
  if (typeof outcome === 'string') {
    console.log(`${outcome}: stopping emulators...`);
    await stack.stop();
    console.log('Local stack stopped.');
    return 0;
  }
  console.error(
    `${outcome.name} exited unexpectedly (code ${outcome.code}, signal ${outcome.signal}); see ${outcome.logFile}. Stopping the rest.`,
  );
  await stack.stop();
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
