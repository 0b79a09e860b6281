/**
 * Child process of the bench: decode and mapping throughput, three ways over the same gzipped export file, and
 * two more over the same items exported as Amazon Ion when an Ion file is given.
 *
 *   node --expose-gc dist/bench/cpu.js <file.json.gz> <repetitions> [<file.ion.gz> [<variant,…>]]
 *
 * - floor:   gunzip + line split + JSON.parse, nothing else (the least any loader must do);
 * - obvious: the floor's reader, JSON.parse, `unmarshall` from @aws-sdk/util-dynamodb with wrapNumbers (so no
 *            number is lost), and the id and partition key done naively (String() of the key values, a regex
 *            for the characters Cosmos DB forbids in ids, the document as `{ id, ...item }`);
 * - ours:    the project's reader (readGzipLineBatches) + mapRecord, as the loader runs them, lossless numbers:
 *            each line read straight into its document (src/export/json-item-line.ts);
 * - ion:     ours over the same items exported as Amazon Ion (`<file.ion.gz>`): mapRecord reads them with the
 *            project's Ion reader (src/export/ion/fast-reader.ts), then mapItem;
 * - ionJs:   the same, each line read with Amazon's `ion-js` instead (src/export/ion/ion-js-reader.ts).
 * The obvious alternative gets the floor's reader, so the two compare mapping with mapping. Items per second
 * per core: items / CPU seconds of the process (the gunzip thread included). Repetitions are interleaved
 * (floor, obvious, ours, then the next round) after one warm-up round; prints JSON with every repetition.
 * `ionJs` runs in a process of its own (bench/run.ts asks for it apart): loading `ion-js` slows every string
 * method lookup in the process (src/export/ion/index.ts), which would slow the variants measured after it.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readGzipLineBatches } from '../src/export/read-lines';
import { mapRecord } from '../src/export/records';
import { DynamoItem, mapItem, MappingOptions, MappingStats, newMappingStats } from '../src/mapping';

type Variant = 'floor' | 'obvious' | 'ours' | 'ion' | 'ionJs';

const CHUNK = 64 * 1024;
const mapping: MappingOptions = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' };

/** The compressed file as a stream of 64 KiB chunks, as it would come off the network. */
function source(body: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += CHUNK) chunks.push(body.subarray(i, i + CHUNK));
  return Readable.from(chunks);
}

/**
 * The floor's reader: gunzip (same chunk size as the project's), split on newline bytes, each line decoded
 * from UTF-8 on its own (measured faster here than decoding whole chunks and slicing them).
 */
async function eachLine(body: Buffer, onLine: (line: string) => void): Promise<void> {
  const gunzip = createGunzip({ chunkSize: CHUNK });
  source(body).pipe(gunzip);
  let partial: Buffer | undefined;
  for await (const chunk of gunzip) {
    let bytes = chunk as Buffer;
    if (partial) {
      bytes = Buffer.concat([partial, bytes]);
      partial = undefined;
    }
    let start = 0;
    let end = bytes.indexOf(10);
    while (end >= 0) {
      if (end > start) onLine(bytes.toString('utf8', start, end));
      start = end + 1;
      end = bytes.indexOf(10, start);
    }
    if (start < bytes.length) partial = bytes.subarray(start);
  }
  if (partial) onLine(partial.toString('utf8'));
}

const FORBIDDEN_IN_ID = /[%/\\?#|]/g;
const naiveEscape = (value: unknown): string =>
  String(value).replace(FORBIDDEN_IN_ID, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The project's reader and mapping over a file, each line decoded and mapped by `map`. */
async function load(body: Buffer, map: (text: string, stats: MappingStats) => void): Promise<number> {
  let items = 0;
  const stats = newMappingStats();
  for await (const lines of readGzipLineBatches(source(body), 'bench.gz')) {
    for (const line of lines) {
      map(line.text, stats);
      items++;
    }
  }
  return items;
}

/** What the loader runs for a line (src/load/load-file.ts). */
const mapLine = (text: string, stats: MappingStats): void => void mapRecord(text, false, mapping, stats);

const variants: Record<Variant, (body: Buffer, ion: Buffer) => Promise<number>> = {
  async floor(body) {
    let items = 0;
    await eachLine(body, (line) => {
      JSON.parse(line);
      items++;
    });
    return items;
  },
  async obvious(body) {
    let items = 0;
    await eachLine(body, (line) => {
      const item = unmarshall((JSON.parse(line) as { Item: DynamoItem }).Item as never, { wrapNumbers: true });
      const id = `${naiveEscape(item.pk)}|${naiveEscape(item.sk)}`;
      const document = { id, ...item };
      const partitionKey = item.pk;
      if (document.id === undefined || partitionKey === undefined) throw new Error('unreachable');
      items++;
    });
    return items;
  },
  // The same code for both formats, so the two compare decoding with decoding.
  ours: (body) => load(body, mapLine),
  ion: (_, ion) => load(ion, mapLine),
  // Loaded here, not with this module: see the header.
  ionJs: async (_, ion) => {
    const { readIonRecordWithIonJs } = await import('../src/export/ion/ion-js-reader');
    return load(ion, (text, stats) => {
      const record = readIonRecordWithIonJs(text, false);
      if (record.kind === 'put') mapItem(record.item, mapping, stats);
    });
  },
};

async function measure(
  variant: Variant,
  body: Buffer,
  ion: Buffer,
): Promise<{ items: number; cpuSeconds: number; wallSeconds: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const items = await variants[variant](body, ion);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { items, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds };
}

async function main(): Promise<void> {
  const body = readFileSync(process.argv[2]);
  const repetitions = Number(process.argv[3] ?? 5);
  const ion = process.argv[4] ? readFileSync(process.argv[4]) : undefined;
  const order: Variant[] = process.argv[5]
    ? (process.argv[5].split(',') as Variant[])
    : ion
      ? ['floor', 'obvious', 'ours', 'ion']
      : ['floor', 'obvious', 'ours'];
  const ionBody = ion ?? Buffer.alloc(0);
  for (const variant of order) await measure(variant, body, ionBody);
  const out = Object.fromEntries(order.map((v) => [v, { perCore: [] as number[], wall: [] as number[], items: 0 }]));
  for (let round = 0; round < repetitions; round++) {
    // Rotate the order so no variant always runs right after the same other one.
    for (let k = 0; k < order.length; k++) {
      const variant = order[(k + round) % order.length];
      const result = await measure(variant, body, ionBody);
      out[variant].items = result.items;
      out[variant].perCore.push(result.items / result.cpuSeconds);
      out[variant].wall.push(result.items / result.wallSeconds);
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
