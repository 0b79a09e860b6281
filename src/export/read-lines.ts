import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { MigrationError } from '../errors';

export interface Line {
  /** 1-based, counting every line of the decompressed file, blank ones included. */
  number: number;
  text: string;
}

/**
 * Splits a byte stream into lines without a length cap (export lines can be several MB) and without
 * holding more than one partial line. Hand-written rather than `readline` because readline cannot
 * report which line a decoding error happened on and is slower on `for await`.
 * Blank lines (the trailing newline of every export file) are skipped but still counted.
 */
export async function* splitLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let number = 0;
  for await (const chunk of source) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end >= 0) {
      number++;
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      if (line.length > 0) yield { number, text: line };
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    pending = start === 0 ? text : text.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield { number: number + 1, text: pending };
}

/**
 * Lines of a gzip stream. zlib's gunzip continues across concatenated gzip members, which large
 * exports may use. A truncated or corrupt stream surfaces as CORRUPT_GZIP naming the file and the
 * last complete line, so the user knows how far the data was readable.
 */
export async function* readGzipLines(compressed: Readable, fileName: string): AsyncGenerator<Line> {
  const gunzip = createGunzip();
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  let last = 0;
  try {
    for await (const line of splitLines(gunzip)) {
      last = line.number;
      yield line;
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
