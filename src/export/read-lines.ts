import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MigrationError } from '../errors';

const LF = 0x0a;
const CR = 0x0d;

export interface Line {
  /** 1-based, counting every line of the decompressed file, blank ones included. */
  number: number;
  text: string;
}

/**
 * gunzip output chunk size. zlib's default (16 KiB) hands out about a dozen export lines per chunk, and each
 * chunk costs a trip through the thread pool and the stream machinery: on the sample items that overhead was
 * as large as the decompression itself. 64 KiB chunks cut the reader's CPU per line by a third (bench/).
 */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

/**
 * Splits a byte stream into lines without a length cap (export lines can be several MB) and without
 * holding more than one partial line. Hand-written rather than `readline` because readline cannot
 * report which line a decoding error happened on and is slower on `for await`.
 * Blank lines (the trailing newline of every export file) are skipped but still counted.
 * Yields the complete lines of each chunk together, as one array, so a consumer pays the cost of an
 * asynchronous step per chunk rather than per line.
 *
 * Lines are cut from the bytes and each decoded on its own (a newline byte is never part of a multi-byte
 * UTF-8 character, so this decodes exactly as decoding the whole stream would): every line is a string of
 * its own. Slicing one decoded chunk instead would make each line a view that keeps the whole chunk alive,
 * and a line the loader keeps (its validation sample) would keep 64 KiB with it.
 */
async function* splitLineBatches(source: AsyncIterable<Buffer | string>): AsyncGenerator<Line[]> {
  /** The bytes of the line not yet ended, in the pieces they came in (joined once, when it ends). */
  let partial: Buffer[] = [];
  let number = 0;
  const take = (bytes: Buffer, lines: Line[]): void => {
    number++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (end > 0) lines.push({ number, text: bytes.toString('utf8', 0, end) });
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lines: Line[] = [];
    let start = 0;
    let end = bytes.indexOf(LF);
    if (end >= 0 && partial.length > 0) {
      partial.push(bytes.subarray(0, end));
      take(Buffer.concat(partial), lines);
      partial = [];
      start = end + 1;
      end = bytes.indexOf(LF, start);
    }
    while (end >= 0) {
      number++;
      const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
      if (stop > start) lines.push({ number, text: bytes.toString('utf8', start, stop) });
      start = end + 1;
      end = bytes.indexOf(LF, start);
    }
    if (start < bytes.length) partial.push(bytes.subarray(start));
    if (lines.length > 0) yield lines;
  }
  if (partial.length > 0) {
    const last: Line[] = [];
    take(Buffer.concat(partial), last);
    if (last.length > 0) yield last;
  }
}

/** splitLineBatches, one line at a time. */
export async function* splitLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  for await (const lines of splitLineBatches(source)) yield* lines;
}

/**
 * Lines of a gzip stream, a decompressed chunk's worth at a time (see splitLineBatches). zlib's gunzip
 * continues across concatenated gzip members, which large exports may use. A truncated or corrupt stream
 * surfaces as CORRUPT_GZIP naming the file and the last complete line handed out, so the user knows how far
 * the data was readable.
 */
export async function* readGzipLineBatches(compressed: Readable, fileName: string): AsyncGenerator<Line[]> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  let last = 0;
  try {
    for await (const lines of splitLineBatches(gunzip)) {
      last = lines[lines.length - 1].number;
      yield lines;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && code.startsWith('Z_')) {
      throw new MigrationError(
        'CORRUPT_GZIP',
        `${fileName}: gzip data is corrupt or truncated after line ${last} (${(error as Error).message})`,
      );
    }
    if ((error as Error).message === 'unexpected end of file') {
      throw new MigrationError('CORRUPT_GZIP', `${fileName}: gzip data is truncated after line ${last}`);
    }
    throw error;
  } finally {
    compressed.unpipe(gunzip);
    compressed.destroy();
    gunzip.destroy();
  }
}

/** readGzipLineBatches, one line at a time. */
export async function* readGzipLines(compressed: Readable, fileName: string): AsyncGenerator<Line> {
  for await (const lines of readGzipLineBatches(compressed, fileName)) yield* lines;
}
