/**
 * Throughput figures of `npm run bench` (issue 15): how full a migration keeps its RU budget on the strict Cosmos DB
 * layer, which charges what Azure charges, splits a container's RU/s over its physical partitions in one-second
 * budgets and answers 429 with x-ms-retry-after-ms beyond them (tools/localstack/strict-cosmos/).
 *
 * - `ruUtilization`: a migration through the app (the local Functions host) into a container provisioned with
 *   cap ÷ 0.8 RU/s (2,500 and 10,000), the cap being the app's default, 80% of the throughput it reads from the
 *   offer (cosmos/throughput.ts), so the 429s count what went over the throughput: RU/s charged while loading ÷
 *   the cap, the lower of the runs at caps of 2,000 and 8,000 RU/s. The steady state is every calendar second
 *   between the first and the last write of the loading phase (the custom status says `loading`; a second is one of
 *   writing when charged at least a twentieth of the cap), those two left out as partial: ramp-up after the first
 *   write, gaps between files and files loading alone all count; the copy of the first files before any write, and
 *   the wrap-up after the last, do not (`phaseWallVsIdeal` has them).
 * - `throttledFraction`: operations the layer answered 429 ÷ all operations it answered, in those runs (a bulk
 *   request's operations are admitted, charged and throttled one by one, as in Azure).
 * - `skewedWallVsIdeal`: an export of 8 files whose largest is 8× its median, at the lower cap: the time from the
 *   first write to the last ÷ (RU charged ÷ cap), 1 being a budget full from the first second to the last.
 *
 * Sizes: BENCH_THROUGHPUT_SECONDS (60) seconds of work at the cap in each run; BENCH_THROUGHPUT_CAPS ("2000,8000").
 */
import { CosmosClient } from '@azure/cosmos';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { mapItem, MappingOptions, newMappingStats } from '../src/mapping';
import { insertCharge } from '../tools/localstack/strict-cosmos/charges';
import { measureDocument } from '../tools/localstack/strict-cosmos/document-rules';
import type { ContainerReport } from '../tools/localstack/strict-cosmos/throughput';
import { ADMIN_PATH } from '../tools/localstack/strict-cosmos/wire';
import { buildFullExport, GeneratedExport, gzipDataFile, manifestObjects } from '../tools/sample/build-export';
import { sampleItem } from '../tools/sample/items';
import { round } from './stats';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = env('BENCH_THROUGHPUT_SECONDS', 60);
const CAPS = (process.env.BENCH_THROUGHPUT_CAPS ?? '2000,8000').split(',').map(Number);
const FILES = 8;
const SKEW = 8;

/** A status as the bench's poller sees it: the phase is what tells loading from validating. */
export interface PolledStatus {
  runtimeStatus: string;
  customStatus?: { phase?: string };
}

/** What bench/run.ts lends this file: its stack's Cosmos client and endpoint, and its upload and migrate steps. */
export interface ThroughputBenchContext {
  cosmos: CosmosClient;
  cosmosEndpoint: string;
  database: string;
  mapping: MappingOptions;
  seed: number;
  upload(generated: GeneratedExport): Promise<void>;
  migrate(
    generated: GeneratedExport,
    container: string,
    options: object,
    onStatus: (status: PolledStatus) => void,
  ): Promise<{ output: any }>;
  say(text: string): void;
}

/** The strict layer's per-container counters (its admin endpoint). */
function layerReport(endpoint: string): Promise<ContainerReport[]> {
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(ADMIN_PATH, endpoint), { rejectUnauthorized: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        try {
          resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { containers: ContainerReport[] }).containers);
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.once('error', reject);
    request.end();
  });
}

/** What the layer charges for inserting one of the sample items, on average (charges.ts, default indexing). */
function insertChargePerItem(context: ThroughputBenchContext): number {
  let total = 0;
  const n = 500;
  for (let i = 0; i < n; i++) {
    const document = mapItem(sampleItem(context.seed, i), context.mapping, newMappingStats()).document;
    total += insertCharge(Buffer.byteLength(JSON.stringify(document)), measureDocument(document).indexedTerms);
  }
  return total / n;
}

/**
 * `FILES` files, all of `unit` items but the last, which has SKEW times as many: the largest file is SKEW times the
 * median. Built as an even export of FILES - 1 + SKEW files whose last SKEW files are joined into one.
 */
function skewedExport(prefix: string, unit: number, seed: number): GeneratedExport {
  const parts = FILES - 1 + SKEW;
  const even = buildFullExport({
    prefix,
    itemCount: unit * parts,
    fileCount: parts,
    seed,
    edgeCases: false,
    emptyFiles: 0,
  });
  const lines = (body: Buffer): string[] => gunzipSync(body).toString('utf8').split('\n').filter(Boolean);
  const joined = gzipDataFile(
    even.files[parts - 1].key,
    even.files.slice(FILES - 1).flatMap((f) => lines(f.body)),
  );
  const files = [...even.files.slice(0, FILES - 1), joined];
  const summaryObject = even.objects.find((o) => o.key.endsWith('/manifest-summary.json'));
  const summary = JSON.parse(String(summaryObject?.body)) as Record<string, unknown>;
  return {
    ...even,
    files,
    objects: manifestObjects(even.exportId, even.exportPrefix, prefix, 'Orders', files, summary),
  };
}

interface RunFigures {
  cap: number;
  /** The container's RU/s. */
  throughput: number;
  items: number;
  files: number;
  /** Seconds the custom status said `loading`. */
  loadingSeconds: number;
  /** Seconds from the first write to the last (the calendar seconds the layer charged). */
  writingSeconds: number;
  /** RU per second charged from the first write to the last (the partial first and last seconds left out) ÷ cap. */
  utilization: number;
  /** Writing time ÷ (RU charged ÷ cap): 1 is the cap used from the first write to the last. */
  wallVsIdeal: number;
  /** The same with the whole loading phase, the first file's copy before any write and the wrap-up after included. */
  phaseWallVsIdeal: number;
  ruCharged: number;
  operations: number;
  throttled: number;
  peakRuPerSecond: number;
  /** Seconds from the first charge to the first second at 90% of the cap or more. */
  rampUpSeconds: number | null;
  seconds: [number, number][];
}

/** The app's default cap is this share of the throughput (cosmos/throughput.ts). */
const CAP_SHARE = 0.8;

/** One migration into a fresh container provisioned so that the app's default cap is `cap` RU/s. */
async function run(
  context: ThroughputBenchContext,
  generated: GeneratedExport,
  container: string,
  cap: number,
): Promise<RunFigures> {
  const database = context.cosmos.database(context.database);
  await context.cosmos.databases.createIfNotExists({ id: context.database });
  await database
    .container(container)
    .delete()
    .catch(() => undefined);
  const throughput = Math.ceil(cap / CAP_SHARE / 100) * 100;
  await database.containers.create({ id: container, partitionKey: { paths: ['/pk'] }, throughput });
  let loadingFrom: number | undefined;
  let loadingTo: number | undefined;
  const { output } = await context.migrate(generated, container, { sampleSize: 20 }, (status) => {
    const now = Date.now();
    if (status.customStatus?.phase === 'loading') loadingFrom ??= now;
    else if (loadingFrom !== undefined) loadingTo ??= now;
  });
  if (output.items.written !== generated.itemCount)
    throw new Error(`throughput run wrote ${output.items.written} of ${generated.itemCount} items`);
  if (output.ruCap?.requestUnitsPerSecond !== cap)
    throw new Error(`throughput run had the cap ${JSON.stringify(output.ruCap)}, not ${cap} RU/s`);
  const layer = (await layerReport(context.cosmosEndpoint)).find(
    (c) => c.database === context.database && c.container === container,
  );
  await database
    .container(container)
    .delete()
    .catch(() => undefined);
  if (!layer || loadingFrom === undefined) throw new Error(`no loading phase or no charges seen for ${container}`);
  const from = loadingFrom;
  const to = loadingTo ?? Date.now();
  // The seconds of the loading phase with charges (validation reads come after it).
  const loading = layer.seconds
    .filter(([s]) => s >= Math.floor(from / 1000) && s <= Math.floor(to / 1000))
    .sort((a, b) => a[0] - b[0]);
  // Writing: seconds charged at least a twentieth of the cap; a lone read of a few RU after the last write (the
  // item count, metadata) does not stretch the writing time.
  const writing = loading.filter(([, ru]) => ru >= cap / 20);
  if (writing.length === 0) throw new Error(`no writes while ${container} was loading`);
  const firstCharge = writing[0][0];
  const lastCharge = writing[writing.length - 1][0];
  const allCharged = loading.reduce((sum, [, ru]) => sum + ru, 0);
  // The steady state: every second between the first and the last write, idle ones included, those two left out.
  const seconds = loading.filter(([s]) => s > firstCharge && s < lastCharge);
  const charged = seconds.reduce((sum, [, ru]) => sum + ru, 0);
  const span = Math.max(1, lastCharge - firstCharge - 1);
  const first = firstCharge + 1;
  const full = seconds.find(([, ru]) => ru >= cap * 0.9);
  return {
    cap,
    throughput,
    items: generated.itemCount,
    files: generated.files.length,
    loadingSeconds: round((to - loadingFrom) / 1000, 1),
    writingSeconds: lastCharge - firstCharge + 1,
    utilization: round(charged / span / cap, 3),
    wallVsIdeal: round((lastCharge - firstCharge + 1) / (allCharged / cap), 3),
    phaseWallVsIdeal: round((to - loadingFrom) / 1000 / (allCharged / cap), 3),
    ruCharged: Math.round(layer.requestCharge),
    operations: layer.operations,
    throttled: layer.throttled,
    peakRuPerSecond: layer.peakRequestUnitsPerSecond,
    rampUpSeconds: full ? full[0] - firstCharge : null,
    seconds: seconds.map(([s, ru]) => [s - first, Math.round(ru)]),
  };
}

/** The throughput figures (see the top of this file). */
export async function benchThroughput(context: ThroughputBenchContext): Promise<Record<string, unknown>> {
  const ruPerItem = insertChargePerItem(context);
  const capped: RunFigures[] = [];
  for (const cap of CAPS) {
    const items = Math.ceil((SECONDS * cap) / ruPerItem);
    const generated = buildFullExport({
      prefix: `exports/throughput-${cap}`,
      itemCount: items,
      fileCount: FILES * 2,
      seed: context.seed + 3,
      edgeCases: false,
      emptyFiles: 0,
    });
    await context.upload(generated);
    context.say(`THROUGHPUT: ${items} items (${round(ruPerItem, 1)} RU each) in ${FILES * 2} files at ${cap} RU/s…`);
    const figures = await run(context, generated, `throughput-${cap}`, cap);
    context.say(
      `THROUGHPUT ${cap} RU/s: utilization ${figures.utilization}, ${figures.throttled} of ${figures.operations} throttled, loading ${figures.loadingSeconds} s`,
    );
    capped.push(figures);
  }
  const skewCap = Math.min(...CAPS);
  const unit = Math.ceil((SECONDS * skewCap) / ruPerItem / (FILES - 1 + SKEW));
  const skewed = skewedExport('exports/throughput-skewed', unit, context.seed + 4);
  await context.upload(skewed);
  context.say(`THROUGHPUT skewed: ${FILES} files, ${unit} items each but one of ${unit * SKEW}, at ${skewCap} RU/s…`);
  const skew = await run(context, skewed, 'throughput-skewed', skewCap);
  context.say(`THROUGHPUT skewed: wall ÷ ideal ${skew.wallVsIdeal}, loading ${skew.loadingSeconds} s`);
  const operations = capped.reduce((sum, f) => sum + f.operations, 0);
  const throttled = capped.reduce((sum, f) => sum + f.throttled, 0);
  return {
    secondsAtCap: SECONDS,
    insertChargePerItem: round(ruPerItem, 2),
    ruUtilization: Math.min(...capped.map((f) => f.utilization)),
    throttledFraction: round(operations > 0 ? throttled / operations : 0, 4),
    skewedWallVsIdeal: skew.wallVsIdeal,
    runs: capped,
    skewed: skew,
  };
}
