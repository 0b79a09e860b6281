/**
 * Peak memory of one Functions instance running its maximum of concurrent activities: one Node process (the
 * worker that runs the app's activities) with N loads at once (N = BENCH_INSTANCE_COUNTS, default 1, 4, 8, 12, 16),
 * each of a data file of its own in the lake of the local stack, through loadFile and the real lake and Cosmos
 * clients; and with N streamed copies at once (BENCH_COPY_COUNTS, default 1, 4, 8) from S3 to the lake. The peak RSS
 * against N gives the fixed base of the process and the memory each concurrent load or copy adds: the figures that
 * size `maxConcurrentActivityFunctions` (host.json) against the instance memory (infra/), docs/scale.md "Sizing".
 *
 * Part of `npm run bench` (results.instanceMemory); also runs alone, starting its own local stack, and then records
 * its figures in bench/results.json beside the others: `node dist/bench/instance-memory.js`.
 *
 * Environment: BENCH_INSTANCE_ITEMS (16000 items per data file, ~19 MB of lines, ~3 MB gzipped),
 * BENCH_INSTANCE_COUNTS (1,4,8,12,16), BENCH_COPY_MB (40 MiB per copied file: five of the streamed copy's 8 MiB blocks,
 * its most in memory), BENCH_COPY_COUNTS (1,4,8), BENCH_INSTANCE_HEAP_MB (V8's heap limit in the child; alone, the
 * figures then go to results.instanceMemoryUnderHeapLimit and leave results.instanceMemory as it was).
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CosmosClient } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../src/clients/create-clients';
import { ensureTargetContainer } from '../src/cosmos/target';
import type { DataFile } from '../src/export/types';
import { rawCopyPath } from '../src/lake/paths';
import { startBenchLocalStack } from './local-stack';
import { ensureBucket } from '../tools/sample/upload-export';
import { gzippedLines } from './data';
import type { InstanceMemoryChildResult, InstanceMemoryJob } from './instance-memory-child';
import { round } from './stats';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const counts = (name: string, fallback: number[]): number[] =>
  process.env[name] ? process.env[name].split(',').map(Number) : fallback;
const ITEMS = env('BENCH_INSTANCE_ITEMS', 16_000);
const LOAD_COUNTS = counts('BENCH_INSTANCE_COUNTS', [1, 4, 8, 12, 16]);
const COPY_MB = env('BENCH_COPY_MB', 40);
const COPY_COUNTS = counts('BENCH_COPY_COUNTS', [1, 4, 8]);
/** V8's heap limit for the child (--max-old-space-size), to see the loads under a small instance's limit. Default: V8's. */
const HEAP_MB = env('BENCH_INSTANCE_HEAP_MB', 0);
const DATABASE = 'bench';
const BUCKET = 'bench-instance';

/** What the bench needs of the local stack: its settings (for the child) and clients. */
export interface InstanceBenchStack {
  stackSettings: Record<string, string>;
  lake: ContainerClient;
  s3: S3Client;
  cosmos: CosmosClient;
}

const say = (text: string): void =>
  void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function runJob(job: InstanceMemoryJob, stackSettings: Record<string, string>): Promise<InstanceMemoryChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        ...(HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : []),
        join(__dirname, 'instance-memory-child.js'),
        JSON.stringify(job),
      ],
      { env: { ...process.env, ...stackSettings }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise(JSON.parse(out) as InstanceMemoryChildResult);
      else
        reject(new Error(`instance-memory child exited with ${code}: ${err.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

/**
 * A line `base + n × perActivity` on or above every measured (n, peak MB): the slope is the steepest rise between
 * consecutive measurements, the base the least that keeps every point under the line. Conservative on purpose: peaks
 * grow less than linearly when many activities share two cores (each one goes slower), and the sizing must hold on
 * an instance whose cores keep up.
 */
export function envelope(points: { n: number; mb: number }[]): { perActivityMB: number; baseMB: number } {
  const sorted = [...points].sort((a, b) => a.n - b.n);
  let slope = 0;
  for (let i = 1; i < sorted.length; i++)
    slope = Math.max(slope, (sorted[i].mb - sorted[i - 1].mb) / (sorted[i].n - sorted[i - 1].n));
  const base = Math.max(...sorted.map((p) => p.mb - slope * p.n));
  return { perActivityMB: round(Math.ceil(slope * 10) / 10, 1), baseMB: round(Math.ceil(base * 10) / 10, 1) };
}

async function benchLoads(s: InstanceBenchStack): Promise<Record<string, unknown>> {
  const most = Math.max(...LOAD_COUNTS);
  say(`INSTANCE: ${most} data files of ${ITEMS} items each, uploading to the lake…`);
  const paths: string[] = [];
  let gzippedBytes = 0;
  let lineBytes = 0;
  for (let i = 0; i < most; i++) {
    const { body, bytes } = gzippedLines(ITEMS, 20_000_000 + i * ITEMS);
    const path = `bench/instance/${Date.now()}-${i}.json.gz`;
    await s.lake.getBlockBlobClient(path).uploadData(body);
    paths.push(path);
    gzippedBytes += body.length;
    lineBytes += bytes;
  }
  const runs: (InstanceMemoryChildResult & { itemsPerSecond: number })[] = [];
  for (const n of LOAD_COUNTS) {
    const container = `instance-${n}-${Date.now()}`;
    await ensureTargetContainer(s.cosmos, { database: DATABASE, container, partitionKeyPaths: ['/pk'] });
    say(`INSTANCE: ${n} loads at once in one process…`);
    const job: InstanceMemoryJob = {
      kind: 'load',
      lakePaths: paths.slice(0, n),
      database: DATABASE,
      container,
      label: container,
    };
    const result = await runJob(job, s.stackSettings);
    if (result.items !== n * ITEMS) throw new Error(`${n} loads wrote ${result.items} of ${n * ITEMS} items`);
    runs.push({ ...result, itemsPerSecond: Math.round(result.items / result.seconds) });
    say(`INSTANCE: ${n} loads: peak RSS ${result.peakMB} MB (idle ${result.idleMB} MB)`);
    await s.cosmos
      .database(DATABASE)
      .container(container)
      .delete()
      .catch(() => undefined);
  }
  await Promise.all(paths.map((path) => s.lake.getBlockBlobClient(path).deleteIfExists()));
  return {
    itemsPerFile: ITEMS,
    fileMB: round(lineBytes / most / 2 ** 20, 1),
    gzippedMB: round(gzippedBytes / most / 2 ** 20, 1),
    ...envelope(runs.map((r) => ({ n: r.concurrent, mb: r.peakMB }))),
    runs,
  };
}

async function benchCopies(s: InstanceBenchStack): Promise<Record<string, unknown>> {
  const most = Math.max(...COPY_COUNTS);
  say(`INSTANCE: ${most} files of ${COPY_MB} MiB in S3 for the streamed copies…`);
  await ensureBucket(s.s3, BUCKET);
  // Random bytes: what a copy holds does not depend on the content, and nothing is decompressed.
  const body = randomBytes(COPY_MB * 2 ** 20);
  const md5Checksum = createHash('md5').update(body).digest('base64');
  const files: DataFile[] = Array.from({ length: most }, (_, index) => ({
    index,
    key: `instance/${Date.now()}/copy-${index}.json.gz`,
    itemCount: 0,
    md5Checksum,
  }));
  for (const file of files) await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: body }));
  const runs: InstanceMemoryChildResult[] = [];
  for (const n of COPY_COUNTS) {
    say(`INSTANCE: ${n} streamed copies at once in one process…`);
    const result = await runJob(
      { kind: 'copy', lakePaths: [], bucket: BUCKET, files: files.slice(0, n), label: 'copy' },
      s.stackSettings,
    );
    if (result.bytes !== n * body.length)
      throw new Error(`${n} copies moved ${result.bytes} of ${n * body.length} bytes`);
    runs.push(result);
    say(`INSTANCE: ${n} copies: peak RSS ${result.peakMB} MB (idle ${result.idleMB} MB)`);
    // The next round copies again: a blob already in the lake with the right MD5 would be skipped.
    await Promise.all(files.map((file) => s.lake.getBlockBlobClient(rawCopyPath(BUCKET, file.key)).deleteIfExists()));
  }
  for (const file of files) await s.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: file.key }));
  return { fileMB: COPY_MB, ...envelope(runs.map((r) => ({ n: r.concurrent, mb: r.peakMB }))), runs };
}

/** The instance-memory figures (results.instanceMemory). */
export async function benchInstanceMemory(s: InstanceBenchStack): Promise<Record<string, unknown>> {
  const loads = await benchLoads(s);
  const copies = await benchCopies(s);
  const mostLoads = (loads.runs as InstanceMemoryChildResult[]).at(-1);
  return {
    heapLimitMB: HEAP_MB > 0 ? HEAP_MB : undefined,
    /** What one more concurrent load adds to the process's peak RSS (docs/scale.md "Sizing" uses this). */
    perLoadMB: loads.perActivityMB,
    perCopyMB: copies.perActivityMB,
    baseMB: loads.baseMB,
    /** Peak RSS of the process running the most loads measured at once. */
    peakMB: mostLoads?.peakMB,
    peakConcurrentLoads: mostLoads?.concurrent,
    loads,
    copies,
  };
}

/** Alone: a local stack of its own (no Functions host), then the figures merged into bench/results.json. */
async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ddb2cosmos-instance-'));
  say('starting the local stack…');
  const { stack, raw, settings } = await startBenchLocalStack(join(work, 'stack'));
  try {
    const lake = createLakeContainerClient(settings);
    await lake.createIfNotExists();
    const figures = await benchInstanceMemory({
      stackSettings: raw,
      lake,
      s3: createS3Client(settings),
      cosmos: createCosmosClient(settings),
    });
    const path = resolve(__dirname, '../../bench/results.json');
    const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
    const measured = { measuredAt: new Date().toISOString(), node: process.version, ...figures };
    if (HEAP_MB > 0) results.instanceMemoryUnderHeapLimit = measured;
    else [results.perLoadMB, results.instanceMemory] = [figures.perLoadMB, measured];
    writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(
      `${JSON.stringify({ ...figures, loads: undefined, copies: undefined }, null, 2)}\n(written to ${path})\n`,
    );
  } finally {
    await stack.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`instance-memory bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
