/**
 * Child process of the instance-memory bench (instance-memory.ts): one Node process standing for the worker of one
 * Functions instance, running N activities of one kind at once through the app's own code and SDK clients against
 * the local stack, sampling its RSS.
 *
 *   node --expose-gc dist/bench/instance-memory-child.js <job JSON>      (stack settings in the environment)
 *
 * `load`: N loadFile calls at once, each of its own data file in the lake, into the local Cosmos DB server (the real
 * Cosmos client; the server is on the same two cores, so its answers come late and every load's bulk window fills,
 * as a throttled or distant account makes them). `copy`: N streamed copyToLake calls at once from S3 to the lake
 * (the copy that passes the bytes through the process; the server-side copy holds almost none).
 */
import { createCosmosClient, createLakeContainerClient, createS3Client } from '../src/clients/create-clients';
import { readSettings } from '../src/config/settings';
import { copyToLake } from '../src/lake/copy-to-lake';
import { loadFile } from '../src/load/load-file';
import type { DataFile } from '../src/export/types';
import { sleep } from './stats';

export interface InstanceMemoryJob {
  kind: 'load' | 'copy';
  /** `load`: lake paths of the data files; `copy`: ignored. */
  lakePaths: string[];
  /** `copy`: the S3 objects. */
  bucket?: string;
  files?: DataFile[];
  database?: string;
  container?: string;
  label: string;
}

export interface InstanceMemoryChildResult {
  concurrent: number;
  idleMB: number;
  peakMB: number;
  growthMB: number;
  peakHeapUsedMB: number;
  peakExternalMB: number;
  seconds: number;
  items: number;
  bytes: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as InstanceMemoryJob;
  const settings = readSettings();
  const lake = createLakeContainerClient(settings);
  const cosmos = createCosmosClient(settings);
  const s3 = createS3Client(settings);
  const container = cosmos.database(job.database ?? 'bench').container(job.container ?? 'instance');
  // Idle: modules loaded, clients built and each service reached once, nothing read yet.
  await lake.getProperties();
  if (job.kind === 'load') await container.read();
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(300);
  const idle = process.memoryUsage().rss;
  let peak = idle;
  let peakHeapUsed = 0;
  let peakExternal = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    peakExternal = Math.max(peakExternal, usage.external + usage.arrayBuffers);
  }, 20);
  const started = Date.now();
  let items = 0;
  let bytes = 0;
  if (job.kind === 'load') {
    const results = await Promise.all(
      job.lakePaths.map((lakePath, fileIndex) =>
        loadFile({
          lake,
          container,
          lakePath,
          sourceName: lakePath,
          fileIndex,
          incremental: false,
          mapping: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' },
          migrationFolder: `bench/_migration/${job.label}`,
          sampleQuota: 500,
          concurrency: 4,
          runId: job.label,
        }),
      ),
    );
    items = results.reduce((sum, result) => sum + result.written, 0);
  } else {
    const results = await Promise.all(
      (job.files ?? []).map((file) => copyToLake({ s3, lake, bucket: job.bucket ?? '', file, mode: 'stream' })),
    );
    bytes = results.reduce((sum, result) => sum + result.bytes, 0);
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const result: InstanceMemoryChildResult = {
    concurrent: job.kind === 'load' ? job.lakePaths.length : (job.files ?? []).length,
    idleMB: mb(idle),
    peakMB: mb(peak),
    growthMB: mb(peak - idle),
    peakHeapUsedMB: mb(peakHeapUsed),
    peakExternalMB: mb(peakExternal),
    seconds,
    items,
    bytes,
  };
  process.stdout.write(JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
