/**
 * `npm run bench`: performance and scale, every figure against a baseline measured in the same run on the
 * same generated data (the sample table of tools/sample/items.ts: ~1.2 KB items with nested maps and lists,
 * sets, numbers of every kind, binary). Prints a table and writes bench/results.json.
 *
 * 1. CPU (child process, medians of BENCH_REPS interleaved repetitions): the decode floor, the obvious
 *    alternative, and the project's reader + mapping, in items per second per core; the same items as an Amazon
 *    Ion export, read by the project's Ion reader and by `ion-js` (docs/export-formats.md).
 * 2. Memory (child process): peak RSS growth while one file of at least BENCH_LARGE_MB uncompressed goes
 *    through loadFile from the lake into a back-pressuring Cosmos sink, against the idle child.
 * 3. End to end on the local stack (medians of BENCH_E2E_REPS): POST /api/migrations to the report, against
 *    a direct loader (same files from the same S3 server, same Cosmos server, the same BulkWriter calls paced by
 *    the same RU budget at the cap read from its container, no Functions, no Durable), alternating which goes first.
 * 4. Scale: BENCH_SCALE_FILES tiny files through the local host; the largest orchestration history and
 *    the time per file.
 * 5. Instance memory (child processes, bench/instance-memory.ts): peak RSS of one process running 1 to 16 loads at
 *    once, and streamed copies, through the real clients of the local stack: the base and the memory per activity
 *    that size host.json and infra/ (docs/scale.md, "Sizing an instance"). 6. Resume (bench/resume-cost.ts):
 *    seconds per GB a resumed load spends getting back to its checkpoint. BENCH_SKIP names them instance and resume;
 *    their sizes: those files.
 *
 * Environment: BENCH_REPS (5), BENCH_CPU_ITEMS (60000), BENCH_LARGE_MB (1024), BENCH_E2E_ITEMS (100000, the demo's size),
 * BENCH_E2E_FILES (8), BENCH_E2E_REPS (3), BENCH_SCALE_FILES (2000), BENCH_SKIP (comma list of cpu, rss,
 * e2e, scale, throughput, history); the throughput figures' sizes: bench/throughput.ts; BENCH_HISTORY_FILES (10000),
 * BENCH_HISTORY_POLLS (200): bench/history.ts.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CosmosClient, OperationInput } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../src/clients/create-clients';
import { Settings } from '../src/config/settings';
import { BulkWriter } from '../src/cosmos/bulk-writer';
import { leaseRuBudget } from '../src/cosmos/ru-budget';
import { resolveRuCap } from '../src/cosmos/throughput';
import { ensureTargetContainer } from '../src/cosmos/target';
import { HostProcess, startHostProcess } from '../tools/localstack/host-process';
import { readGzipLineBatches } from '../src/export/read-lines';
import { parseRecord } from '../src/export/records';
import { findFreePort } from '../tools/localstack/net';
import { startBenchLocalStack } from './local-stack';
import type { LocalStack } from '../tools/localstack/types';
import { mapItem, MappingOptions, newMappingStats } from '../src/mapping';
import { buildFullExport, GeneratedExport } from '../tools/sample/build-export';
import { sampleItem } from '../tools/sample/items';
import { ensureBucket } from '../tools/sample/upload-export';
import { gzippedLines, SEED, writeLargeFile } from './data';
import { benchInstanceMemory } from './instance-memory';
import { benchResumeCost } from './resume-cost';
import { median, round, runs, sleep, table } from './stats';
import { benchHistory } from './history';
import { benchThroughput, PolledStatus } from './throughput';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const REPS = env('BENCH_REPS', 5);
const CPU_ITEMS = env('BENCH_CPU_ITEMS', 60_000);
const LARGE_MB = env('BENCH_LARGE_MB', 1024);
const E2E_ITEMS = env('BENCH_E2E_ITEMS', 100_000);
const E2E_FILES = env('BENCH_E2E_FILES', 8);
const E2E_REPS = env('BENCH_E2E_REPS', 3);
const SCALE_FILES = env('BENCH_SCALE_FILES', 2000);
const HISTORY_FILES = env('BENCH_HISTORY_FILES', 10_000);
const HISTORY_POLLS = env('BENCH_HISTORY_POLLS', 200);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));

const APP_DIR = resolve(__dirname, '../..');
const BUCKET = 'bench-exports';
const DATABASE = 'bench';
const MAPPING: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };
/** The migration defaults (src/migration/request.ts), used by the direct loader too. */
const PARALLEL_FILES = 8;
const BULK_CONCURRENCY = 4;

const say = (text: string): void =>
  void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

/** Runs a compiled bench child with node; resolves with its stdout, parsed as JSON. */
function runChild<T>(script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(__dirname, script), ...args], {
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise(JSON.parse(out) as T);
      else reject(new Error(`${script} exited with ${code}: ${err.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

// ---------------------------------------------------------------- CPU

interface CpuChildResult {
  floor: { perCore: number[]; wall: number[]; items: number };
  obvious: { perCore: number[]; wall: number[]; items: number };
  ours: { perCore: number[]; wall: number[]; items: number };
  ion: { perCore: number[]; wall: number[]; items: number };
  ionJs: { perCore: number[]; wall: number[]; items: number };
}

async function benchCpu(work: string): Promise<Record<string, unknown>> {
  const file = join(work, 'cpu.json.gz');
  const { body, bytes } = gzippedLines(CPU_ITEMS);
  writeFileSync(file, body);
  // The same items as an Ion export (docs/export-formats.md): the Ion path beside the JSON path.
  const ionFile = join(work, 'cpu.ion.gz');
  const ion = gzippedLines(CPU_ITEMS, 0, 6, true);
  writeFileSync(ionFile, ion.body);
  say(
    `CPU: ${CPU_ITEMS} items (${round(bytes / CPU_ITEMS, 0)} bytes per line), ${REPS} interleaved repetitions of each variant`,
  );
  const raw = await runChild<CpuChildResult>('cpu.js', [file, String(REPS), ionFile]);
  // ion-js in a child of its own: loading it slows string handling in the whole process (bench/cpu.ts).
  const { ionJs } = await runChild<Pick<CpuChildResult, 'ionJs'>>('cpu.js', [file, String(REPS), ionFile, 'ionJs']);
  const floor = median(raw.floor.perCore);
  const obvious = median(raw.obvious.perCore);
  const ours = median(raw.ours.perCore);
  // Ratios per round, then their median: a busy moment slows all three variants of a round alike.
  const vsFloor = raw.ours.perCore.map((value, i) => value / raw.floor.perCore[i]);
  const vsObvious = raw.ours.perCore.map((value, i) => value / raw.obvious.perCore[i]);
  return {
    items: CPU_ITEMS,
    bytesPerLine: round(bytes / CPU_ITEMS, 0),
    repetitions: REPS,
    floor: {
      itemsPerSecondPerCore: Math.round(floor),
      runs: runs(raw.floor.perCore, 0),
      wallItemsPerSecond: Math.round(median(raw.floor.wall)),
    },
    obvious: {
      itemsPerSecondPerCore: Math.round(obvious),
      runs: runs(raw.obvious.perCore, 0),
      wallItemsPerSecond: Math.round(median(raw.obvious.wall)),
    },
    ours: {
      itemsPerSecondPerCore: Math.round(ours),
      runs: runs(raw.ours.perCore, 0),
      wallItemsPerSecond: Math.round(median(raw.ours.wall)),
    },
    mappingVsFloor: round(median(vsFloor), 3),
    mappingVsObvious: round(median(vsObvious), 3),
    mappingVsFloorRuns: runs(vsFloor, 3),
    mappingVsObviousRuns: runs(vsObvious, 3),
    ion: {
      bytesPerLine: round(ion.bytes / CPU_ITEMS, 0),
      itemsPerSecondPerCore: Math.round(median(raw.ion.perCore)),
      runs: runs(raw.ion.perCore, 0),
      ionJsItemsPerSecondPerCore: Math.round(median(ionJs.perCore)),
      ionJsRuns: runs(ionJs.perCore, 0),
      ionVsJson: round(median(raw.ion.perCore.map((value, i) => value / raw.ours.perCore[i])), 3),
      // Medians, since its runs were in another process.
      ionJsVsJson: round(median(ionJs.perCore) / ours, 3),
    },
  };
}

// ---------------------------------------------------------------- the local stack

interface Stack {
  stack: LocalStack;
  host: HostProcess;
  settings: Settings;
  s3: S3Client;
  cosmos: CosmosClient;
  /** The same account without the SDK's 429 retries, as the app's loads write (src/clients/create-clients.ts). */
  cosmosWrites: CosmosClient;
  lake: ContainerClient;
}

async function startStack(work: string): Promise<Stack> {
  const { stack, raw, settings } = await startBenchLocalStack(join(work, 'stack'));
  try {
    mkdirSync(join(work, 'logs'), { recursive: true });
    const host = await startHostProcess({
      appDir: APP_DIR,
      port: await findFreePort(),
      stateDir: join(work, 'durable'),
      env: { ...raw, DURABLE_TASK_HUB: 'benchhub' },
      logFile: join(work, 'logs', 'host.log'),
    });
    const lake = createLakeContainerClient(settings);
    await lake.createIfNotExists();
    const s3 = createS3Client(settings);
    await ensureBucket(s3, BUCKET);
    return {
      stack,
      host,
      settings,
      s3,
      cosmos: createCosmosClient(settings),
      cosmosWrites: createCosmosClient(settings, { maxRetryAttemptCount: 0 }),
      lake,
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

async function upload(s3: S3Client, generated: GeneratedExport, parallel = 16): Promise<void> {
  const started = generated.objects.filter((o) => o.key.endsWith('/_started'));
  const manifests = generated.objects.filter((o) => !o.key.endsWith('/_started'));
  const put = (key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  for (const object of started) await put(object.key, object.body);
  const queue = generated.files.map((f) => ({ key: f.key, body: f.body }));
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await put(next.key, next.body);
    }),
  );
  for (const object of manifests) await put(object.key, object.body);
}

// ---------------------------------------------------------------- memory

async function benchRss(s: Stack, work: string): Promise<Record<string, unknown>> {
  const file = join(work, 'large.json.gz');
  say(`RSS: generating a data file of at least ${LARGE_MB} MB uncompressed…`);
  const generated = await writeLargeFile(file, LARGE_MB * 1024 * 1024);
  say(
    `RSS: ${generated.items} items, ${round(generated.bytes / 2 ** 20, 0)} MB uncompressed, ${round(generated.compressedBytes / 2 ** 20, 0)} MB gzipped; uploading to the lake…`,
  );
  const lakePath = `bench/large/${Date.now()}.json.gz`;
  await s.lake.getBlockBlobClient(lakePath).uploadFile(file, { blockSize: 8 * 1024 * 1024, concurrency: 4 });
  rmSync(file, { force: true });
  say('RSS: loading it in a child process…');
  const result = await runChild<Record<string, unknown>>(
    'rss-child.js',
    [lakePath],
    s.stack.settings as unknown as Record<string, string>,
  );
  await s.lake.getBlockBlobClient(lakePath).deleteIfExists();
  return {
    fileItems: generated.items,
    fileMB: round(generated.bytes / 2 ** 20, 0),
    gzippedMB: round(generated.compressedBytes / 2 ** 20, 0),
    ...result,
  };
}

// ---------------------------------------------------------------- end to end

/** CPU seconds a process has used so far (Linux /proc; undefined elsewhere). */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After the command: state is field 3, utime and stime are fields 14 and 15, in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function pollUntilDone(
  statusUrl: string,
  intervalMs = 100,
  onStatus?: (status: PolledStatus) => void,
): Promise<{ runtimeStatus: string; output: any; customStatus: any }> {
  for (;;) {
    const status = (await (await fetch(statusUrl)).json()) as { runtimeStatus: string; output: any; customStatus: any };
    onStatus?.(status);
    if (['Completed', 'Failed', 'Terminated', 'Canceled'].includes(status.runtimeStatus)) return status;
    await sleep(intervalMs);
  }
}

interface Started {
  id: string;
  statusQueryGetUri: string;
}

async function migrate(
  s: Stack,
  generated: GeneratedExport,
  container: string,
  options: object = {},
  onStatus?: (status: PolledStatus) => void,
): Promise<{ seconds: number; started: Started; output: any }> {
  const t0 = performance.now();
  const response = await fetch(`${s.host.url}/api/migrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
      keySchema: MAPPING.keySchema,
      target: { database: DATABASE, container },
      options,
    }),
  });
  if (response.status !== 202)
    throw new Error(`POST /api/migrations answered ${response.status}: ${await response.text()}`);
  const started = (await response.json()) as Started;
  const status = await pollUntilDone(started.statusQueryGetUri, 100, onStatus);
  const seconds = (performance.now() - t0) / 1000;
  if (status.runtimeStatus !== 'Completed')
    throw new Error(
      `migration ${started.id} ended ${status.runtimeStatus}: ${JSON.stringify(status.output).slice(0, 500)}`,
    );
  return { seconds, started, output: status.output };
}

/**
 * The direct loader: what a script without Functions or Durable would do with the same files. Reads each
 * data file from S3, the project's reader and mapping, the project's BulkWriter into the same Cosmos
 * server, as many files at once as the migration's default parallelism.
 */
async function directLoad(
  s: Stack,
  generated: GeneratedExport,
  container: string,
): Promise<{ seconds: number; written: number; requestCharge: number }> {
  const t0 = performance.now();
  await ensureTargetContainer(s.cosmos, { database: DATABASE, container, partitionKeyPaths: ['/pk'] });
  // Paced as the app paces its loads: the same cap read from the container, one shared RU budget, writes through a
  // client without the SDK's serial 429 sleeps. Unpaced, the direct loader is throttled into a weak baseline.
  const cap = await resolveRuCap(s.cosmos.database(DATABASE).container(container), undefined);
  const target = s.cosmosWrites.database(DATABASE).container(container);
  const leases = Array.from({ length: PARALLEL_FILES }, () =>
    leaseRuBudget(`direct-${container}`, cap.requestUnitsPerSecond, PARALLEL_FILES),
  );
  const queue = [...generated.files];
  let written = 0;
  let requestCharge = 0;
  await Promise.all(
    leases.map(async (lease) => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const object = await s.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: file.key }));
        const stats = newMappingStats();
        const writer = new BulkWriter<number>(target, {
          concurrency: BULK_CONCURRENCY,
          ruBudget: lease.budget,
          onWritten: () => void written++,
          onRejected: (line, reason) => {
            throw new Error(`${file.key}:${line}: ${reason}`);
          },
        });
        for await (const lines of readGzipLineBatches(object.Body as Readable, file.key)) {
          for (const line of lines) {
            const record = parseRecord(line.text, false);
            if (record.kind !== 'put') continue;
            const mapped = mapItem(record.item, MAPPING, stats);
            const operation: OperationInput = {
              operationType: 'Upsert',
              partitionKey: mapped.partitionKey as never,
              resourceBody: mapped.document as never,
            };
            await writer.write(operation, line.number, line.text.length);
          }
        }
        await writer.flush();
        requestCharge += writer.requestCharge;
      }
      lease.release();
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, written, requestCharge };
}

async function dropContainer(s: Stack, container: string): Promise<void> {
  await s.cosmos
    .database(DATABASE)
    .container(container)
    .delete()
    .catch(() => undefined);
}

async function benchE2e(s: Stack): Promise<Record<string, unknown>> {
  const generated = buildFullExport({ prefix: 'exports/e2e', itemCount: E2E_ITEMS, fileCount: E2E_FILES, seed: SEED });
  await upload(s.s3, generated);
  // One small unmeasured round first: the host's and this process's first Cosmos calls, code still cold.
  const warmUp = buildFullExport({ prefix: 'exports/warm-up', itemCount: 4000, fileCount: 2, seed: SEED + 2 });
  await upload(s.s3, warmUp);
  await migrate(s, warmUp, 'warm-up-ours');
  await directLoad(s, warmUp, 'warm-up-direct');
  await dropContainer(s, 'warm-up-ours');
  await dropContainer(s, 'warm-up-direct');
  say(
    `E2E: ${generated.itemCount} items in ${generated.files.length} files, ${E2E_REPS} repetitions after a warm-up, alternating which goes first`,
  );
  const ours: number[] = [];
  const direct: number[] = [];
  const ratios: number[] = [];
  const extraSeconds: number[] = [];
  const ruPerItem: number[] = [];
  const hostCpuMsPerItem: number[] = [];
  const directCpuMsPerItem: number[] = [];
  let lastReport: any;
  for (let rep = 0; rep < E2E_REPS; rep++) {
    const runOurs = async (): Promise<number> => {
      const name = `e2e-ours-${rep}`;
      const cpuBefore = cpuSecondsOf(s.host.child.pid);
      const { seconds, output } = await migrate(s, generated, name);
      const cpuAfter = cpuSecondsOf(s.host.child.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined)
        hostCpuMsPerItem.push(((cpuAfter - cpuBefore) * 1000) / output.items.written);
      if (output.items.written !== generated.itemCount || output.validation?.passed !== true)
        throw new Error(`E2E migration did not pass: ${JSON.stringify(output.items)}`);
      lastReport = output;
      ruPerItem.push(output.requestCharge / output.items.written);
      await dropContainer(s, name);
      return output.items.written / seconds;
    };
    const runDirect = async (): Promise<number> => {
      const name = `e2e-direct-${rep}`;
      const cpu = process.cpuUsage();
      const { seconds, written } = await directLoad(s, generated, name);
      const used = process.cpuUsage(cpu);
      directCpuMsPerItem.push((used.user + used.system) / 1000 / written);
      if (written !== generated.itemCount) throw new Error(`direct loader wrote ${written} of ${generated.itemCount}`);
      await dropContainer(s, name);
      return written / seconds;
    };
    let o: number;
    let d: number;
    if (rep % 2 === 0) {
      o = await runOurs();
      d = await runDirect();
    } else {
      d = await runDirect();
      o = await runOurs();
    }
    ours.push(o);
    direct.push(d);
    ratios.push(o / d);
    extraSeconds.push(generated.itemCount / o - generated.itemCount / d);
    say(
      `E2E ${rep + 1}/${E2E_REPS}: ours ${Math.round(o)} items/s, direct ${Math.round(d)} items/s, ratio ${round(o / d, 3)}`,
    );
  }
  return {
    items: generated.itemCount,
    files: generated.files.length,
    repetitions: E2E_REPS,
    oursItemsPerSecond: Math.round(median(ours)),
    directItemsPerSecond: Math.round(median(direct)),
    oursRuns: runs(ours, 0),
    directRuns: runs(direct, 0),
    e2eVsDirect: round(median(ratios), 3),
    ratioRuns: runs(ratios, 3),
    /** Seconds the migration took beyond the direct loader (copy to the lake, validation, report, Durable). */
    overheadSeconds: round(median(extraSeconds), 2),
    localRequestChargePerItem: round(median(ruPerItem), 3),
    /** CPU of the Functions host process per item written (the app: copy, load, validation, Durable). */
    hostCpuMsPerItem: round(median(hostCpuMsPerItem), 4),
    /** CPU of the direct loader per item written. */
    directCpuMsPerItem: round(median(directCpuMsPerItem), 4),
    lastReportDurationMs: lastReport?.durationMs,
  };
}

// ---------------------------------------------------------------- scale

async function historyLength(statusUrl: string, instanceId: string): Promise<number> {
  const url = new URL(statusUrl);
  url.pathname = url.pathname.replace(/instances\/[^/]+$/, `instances/${encodeURIComponent(instanceId)}`);
  url.searchParams.set('showHistory', 'true');
  const status = (await (await fetch(url)).json()) as { historyEvents?: unknown[] };
  return status.historyEvents?.length ?? 0;
}

/** The lanes of a finished migration, from the state its last execution started with (orchestrators/poll-lanes.ts). */
async function laneIdsOf(statusUrl: string): Promise<string[]> {
  const url = new URL(statusUrl);
  url.searchParams.set('showInput', 'true');
  const status = (await (await fetch(url)).json()) as { input?: { resume?: { lanes?: string[] } } };
  return status.input?.resume?.lanes ?? [];
}

async function benchScale(s: Stack): Promise<Record<string, unknown>> {
  const generated = buildFullExport({
    prefix: 'exports/scale',
    itemCount: SCALE_FILES,
    fileCount: SCALE_FILES,
    seed: SEED + 1,
    edgeCases: false,
    emptyFiles: 0,
  });
  const t0 = performance.now();
  await upload(s.s3, generated, 32);
  say(
    `SCALE: ${generated.files.length} files of one item each uploaded in ${round((performance.now() - t0) / 1000, 1)} s; migrating…`,
  );
  const { seconds, started, output } = await migrate(s, generated, 'scale');
  if (output.files.loaded !== generated.files.length)
    throw new Error(`scale migration loaded ${output.files.loaded} of ${generated.files.length} files`);
  // The migration and every lane (its state names them), each execution's history as the host kept it at the end.
  const parent = await historyLength(started.statusQueryGetUri, started.id);
  const lanes = await laneIdsOf(started.statusQueryGetUri);
  let largestLane = 0;
  for (const lane of lanes) largestLane = Math.max(largestLane, await historyLength(started.statusQueryGetUri, lane));
  await dropContainer(s, 'scale');
  const perFileMs = (seconds * 1000) / generated.files.length;
  return {
    files: generated.files.length,
    seconds: round(seconds, 1),
    perFileMs: round(perFileMs, 1),
    perFileBusyMs: round(perFileMs * PARALLEL_FILES, 0),
    parentHistoryEvents: parent,
    largestLaneHistoryEvents: largestLane,
    lanes: lanes.length,
    maxHistoryEvents: Math.max(parent, largestLane),
    /**
     * Straight-line extrapolation from this run. On the local stack the time per file grows with the files
     * already loaded (Azurite's in-memory blob index grows by several blobs per file), so 10,000 files take
     * longer than this; docs/scale.md has a measured 10,000-file run.
     */
    linearExtrapolationSecondsFor10000Files: Math.round((seconds * 10_000) / generated.files.length),
  };
}

// ---------------------------------------------------------------- main

function averageDocumentBytes(): number {
  let bytes = 0;
  const n = 2000;
  for (let i = 0; i < n; i++)
    bytes += Buffer.byteLength(JSON.stringify(mapItem(sampleItem(SEED, i), MAPPING, newMappingStats()).document));
  return Math.round(bytes / n);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'ddb2cosmos-bench-'));
  const results: Record<string, any> = {
    startedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      loadAverageAtStart: loadavg().map((l) => round(l, 2)),
    },
    averageDocumentBytes: averageDocumentBytes(),
  };
  let s: Stack | undefined;
  try {
    if (!SKIP.has('cpu')) results.cpu = await benchCpu(work);
    if (['rss', 'e2e', 'scale', 'throughput', 'instance'].some((part) => !SKIP.has(part))) {
      say('starting the local stack and the Functions host…');
      s = await startStack(work);
    }
    if (s && !SKIP.has('rss')) results.rss = await benchRss(s, work);
    if (s && !SKIP.has('e2e')) results.e2e = await benchE2e(s);
    if (s && !SKIP.has('scale')) results.scale = await benchScale(s);
    if (s && !SKIP.has('instance')) {
      const stackSettings = s.stack.settings as unknown as Record<string, string>;
      results.instanceMemory = await benchInstanceMemory({ stackSettings, lake: s.lake, s3: s.s3, cosmos: s.cosmos });
    }
    if (!SKIP.has('resume')) results.resume = await benchResumeCost(work);
    if (!SKIP.has('history')) results.history = await benchHistory(HISTORY_FILES, HISTORY_POLLS);
    if (s && !SKIP.has('throughput')) {
      const stack = s;
      results.throughput = await benchThroughput({
        cosmos: stack.cosmos,
        cosmosEndpoint: stack.settings.cosmosEndpoint,
        database: DATABASE,
        mapping: MAPPING,
        seed: SEED,
        upload: (generated) => upload(stack.s3, generated),
        migrate: (generated, container, options, onStatus) => migrate(stack, generated, container, options, onStatus),
        say,
      });
    }
  } finally {
    await s?.host.stop().catch(() => undefined);
    await s?.stack.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  results.machine.loadAverageAtEnd = loadavg().map((l) => round(l, 2));
  results.durationSeconds = Math.round((performance.now() - t0) / 1000);
  const summary = {
    mappingVsFloor: results.cpu?.mappingVsFloor,
    mappingVsObvious: results.cpu?.mappingVsObvious,
    e2eVsDirect: results.e2e?.e2eVsDirect,
    rssGrowthMB: results.rss?.growthMB,
    itemsPerSecond: results.cpu?.ours.itemsPerSecondPerCore,
    ionItemsPerSecond: results.cpu?.ion.itemsPerSecondPerCore,
    ionVsJson: results.cpu?.ion.ionVsJson,
    perLoadMB: results.instanceMemory?.perLoadMB,
    maxHistoryEvents: results.history?.maxHistoryEvents,
    ruUtilization: results.throughput?.ruUtilization,
    throttledFraction: results.throughput?.throttledFraction,
    skewedWallVsIdeal: results.throughput?.skewedWallVsIdeal,
  };
  const out = { ...summary, ...results };
  const path = join(APP_DIR, 'bench', 'results.json');
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
  const fmt = (value: unknown, digits = 0): string =>
    typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
  const cpu = results.cpu;
  const rows: string[][] = [
    ['figure', 'value', 'baseline (same run)', 'target'],
    ['decode floor, items/s per core', fmt(cpu?.floor.itemsPerSecondPerCore), 'gunzip + split + JSON.parse', ''],
    ['obvious alternative, items/s per core', fmt(cpu?.obvious.itemsPerSecondPerCore), 'JSON.parse + unmarshall', ''],
    ['ours (reader + mapping), items/s per core', fmt(summary.itemsPerSecond), '', ''],
    ['mappingVsFloor', fmt(summary.mappingVsFloor, 3), 'ours / floor', '≥ 0.8'],
    ['mappingVsObvious', fmt(summary.mappingVsObvious, 3), 'ours / obvious', '≥ 1'],
    [
      'ours on an Ion export, items/s per core',
      fmt(summary.ionItemsPerSecond),
      `same items; with ion-js ${fmt(cpu?.ion.ionJsItemsPerSecondPerCore)}`,
      '',
    ],
    ['ionVsJson', fmt(summary.ionVsJson, 3), 'ours on Ion / ours on DynamoDB JSON', '≥ 0.5'],
    [
      'end to end, items/s',
      fmt(results.e2e?.oursItemsPerSecond),
      `direct loader ${fmt(results.e2e?.directItemsPerSecond)}`,
      '',
    ],
    ['e2eVsDirect', fmt(summary.e2eVsDirect, 3), 'ours / direct loader', '≥ 0.9'],
    [
      'rssGrowthMB (one large file)',
      fmt(summary.rssGrowthMB, 1),
      `idle child ${fmt(results.rss?.idleMB, 1)} MB, ${fmt(results.rss?.fileMB)} MB file`,
      '< 256',
    ],
    [
      'maxHistoryEvents',
      fmt(summary.maxHistoryEvents),
      `${fmt(results.history?.files)} files simulated; on the host ${fmt(results.scale?.maxHistoryEvents)} at ${fmt(results.scale?.files)} files, ${fmt(results.scale?.perFileMs, 1)} ms per file`,
      '≤ 250',
    ],
    ['ruUtilization', fmt(summary.ruUtilization, 3), 'RU/s charged while loading / cap', '≥ 0.9'],
    ['throttledFraction', fmt(summary.throttledFraction, 4), 'operations answered 429 / all', '≤ 0.02'],
    ['skewedWallVsIdeal', fmt(summary.skewedWallVsIdeal, 3), 'loading time / (RU charged / cap)', '≤ 1.15'],
    [
      'perLoadMB (one instance)',
      fmt(summary.perLoadMB, 1),
      `${fmt(results.instanceMemory?.peakMB)} MB with ${fmt(results.instanceMemory?.peakConcurrentLoads)} loads at once`,
      'docs/scale.md sizing',
    ],
  ];
  process.stdout.write(
    `\n${table(rows)}\n\nmedians; every repetition is in ${path} (${results.durationSeconds} s; load average ${results.machine.loadAverageAtStart.join(' ')} → ${results.machine.loadAverageAtEnd.join(' ')})\n`,
  );
  if (statSync(path).size === 0) throw new Error('results.json is empty');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
