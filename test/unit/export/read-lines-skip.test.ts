/**
 * The reader's `skipThrough` (a resumed load's lines before its checkpoint): the entries handed out are exactly
 * those a full read hands out after that line, numbered alike, however the bytes are cut into chunks and whatever
 * the lines passed over hold (blank lines, CRLF, lines over the cap, a multi-byte character cut in two).
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { LineEntry, readGzipEntries, splitEntries } from '../../../src/export/read-lines';
import { MigrationError } from '../../../src/errors';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

/** `text` cut into chunks of the given sizes, cycling. */
function cut(text: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length];
    parts.push(text.subarray(at, at + size));
    at += size;
  }
  return Readable.from(parts);
}

/** A seeded generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const MAX = 40;
const options = { maxLineBytes: MAX, skipProgressBytes: 16 };

function sampleText(next: () => number): Buffer {
  const lines: string[] = [];
  const count = 5 + Math.floor(next() * 40);
  for (let i = 0; i < count; i++) {
    const kind = next();
    if (kind < 0.1) lines.push('');
    else if (kind < 0.2) lines.push('x'.repeat(MAX + 1 + Math.floor(next() * 100)) + '\r');
    else if (kind < 0.3) lines.push(`€ line ${i} ü\r`);
    else lines.push(`line ${i} ${'y'.repeat(Math.floor(next() * MAX))}`.slice(0, MAX));
  }
  return Buffer.from(lines.join('\n') + (next() < 0.5 ? '\n' : ''));
}

const after = (entries: LineEntry[], through: number) => entries.filter((entry) => entry.number > through);

describe('splitEntries with skipThrough', () => {
  test('hands out exactly what a full read hands out after that line, for any chunking', async () => {
    const next = random(13);
    for (let round = 0; round < 300; round++) {
      const text = sampleText(next);
      const sizes = [1 + Math.floor(next() * 30), 1 + Math.floor(next() * 7), 64];
      const full = await collect(splitEntries(cut(text, sizes), options));
      const lineCount = text.toString('latin1').split('\n').length;
      const through = Math.floor(next() * (lineCount + 2));
      const skipped = await collect(splitEntries(cut(text, sizes), { ...options, skipThrough: through }));
      expect({ round, through, entries: skipped }).toEqual({ round, through, entries: after(full, through) });
    }
  });

  test('a line over the cap passed over is neither reported nor held; the next one is numbered as before', async () => {
    const text = Buffer.from(`a\n${'z'.repeat(10_000)}\nb\nc\n`);
    const entries = await collect(splitEntries(cut(text, [7]), { ...options, skipThrough: 2 }));
    expect(entries).toEqual([
      { number: 3, text: 'b' },
      { number: 4, text: 'c' },
    ]);
  });

  test('past the end of the data: nothing is handed out', async () => {
    const entries = await collect(splitEntries(cut(Buffer.from('a\nb\n'), [3]), { skipThrough: 9 }));
    expect(entries).toEqual([]);
  });
});

describe('readGzipEntries with skipThrough', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ n: i + 1, pad: 'p'.repeat(i % 50) }));
  const body = gzipSync(lines.join('\n') + '\n');

  test('across many decompressed chunks, the first entry is the line after the checkpoint', async () => {
    const entries = await collect(readGzipEntries(Readable.from([body]), 'f.json.gz', { skipThrough: 12_345 }));
    expect(entries.length).toBe(20_000 - 12_345);
    expect(entries[0]).toEqual({ number: 12_346, text: lines[12_345] });
    expect(entries.at(-1)).toEqual({ number: 20_000, text: lines[19_999] });
  });

  test('data that breaks off among the lines passed over names how far they were read', async () => {
    const truncated = body.subarray(0, Math.floor(body.length / 2));
    const error = await collect(readGzipEntries(Readable.from([truncated]), 'f.json.gz', { skipThrough: 19_000 })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MigrationError);
    const [, line] = /truncated after line (\d+)/.exec((error as Error).message) ?? [];
    // About half the lines were decompressed before the break; none of them was handed out.
    expect(Number(line)).toBeGreaterThan(5_000);
    expect(Number(line)).toBeLessThan(19_000);
  });
});
