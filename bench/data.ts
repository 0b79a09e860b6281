/** Generated bench data: the sample table's items (tools/sample/items.ts) as DynamoDB export lines. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { ionItemLine } from '../tools/sample/ion-lines';
import { sampleItem } from '../tools/sample/items';

export const SEED = 7;

/**
 * `count` export lines of the sample table, from item `first` on, gzipped as one file: DynamoDB JSON, or with
 * `ion` the same items as an Ion export writes them.
 */
export function gzippedLines(count: number, first = 0, level = 6, ion = false): { body: Buffer; bytes: number } {
  const lines: string[] = [];
  for (let n = first; n < first + count; n++)
    lines.push(ion ? ionItemLine(sampleItem(SEED, n)) : JSON.stringify({ Item: sampleItem(SEED, n) }));
  const text = lines.join('\n') + '\n';
  return { body: gzipSync(text, { level }), bytes: Buffer.byteLength(text) };
}

/**
 * Writes a gzipped export data file of at least `minBytes` uncompressed bytes to `path`, streaming (nothing
 * of that size is ever in memory). gzip level 1: the content is what matters here, not the ratio.
 */
export async function writeLargeFile(
  path: string,
  minBytes: number,
): Promise<{ items: number; bytes: number; compressedBytes: number }> {
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  let bytes = 0;
  let items = 0;
  while (bytes < minBytes) {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(JSON.stringify({ Item: sampleItem(SEED, 10_000_000 + items++) }));
    const chunk = lines.join('\n') + '\n';
    bytes += Buffer.byteLength(chunk);
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'finish');
  return { items, bytes, compressedBytes: out.bytesWritten };
}
