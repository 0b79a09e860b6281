/**
 * Reading the local host's log file: it writes one `Executed '<function>' instance=<id> <n>ms ok|error: …`
 * line per invocation, and the app's own lines as `[<function>] …`.
 */
import { readFileSync, statSync } from 'node:fs';

export interface Invocation {
  functionName: string;
  instanceId?: string;
  ok: boolean;
  error?: string;
}

const EXECUTED = /Executed '([^']+)'(?: instance=(\S+))? \d+ms (ok|error: (.*))$/;

export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export function readLog(file: string, from = 0): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

export function invocations(text: string): Invocation[] {
  const out: Invocation[] = [];
  for (const line of text.split('\n')) {
    const match = EXECUTED.exec(line);
    if (match) out.push({ functionName: match[1], instanceId: match[2], ok: match[3] === 'ok', error: match[4] });
  }
  return out;
}

/** `function instance` → number of successful invocations. */
export function successfulRuns(text: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const run of invocations(text)) {
    if (!run.ok) continue;
    const key = `${run.functionName} ${run.instanceId ?? ''}`;
    runs.set(key, (runs.get(key) ?? 0) + 1);
  }
  return runs;
}

/** Waits until the log, from byte `from` on, has a line matching `pattern`; returns that line. */
export async function waitForLogLine(
  file: string,
  pattern: RegExp,
  from: number,
  timeoutMs: number,
  stop?: () => Promise<boolean>,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = readLog(file, from)
      .split('\n')
      .find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms`);
    if (stop && (await stop())) throw new Error(`stopped waiting for ${pattern}: the migration ended first`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
