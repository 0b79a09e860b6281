/**
 * Child process of the bench: peak RSS while one large data file goes through the project's loader
 * (loadFile: lake download → gunzip → lines → mapping → BulkWriter), in a process of its own so that its
 * RSS is the loader's alone.
 *
 *   node --expose-gc dist/bench/rss-child.js <lake path>      (lake settings in the environment)
 *
 * The lake is the local stack's Azurite. Cosmos DB is a sink that applies back-pressure: each bulk call is
 * serialised as the SDK would (a copy of every operation, then the request body) and answered after a
 * fixed latency, so the writer's window fills and holds the reader back as a database would, and what a
 * real call keeps in memory is kept while it is out. It is not the local Cosmos server because that
 * one holds every document in memory and writes a few thousand a second: a 1 GB file would take many
 * minutes and measure the server, not the loader.
 */
import { Container, OperationInput } from '@azure/cosmos';
import { createLakeContainerClient } from '../src/clients/create-clients';
import { readSettings } from '../src/config/settings';
import { loadFile } from '../src/load/load-file';
import { sleep } from './stats';

/**
 * Per call. A real executeBulkOperations call takes a second at least (it waits that long for partial
 * batches); a quarter of that keeps the bench short and still fills the writer's window, since the loader
 * reads faster than 4 MiB of lines (its in-flight bound) per quarter second. Less idle time between calls also
 * leaves V8 fewer chances to collect, so this is the harder case for peak RSS.
 */
const LATENCY_MS = 250;
const CHARGE = 5;

function sinkContainer(): { container: Container; stats: { calls: number; operations: number; maxInFlight: number } } {
  const stats = { calls: 0, operations: 0, maxInFlight: 0 };
  let inFlight = 0;
  const container = {
    url: 'dbs/bench/colls/sink',
    read: async () => ({ resource: { partitionKey: { paths: ['/pk'] } } }),
    items: {
      async executeBulkOperations(operations: OperationInput[]) {
        stats.calls++;
        stats.operations += operations.length;
        inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        // What the SDK keeps while a call is out: a copy of each operation and the serialised request.
        const copies = operations.map((operation) => JSON.parse(JSON.stringify(operation)) as OperationInput);
        const body = JSON.stringify(copies);
        await sleep(LATENCY_MS);
        inFlight--;
        if (body.length === 0) throw new Error('unreachable');
        return operations.map(() => ({ response: { statusCode: 200, requestCharge: CHARGE } }));
      },
      async upsert(document: unknown) {
        stats.calls++;
        stats.operations++;
        JSON.stringify(document);
        await sleep(LATENCY_MS);
        return { statusCode: 200, requestCharge: CHARGE };
      },
    },
    item: () => ({ delete: async () => ({ statusCode: 204, requestCharge: CHARGE }) }),
  } as unknown as Container;
  return { container, stats };
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const lakePath = process.argv[2];
  const settings = readSettings();
  const lake = createLakeContainerClient(settings);
  const { container, stats } = sinkContainer();
  // Idle: everything loaded and built, nothing read yet.
  await lake.getBlockBlobClient(lakePath).getProperties();
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(300);
  const idle = process.memoryUsage().rss;
  let peak = idle;
  let peakHeapTotal = 0;
  let peakHeapUsed = 0;
  let peakExternal = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeapTotal = Math.max(peakHeapTotal, usage.heapTotal);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    peakExternal = Math.max(peakExternal, usage.external + usage.arrayBuffers);
  }, 20);
  const started = Date.now();
  const result = await loadFile({
    lake,
    container,
    lakePath,
    sourceName: 'bench/large.json.gz',
    fileIndex: 0,
    incremental: false,
    mapping: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' },
    migrationFolder: `bench/_migration/rss-${started}`,
    sampleQuota: 500,
    concurrency: 4,
    runId: `bench-rss-${started}`,
  });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      idleMB: mb(idle),
      peakMB: mb(Math.max(peak, maxRss)),
      growthMB: mb(Math.max(peak, maxRss) - idle),
      items: result.written,
      linesRead: result.linesRead,
      seconds,
      itemsPerSecond: Math.round(result.written / seconds),
      peakHeapTotalMB: mb(peakHeapTotal),
      peakHeapUsedMB: mb(peakHeapUsed),
      peakExternalMB: mb(peakExternal),
      sink: { ...stats, latencyMs: LATENCY_MS },
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
