#!/usr/bin/env node
/**
 * CLI: runs the local Functions host for the app in the current directory (like `func start`).
 *   node dist/tools/devhost/main.js [--port 7071] [--host 127.0.0.1] [--state-dir .local/durable] [--function-key KEY]
 */
import { Command, InvalidArgumentError } from 'commander';
import { startHost } from './index';
import { consoleLogger, errorMessage } from './logger';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number (0 picks a free port)');
  }
  return port;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('devhost')
    .description('Local Azure Functions host for this app (HTTP, timers, Durable Functions)')
    .option('--app-dir <dir>', 'app directory (package.json, host.json)', process.cwd())
    .option('-p, --port <port>', 'HTTP port (default: local.settings.json Host.LocalHttpPort, else 7071)', portNumber)
    .option('--host <address>', 'bind address', '127.0.0.1')
    .option('--state-dir <dir>', 'durable state directory, relative to the app dir', '.local/durable')
    .option('--function-key <key>', 'require this key on function/admin level routes (env DEVHOST_FUNCTION_KEY)')
    .option('--max-short-timer <timespan>', 'split durable timers longer than this (default 6.00:00:00)')
    .option('--long-timer-interval <timespan>', 'segment length of split durable timers (default 3.00:00:00)')
    .parse();
  const opts = program.opts<{
    appDir: string;
    port?: number;
    host: string;
    stateDir: string;
    functionKey?: string;
    maxShortTimer?: string;
    longTimerInterval?: string;
  }>();

  // As in Azure: the Node.js Functions worker handles only uncaught exceptions, by exiting, and Node raises an
  // unhandled rejection as one, so a stray rejection ends the worker and every function running in it
  // (docs/azure-fidelity.md). Here it ends the host, so a test meets it instead of a log line.
  process.on('unhandledRejection', (reason) => {
    consoleLogger.error(`Worker uncaught exception (an unhandled promise rejection): ${errorMessage(reason)}; exiting`);
    process.exit(1);
  });

  const host = await startHost({
    appDir: opts.appDir,
    port: opts.port,
    host: opts.host,
    stateDir: opts.stateDir,
    functionKey: opts.functionKey ?? process.env.DEVHOST_FUNCTION_KEY,
    timerLimits:
      opts.maxShortTimer || opts.longTimerInterval
        ? {
            maximumShortTimerDuration: opts.maxShortTimer ?? '6.00:00:00',
            longRunningTimerIntervalDuration: opts.longTimerInterval ?? '3.00:00:00',
          }
        : undefined,
  });

  let signals = 0;
  const shutdown = (signal: string): void => {
    signals++;
    if (signals > 1) {
      process.exit(130);
    }
    consoleLogger.info(`${signal} received, stopping the host…`);
    host.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        consoleLogger.error(`Stop failed: ${errorMessage(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  consoleLogger.error(`Host failed to start: ${errorMessage(err)}`);
  process.exit(1);
});
