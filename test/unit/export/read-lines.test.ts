import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import {
  Line,
  LineEntry,
  LineTooLongError,
  MAX_LINE_BYTES,
  readGzipEntries,
  readGzipLineBatches,
  readGzipLines,
  SKIP_PROGRESS_BYTES,
  splitEntries,
  splitLines,
  TooLongLine,
} from '../../../src/export/read-lines';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

function chunks(...parts: (string | Buffer)[]): AsyncIterable<Buffer> {
  return Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

describe('splitLines', () => {
  test('skips blank lines but keeps numbering, handles CRLF and a missing final newline', async () => {
    const lines = await collect(splitLines(chunks('a\n\nb\r\n', 'c')));
    expect(lines).toEqual([
      { number: 1, text: 'a' },
      { number: 3, text: 'b' },
      { number: 4, text: 'c' },
    ]);
  });

  test('joins lines split across chunks, including inside a multibyte character', async () => {
    const euro = Buffer.from('€');
    const lines = await collect(splitLines(chunks(Buffer.from('x'), euro.subarray(0, 1), euro.subarray(1), 'y\nz\n')));
    expect(lines.map((l) => l.text)).toEqual(['x€y', 'z']);
  });

  test('hands out a line of MAX_LINE_BYTES (4 MiB), and throws LineTooLongError for one byte more, after the lines before it', async () => {
    const long = 'q'.repeat(MAX_LINE_BYTES);
    const lines = await collect(splitLines(chunks(long.slice(0, 1000), long.slice(1000), '\n')));
    expect(lines[0].text.length).toBe(MAX_LINE_BYTES);

    const seen: Line[] = [];
    let caught: unknown;
    try {
      for await (const line of splitLines(chunks('first\n', long, 'q\nlast\n'))) seen.push(line);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual([{ number: 1, text: 'first' }]);
    expect(caught).toBeInstanceOf(LineTooLongError);
    expect((caught as LineTooLongError).line).toEqual({
      number: 2,
      tooLong: { bytes: MAX_LINE_BYTES + 1, head: 'q'.repeat(1024) },
    });
  });
});

describe('splitEntries: lines over the cap', () => {
  const cap = { maxLineBytes: 10, skipProgressBytes: 8 };

  test('a line over the cap comes out as its length and first bytes; the lines around it are read', async () => {
    const entries = await collect(splitEntries(chunks('0123456789\n', 'abcdefghijk\r\n', 'ok\n'), cap));
    expect(entries).toEqual([
      // A line that passes the cap and ends in the same chunk has nothing to report on the way.
      { number: 1, text: '0123456789' },
      { number: 2, tooLong: { bytes: 12, head: 'abcdefghijk\r' } },
      { number: 3, text: 'ok' },
    ]);
  });

  test('a line that passes the cap across chunks is dropped as it streams and reported as it goes', async () => {
    const entries = await collect(splitEntries(chunks('x\nabcd', 'efgh', 'ijkl', 'mnop', 'qrstu', 'vw\ny'), cap));
    expect(entries).toEqual([
      { number: 1, text: 'x' },
      // Passes the cap at 12 bytes, then every 8 bytes: 17 and 19 are below 24, 21 + 2 ends the line.
      { number: 2, skipping: { bytesSoFar: 12, head: 'abcdefghijkl' } },
      { number: 2, skipping: { bytesSoFar: 16, head: 'abcdefghijkl' } },
      { number: 2, tooLong: { bytes: 23, head: 'abcdefghijkl' } },
      { number: 3, text: 'y' },
    ]);
  });

  test('the end of the data ends a line over the cap too; blank lines around it keep the numbering', async () => {
    const entries = await collect(splitEntries(chunks('\n\n', 'z'.repeat(30)), cap));
    expect(entries.filter((e) => 'tooLong' in e)).toEqual([
      { number: 3, tooLong: { bytes: 30, head: 'z'.repeat(30) } },
    ]);
  });

  test('the head of a line over the cap is at most 1 KiB, decoded', async () => {
    const entries = await collect(splitEntries(chunks('é'.repeat(600), '\n'), { maxLineBytes: 1000 }));
    const [long] = entries.filter((e): e is TooLongLine => 'tooLong' in e);
    expect(long.tooLong.bytes).toBe(1200);
    expect(long.tooLong.head).toBe('é'.repeat(512));
  });
});

/**
 * A Readable that produces `bytes` bytes of one line lazily, 1 MiB at a time, then `tail`. Each block is a new
 * buffer, so a reader that keeps what it was given grows as it would on real data. It checks memory as it goes
 * and fails the stream at once when it has grown past the guard's limit, so a reader that collects the line
 * fails the test instead of exhausting the machine (or dying in V8's string conversion, as the old one did).
 */
function hugeLine(bytes: number, tail: string, guard: MemoryGuard): Readable {
  let left = bytes;
  return new Readable({
    read() {
      const over = guard.check();
      if (over) return this.destroy(new Error(over));
      if (left <= 0) {
        this.push(Buffer.from(tail));
        return this.push(null);
      }
      const size = Math.min(left, 1024 * 1024);
      left -= size;
      this.push(Buffer.allocUnsafe(size).fill(0x61));
    },
  });
}

/** V8's garbage collector, to measure what is live rather than what has not been collected yet. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Peak of heapUsed + arrayBuffers above where it started; `check` says when it passed `limit`. */
class MemoryGuard {
  private static readonly gc = collector();
  private readonly base: number;
  peak = 0;
  constructor(private readonly limit: number) {
    MemoryGuard.gc();
    this.base = MemoryGuard.used();
  }
  static used(): number {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  }
  /** `live`: collect garbage first (slow; now and then). */
  check(live = false): string | undefined {
    if (live) MemoryGuard.gc();
    this.peak = Math.max(this.peak, MemoryGuard.used() - this.base);
    return this.peak > this.limit ? `memory grew by ${this.peak} bytes, over ${this.limit}` : undefined;
  }
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('memory stays bounded whatever the data holds', () => {
  test('a 3 GiB line is counted and skipped holding none of it', async () => {
    // Well above the 4 MiB cap: what the garbage collector has not yet taken back of the 1 MiB blocks shows too.
    const guard = new MemoryGuard(128 * MiB);
    const started = Date.now();
    const entries: LineEntry[] = [];
    for await (const entry of splitEntries(hugeLine(3 * GiB, '\n{"after":1}\n', guard))) {
      guard.check();
      entries.push(entry);
    }
    const progress = entries.filter((e) => 'skipping' in e);
    expect(entries.filter((e) => !('skipping' in e))).toEqual([
      { number: 1, tooLong: { bytes: 3 * GiB, head: 'a'.repeat(1024) } },
      { number: 2, text: '{"after":1}' },
    ]);
    // Once past the cap, then every 64 MiB.
    expect(progress).toHaveLength(1 + (3 * GiB) / SKIP_PROGRESS_BYTES);
    expect(guard.peak).toBeLessThan(128 * MiB);
    console.log(
      `3 GiB line: peak heapUsed + arrayBuffers +${(guard.peak / MiB).toFixed(1)} MiB, ${Date.now() - started} ms`,
    );
  });

  test('through gunzip: 1 MB of gzip that inflates to a 1 GiB line among normal lines', async () => {
    // Concatenated gzip members (which exports may use): 16 of 64 MiB of 'a', about 64 KB each.
    const member = gzipSync(Buffer.alloc(64 * MiB, 'a'), { level: 9 });
    const guard = new MemoryGuard(64 * MiB);
    const parts = [
      gzipSync('{"n":1}\n{"n":2}\n'),
      ...Array.from({ length: 16 }, () => member),
      gzipSync('\n{"n":4}\n'),
    ];
    expect(parts.reduce((sum, p) => sum + p.length, 0)).toBeLessThan(1.5 * MiB);
    const compressed = new Readable({
      read() {
        guard.check();
        this.push(parts.shift() ?? null);
      },
    });
    const started = Date.now();
    const entries: LineEntry[] = [];
    for await (const entry of readGzipEntries(compressed, 'data/bomb.json.gz')) {
      guard.check();
      if (!('skipping' in entry)) entries.push(entry);
    }
    expect(entries).toEqual([
      { number: 1, text: '{"n":1}' },
      { number: 2, text: '{"n":2}' },
      { number: 3, tooLong: { bytes: 1 * GiB, head: 'a'.repeat(1024) } },
      { number: 4, text: '{"n":4}' },
    ]);
    expect(guard.peak).toBeLessThan(64 * MiB);
    console.log(
      `1 GiB gzip line: peak heapUsed + arrayBuffers +${(guard.peak / MiB).toFixed(1)} MiB, ${Date.now() - started} ms`,
    );
  });

  test('a gzip bomb of short lines streams: a chunk of lines at a time', async () => {
    // 64 MiB of lines, 5.6 million strings: what is live at any time is a chunk's worth.
    const guard = new MemoryGuard(16 * MiB);
    const block = gzipSync(Buffer.from('{"Item":{}}\n'.repeat((8 * MiB) / 12)), { level: 9 });
    let members = 8;
    const compressed = new Readable({
      read() {
        this.push(members-- > 0 ? block : null);
      },
    });
    let lines = 0;
    let batches = 0;
    let largest = 0;
    for await (const batch of readGzipLineBatches(compressed, 'data/short.json.gz')) {
      // Garbage (lines already handed out) piles up until V8 collects it: measure what is live, every 100 chunks.
      if (++batches % 100 === 0) guard.check(true);
      lines += batch.length;
      largest = Math.max(largest, batch.length);
    }
    expect(lines).toBe(8 * Math.floor((8 * MiB) / 12));
    expect(largest).toBeLessThan(10_000);
    expect(guard.peak).toBeLessThan(16 * MiB);
  });
});

describe('readGzipLines', () => {
  test('reads concatenated gzip members as one stream', async () => {
    const body = Buffer.concat([gzipSync('one\ntwo\n'), gzipSync('three\n')]);
    const lines = await collect(readGzipLines(Readable.from([body]), 'f.json.gz'));
    expect(lines.map((l) => l.text)).toEqual(['one', 'two', 'three']);
  });

  test('an empty gzip stream has no lines', async () => {
    expect(await collect(readGzipLines(Readable.from([gzipSync('')]), 'f'))).toEqual([]);
  });

  test('a truncated file fails with CORRUPT_GZIP naming the file', async () => {
    const body = gzipSync('line\n'.repeat(10000));
    await expect(
      collect(readGzipLines(Readable.from([body.subarray(0, body.length - 20)]), 'data/x.json.gz')),
    ).rejects.toThrow(/CORRUPT_GZIP.*data\/x.json.gz/);
  });

  test('bytes that are not gzip fail with CORRUPT_GZIP', async () => {
    await expect(
      collect(readGzipLines(Readable.from([Buffer.from('plain text\n')]), 'data/y.json.gz')),
    ).rejects.toThrow(/CORRUPT_GZIP.*data\/y/);
  });
});
