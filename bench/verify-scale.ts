/**
 * Full verification at scale on the local stack, through the app as a user runs it: an export of N items is
 * generated and put into S3, the table is registered (`PUT /api/tables/{name}`) and synced
 * (`POST /api/tables/{name}/sync`: the app's own migration of the full export into the container), the host is
 * started afresh, and the table is verified (`POST /api/tables/{name}/verify`). Prints and records (bench/results.json,
 * `verify`) the verification's duration, documents per second, RUs (the verification's own `requestCharge`), the
 * host's peak RSS (VmHWM of the host process, and its process tree's RSS sampled every 500 ms), the sync's
 * duration and peak, and the result. With `--kill` the host is killed with SIGKILL once half the export files are
 * read and started again on the same state: the run records which activities had finished at the kill and which
 * ran after it (from the host's log), and the verification must still pass with every item.
 *
 *   node dist/bench/verify-scale.js [--items 1000000] [--files 20] [--kill] [--throughput 50000] [--snapshots on]
 *
 * BENCH_VERIFY_ITEMS, BENCH_VERIFY_FILES, BENCH_VERIFY_KILL=1 and BENCH_VERIFY_THROUGHPUT stand in for the flags
 * (CI's small run sets them). The local Cosmos server keeps its account in memory only (LOCALSTACK_COSMOS_SNAPSHOTS
 * off, unless set): a snapshot of a million documents takes seconds each time and nothing here restarts the server.
 * `--throughput` is the container's RU/s (LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT); the app caps itself at 80% of it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFullExport } from '../tools/sample/build-export';
import { uploadExport } from '../tools/sample/upload-export';
import { startHostProcess, type HostProcess } from '../tools/localstack/host-process';
import { findFreePort } from '../tools/localstack/net';
import { startBenchLocalStack } from './local-stack';
import type { VerifyStatus } from '../src/verify/types';
import { call } from '../src/cli/api-client';

const BUCKET = 'scale-exports';
const TABLE = 'scale-table';
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
const APP_DIR = resolve(__dirname, '../..');

export interface VerifyScaleOptions {
  items: number;
  files: number;
  kill: boolean;
  /** RU/s of the new container; undefined: the local runs' default (bench/local-stack.ts). */
  throughput?: number;
  say?: (line: string) => void;
}

type Progress = Partial<VerifyStatus>;

interface Status {
  runtimeStatus: string;
  progress?: Progress | null;
  output?: any;
}

/** RSS of a process and its descendants, in bytes (Linux /proc). */
function treeRss(pid: number): number {
  let total = 0;
  const visit = (p: number): void => {
    try {
      total += statusField(p, 'VmRSS');
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
    } catch {
      // The process ended between the listing and the read.
    }
  };
  visit(pid);
  return total;
}

/** A `kB` field of /proc/<pid>/status in bytes; VmHWM is the process's peak RSS so far. */
function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
}

/** Peak RSS of a host process while it runs: VmHWM read until the process is gone, tree RSS sampled. */
class PeakWatch {
  hwm = 0;
  tree = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 500);
  }
  sample(): void {
    try {
      this.hwm = Math.max(this.hwm, statusField(this.pid, 'VmHWM'));
      this.tree = Math.max(this.tree, treeRss(this.pid));
    } catch {
      // Gone (killed): the last sample stands.
    }
  }
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The app's API called as the CLI calls it (src/cli/api-client.ts); the answer loosely typed for the checks here. */
const json = (method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> =>
  call({ baseUrl: url }, method, url, body);

/** How often each activity of the verification ran, from the host's log ("Executed 'verifyBucket' …"). */
function activityRuns(logFile: string, from = 0): Record<string, number> {
  const counts: Record<string, number> = {};
  const text = readFileSync(logFile, 'utf8').slice(from);
  for (const match of text.matchAll(/Executed '(verify(?:Plan|ExpectedFile|ContainerRange|Bucket|Report))'/g))
    counts[match[1]] = (counts[match[1]] ?? 0) + 1;
  return counts;
}

export async function benchVerifyScale(options: VerifyScaleOptions): Promise<Record<string, unknown>> {
  const say = options.say ?? ((line: string) => void process.stdout.write(`[${new Date().toISOString()}] ${line}\n`));
  process.env.LOCALSTACK_COSMOS_SNAPSHOTS ??= 'off';
  if (options.throughput) process.env.LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT = String(options.throughput);
  const stateDir = mkdtempSync(join(tmpdir(), 'verify-scale-'));
  // The Cosmos server holds every document as a JavaScript object: a million of them outgrow Node's default heap.
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --max-old-space-size=16384`.trim();
  // Free ports are picked, then bound by the children: another run on the machine can take one in between.
  const start = async (tries = 3): Promise<Awaited<ReturnType<typeof startBenchLocalStack>>> => {
    try {
      return await startBenchLocalStack(stateDir);
    } catch (error) {
      if (tries <= 1 || !/EADDRINUSE|already in use/.test(String(error))) throw error;
      return start(tries - 1);
    }
  };
  const { stack, raw, settings } = await start().finally(() => {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  });
  const hostDir = join(stateDir, 'host');
  mkdirSync(hostDir, { recursive: true });
  const logFile = join(hostDir, 'host.log');
  const port = await findFreePort();
  const startHost = (): Promise<HostProcess> =>
    startHostProcess({
      appDir: APP_DIR,
      port,
      stateDir: join(hostDir, 'durable'),
      env: { ...raw, DURABLE_TASK_HUB: 'scalehub', NODE_OPTIONS: nodeOptions ?? '' },
      logFile,
    });
  let host: HostProcess | undefined;
  try {
    let at = Date.now();
    const generated = buildFullExport({
      prefix: 'exports/scale',
      itemCount: options.items,
      fileCount: options.files,
      seed: 5,
    });
    const { createS3Client } = await import('../src/clients/create-clients');
    await uploadExport(createS3Client(settings), BUCKET, generated);
    say(
      `generated and uploaded ${generated.itemCount} items in ${generated.files.length} files in ${Date.now() - at} ms`,
    );

    host = await startHost();
    say(`host log: ${logFile}`);
    const url = host.url;
    let watch = new PeakWatch(host.child.pid as number);
    const put = await json('PUT', `${url}/api/tables/${TABLE}`, {
      source: { bucket: BUCKET, exportsPrefix: 'exports/scale' },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'scale', container: 'items' },
      options: { allowGaps: false },
    });
    if (put.status !== 201 && put.status !== 200) throw new Error(`PUT table answered ${put.status}`);
    at = Date.now();
    const syncing = await json('POST', `${url}/api/tables/${TABLE}/sync`);
    if (syncing.status !== 202)
      throw new Error(`POST sync answered ${syncing.status}: ${JSON.stringify(syncing.body)}`);
    let lastLine = '';
    let lastSaid = 0;
    for (;;) {
      await sleep(2000);
      const table = await json('GET', `${url}/api/tables/${TABLE}`);
      const exported = table.body?.ledger?.exports?.[0];
      const syncState = String(table.body?.sync?.runtimeStatus);
      const line = `sync: ${syncState}, export ${exported?.state ?? '-'}`;
      if (line !== lastLine || Date.now() - lastSaid > 30_000) {
        say(
          `${line}, host RSS peak ${mb(watch.hwm)} MB, ${JSON.stringify(table.body?.sync?.progress ?? {}).slice(0, 300)}`,
        );
        lastSaid = Date.now();
      }
      lastLine = line;
      if (exported?.state === 'failed') throw new Error(`the sync failed: ${JSON.stringify(exported)}`);
      if (exported?.state === 'applied' && !/Running|Pending/.test(String(syncState))) break;
    }
    const syncMs = Date.now() - at;
    watch.stop();
    const sync = {
      ms: syncMs,
      documentsPerSecond: Math.round(options.items / (syncMs / 1000)),
      hostPeakRssMB: mb(watch.hwm),
    };
    say(
      `synced ${options.items} items in ${syncMs} ms (${sync.documentsPerSecond}/s), host VmHWM ${sync.hostPeakRssMB} MB`,
    );

    // A fresh host for the verification, so its peak is the verification's own, not the load's.
    await host.stop();
    host = await startHost();
    watch = new PeakWatch(host.child.pid as number);
    const idleRssMB = mb(statusField(host.child.pid as number, 'VmRSS'));
    const watches = [watch];
    at = Date.now();
    let started = await json('POST', `${url}/api/tables/${TABLE}/verify`);
    for (let tries = 0; started.status === 409 && tries < 30; tries++) {
      await sleep(1000);
      started = await json('POST', `${url}/api/tables/${TABLE}/verify`);
    }
    if (started.status !== 202) throw new Error(`verify answered ${started.status}: ${JSON.stringify(started.body)}`);
    const statusUrl = `${url}/api/migrations/${started.body.id as string}`;
    let kill: Record<string, unknown> | undefined;
    let status: Status;
    for (;;) {
      try {
        status = (await json('GET', statusUrl)).body as Status;
      } catch {
        await sleep(1000);
        continue;
      }
      const p = status.progress ?? {};
      const line = `${status.runtimeStatus} ${p.phase ?? '-'} files ${p.expectedFiles?.done ?? '-'}/${p.expectedFiles?.total ?? '-'} ranges ${p.ranges?.done ?? '-'}/${p.ranges?.total ?? '-'} buckets ${p.bucketsChecked ?? 0}/${p.buckets ?? '-'} host RSS peak ${mb(watch.hwm)} MB`;
      if (line !== lastLine) say(line);
      lastLine = line;
      if (TERMINAL.has(status.runtimeStatus)) break;
      if (kill && !kill.progressAfterRestart && p.phase) kill.progressAfterRestart = p;
      // Killed once half the export files have been read (the host logs each read that ended; the status counts
      // them only when their group of up to 100 ends), or failing that once the status shows half.
      const filesRead = options.kill && !kill ? (activityRuns(logFile).verifyExpectedFile ?? 0) : 0;
      const half = p.expectedFiles && Math.max(1, Math.ceil(p.expectedFiles.total / 2));
      if (options.kill && !kill && half && (filesRead >= half || p.expectedFiles!.done >= half)) {
        const runsBefore = activityRuns(logFile);
        const logAt = readFileSync(logFile, 'utf8').length;
        kill = { atMs: Date.now() - at, progress: p, activitiesFinished: runsBefore };
        say(`kill -9 of the host (pid ${host.child.pid}) after ${Date.now() - at} ms, at ${JSON.stringify(p)}`);
        watch.stop();
        await host.kill();
        host = await startHost();
        watch = new PeakWatch(host.child.pid as number);
        watches.push(watch);
        say('host started again');
        kill.logOffset = logAt;
      }
      // Faster while a kill is due: a small run reads its files in a second or two.
      await sleep(options.kill && !kill ? 100 : 1000);
    }
    const verifyMs = Date.now() - at;
    for (const w of watches) w.stop();
    if (kill) {
      const after = activityRuns(logFile, kill.logOffset as number);
      delete kill.logOffset;
      kill.activitiesRunAfterRestart = after;
    }
    const output = status.output ?? {};
    const requestCharge = Number(output.requestCharge ?? 0);
    const result = {
      items: options.items,
      files: generated.files.length,
      throughputRUs: Number(process.env.LOCALSTACK_COSMOS_DEFAULT_THROUGHPUT ?? 0) || undefined,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      sync,
      verification: {
        runtimeStatus: status.runtimeStatus,
        ms: verifyMs,
        documentsPerSecond: Math.round(options.items / (verifyMs / 1000)),
        requestCharge,
        ruPerDocument: Math.round((requestCharge / options.items) * 1000) / 1000,
        hostIdleRssMB: idleRssMB,
        hostPeakRssMB: Math.max(...watches.map((w) => mb(w.hwm))),
        hostTreePeakRssMB: Math.max(...watches.map((w) => mb(w.tree))),
        passed: output.passed,
        expected: output.expected,
        actual: output.actual,
        matched: output.matched,
        missingCount: output.missingCount,
        unexpectedCount: output.unexpectedCount,
        differingCount: output.differingCount,
        buckets: output.buckets,
        durationMs: output.durationMs,
      },
      kill,
    };
    say(JSON.stringify(result, null, 2));
    if (options.kill && !kill) throw new Error('the verification ended before the host could be killed: more files');
    if (status.runtimeStatus !== 'Completed' || output.passed !== true || output.matched !== options.items)
      throw new Error(`the verification did not pass with every item: ${JSON.stringify(output).slice(0, 500)}`);
    return result;
  } finally {
    await host?.stop().catch(() => undefined);
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** bench/results.json's `verify`: one run per size and kill, the latest of each (the file is the bench's). */
function record(result: Record<string, unknown>): string {
  const path = join(APP_DIR, 'bench', 'results.json');
  const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>) : {};
  const key = (r: any): string => `${r.items}${r.kill ? ':kill' : ''}`;
  const runs = ((results.verify?.runs ?? []) as any[]).filter((r) => key(r) !== key(result));
  runs.push({ at: new Date().toISOString(), ...result });
  runs.sort((a, b) => a.items - b.items || key(a).localeCompare(key(b)));
  results.verify = { runs };
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  return path;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (name: string, env: string, fallback: number): number => {
    const at = args.indexOf(`--${name}`);
    if (at >= 0) return Number(args[at + 1]);
    return process.env[env] ? Number(process.env[env]) : fallback;
  };
  const snapshots = args.indexOf('--snapshots');
  if (snapshots >= 0) process.env.LOCALSTACK_COSMOS_SNAPSHOTS = args[snapshots + 1];
  benchVerifyScale({
    items: value('items', 'BENCH_VERIFY_ITEMS', 1_000_000),
    files: value('files', 'BENCH_VERIFY_FILES', 20),
    kill: args.includes('--kill') || process.env.BENCH_VERIFY_KILL === '1',
    throughput: value('throughput', 'BENCH_VERIFY_THROUGHPUT', 0) || undefined,
  })
    .then((result) => process.stdout.write(`recorded in ${record(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
