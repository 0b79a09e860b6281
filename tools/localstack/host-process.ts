import { ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';

export interface HostProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls `GET /api/health` until the host answers (any status): the app is loaded and serving. */
export async function waitForHost(
  url: string,
  child: ChildProcess | undefined,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the Functions host exited during start-up${logFile ? `; see ${logFile}` : ''}`);
    }
    try {
      await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Functions host did not answer on ${url} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Runs the compiled local Functions host in a child process, as `npm start` does, with the given app
 * settings. A child (not in-process) so tests can kill it like a crashed machine and start it again.
 */
export async function startHostProcess(options: {
  appDir: string;
  port: number;
  stateDir: string;
  env: Record<string, string>;
  logFile: string;
  functionKey?: string;
}): Promise<HostProcess> {
  const out = openSync(options.logFile, 'a');
  const args = [
    join(options.appDir, 'dist/tools/devhost/main.js'),
    '--app-dir',
    options.appDir,
    '--port',
    String(options.port),
    '--state-dir',
    options.stateDir,
  ];
  if (options.functionKey) args.push('--function-key', options.functionKey);
  const child = spawn(process.execPath, args, {
    cwd: options.appDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHost(url, child, 60_000, options.logFile);
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
