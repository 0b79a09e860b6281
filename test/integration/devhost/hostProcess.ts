import { ChildProcess, spawn } from 'child_process';
import { existsSync, promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURE_APP = path.join(PROJECT_ROOT, 'test/fixtures/hostapp');
export const HOST_MAIN = path.join(PROJECT_ROOT, 'dist/tools/devhost/main.js');
export const WEBHOOK = '/runtime/webhooks/durabletask';

export interface HostProcess {
  url: string;
  child: ChildProcess;
  /** Everything the host wrote so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface HostProcessOptions {
  stateDir: string;
  env?: Record<string, string>;
  args?: string[];
}

/**
 * Runs the compiled CLI (`dist/tools/devhost/main.js`) on the fixture app in a child process: the core-module
 * shim needs Node's own module loader (not Jest's), and kill -9 tests need a process to kill. Port 0 lets
 * the OS pick a free port, so tests never collide with a running stack (7071, 10000-10002, 4568, 8081).
 */
export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  if (!existsSync(HOST_MAIN)) {
    throw new Error(`${HOST_MAIN} is missing: run "npx tsc -p tsconfig.json" before the devhost integration tests.`);
  }
  const child = spawn(
    process.execPath,
    [HOST_MAIN, '--port', '0', '--state-dir', options.stateDir, ...(options.args ?? [])],
    {
      cwd: FIXTURE_APP,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devhost did not start within 20s:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /Devhost listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devhost exited with ${String(code)} before listening:\n${output}`));
    });
  });

  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

export interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

/** Polls the status endpoint until the instance reaches a terminal state. */
export async function waitForCompletion(statusUrl: string, timeoutMs = 20_000): Promise<Status> {
  return waitFor(
    `instance at ${statusUrl} to finish`,
    async () => {
      const { body } = await getJson<Status>(statusUrl);
      return ['Completed', 'Failed', 'Terminated'].includes(body.runtimeStatus) ? body : undefined;
    },
    timeoutMs,
  );
}
