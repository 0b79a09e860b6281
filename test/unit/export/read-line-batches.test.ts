import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readGzipLineBatches, readGzipLines } from '../../../src/export/read-lines';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

describe('readGzipLineBatches', () => {
  const text =
    Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? '' : `{"line":${i},"pad":"${'é'.repeat(i % 50)}"}`)).join(
      '\n',
    ) + '\n';
  const body = gzipSync(text);
  const chunked = (): Readable =>
    Readable.from(
      Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) => body.subarray(i * 1000, (i + 1) * 1000)),
    );

  test('hands out the same lines as readGzipLines, several per batch, none empty', async () => {
    const batches = await collect(readGzipLineBatches(chunked(), 'f'));
    const lines = await collect(readGzipLines(chunked(), 'f'));
    expect(batches.flat()).toEqual(lines);
    expect(batches.length).toBeLessThan(lines.length / 10);
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
    expect(lines[0]).toEqual({ number: 2, text: '{"line":1,"pad":"é"}' });
  });

  test('a truncated stream fails naming the last line handed out', async () => {
    const truncated = Readable.from([body.subarray(0, body.length - 50)]);
    let last = 0;
    let caught: unknown;
    try {
      for await (const batch of readGzipLineBatches(truncated, 'data/t.json.gz')) last = batch[batch.length - 1].number;
    } catch (error) {
      caught = error;
    }
    expect(last).toBeGreaterThan(0);
    expect(String(caught)).toMatch(new RegExp(`CORRUPT_GZIP.*data/t.json.gz.* after line ${last}\\b`));
  });
});
