import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readGzipLines, splitLines } from '../../../src/export/read-lines';

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

  test('has no line length cap', async () => {
    const long = 'q'.repeat(5 * 1024 * 1024);
    const lines = await collect(splitLines(chunks(long.slice(0, 1000), long.slice(1000), '\n')));
    expect(lines[0].text.length).toBe(long.length);
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
