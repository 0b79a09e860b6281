import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostProcess, startHostProcess } from '../../tools/localstack/host-process';
import { findFreePort } from '../../tools/localstack/net';
import { LocalStackHandle } from './stack';

export interface AppHostHandle {
  readonly host: HostProcess;
  readonly url: string;
  readonly logFile: string;
  /** Kill the host like a crash (SIGKILL) and start it again on the same state. */
  restart(kill: boolean): Promise<void>;
}

/**
 * Runs the project's own compiled app on the local Functions host, in a child process, against the
 * file's local stack. Needs `npm run build` first (`npm test` does it).
 */
export function useAppHost(stack: LocalStackHandle, extraEnv: Record<string, string> = {}): AppHostHandle {
  let host: HostProcess | undefined;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'apphost-'));
  const logFile = join(dir, 'host.log');
  const start = async (): Promise<void> => {
    host = await startHostProcess({
      appDir: resolve(__dirname, '../..'),
      port,
      stateDir: join(dir, 'durable'),
      env: { ...(stack.settings as unknown as Record<string, string>), DURABLE_TASK_HUB: 'testhub', ...extraEnv },
      logFile,
    });
  };
  beforeAll(async () => {
    port = await findFreePort();
    await start();
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
  }, 60_000);
  return {
    get host() {
      if (!host) throw new Error('host not started');
      return host;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    logFile,
    async restart(kill: boolean) {
      if (kill) await host?.kill();
      else await host?.stop();
      await start();
    },
  };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Polls a Durable status URL until the instance ends; returns the final status payload. */
export async function waitForCompletion(
  statusUrl: string,
  timeoutMs = 240_000,
  onStatus?: (status: any) => void,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(statusUrl);
    const status = (await response.json()) as any;
    onStatus?.(status);
    if (['Completed', 'Failed', 'Terminated', 'Canceled'].includes(status.runtimeStatus)) return status;
    if (Date.now() > deadline) throw new Error(`instance still ${status.runtimeStatus} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function requestJson(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
