import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MigrationError } from '../errors';

const LF = 0x0a;
const CR = 0x0d;

/**
 * The longest line the reader hands out, in bytes before its newline: 4 MiB. A DynamoDB item is at most
 * 400 KB, but its DynamoDB JSON line is longer than the item's size: every value carries a type descriptor,
 * binary values are base64 (4/3), and strings are JSON-escaped (6 bytes for a control character). The most a
 * byte of item size can become is about 9 bytes of line (a list of empty strings: `{"S":""},` for each element,
 * which DynamoDB counts as 1 byte), so the longest line an item DynamoDB can hold makes is about 3.6 MB, and
 * its Cosmos DB document still fits in 2 MB. Anything longer is not an item DynamoDB could have exported, and
 * is dead-lettered without being read: its bytes are counted and dropped as they stream (README, "Faults and
 * bad input"). The cap is also what one line can cost the loader in memory (the bytes, the string, the parsed
 * item), so memory per load stays bounded whatever a file holds.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** While a line over the cap is skipped, progress is reported every this many bytes of it. */
export const SKIP_PROGRESS_BYTES = 64 * 1024 * 1024;
/** Bytes of a line over the cap kept to show in its dead letter (its start names the item, usually). */
const HEAD_BYTES = 1024;

export interface Line {
  /** 1-based, counting every line of the decompressed file, blank ones included. */
  number: number;
  text: string;
}

/** A line longer than the cap: never held, never decoded; only its length and first bytes are known. */
export interface TooLongLine {
  number: number;
  tooLong: {
    /** Its length in bytes before the newline (the end of the data also ends a line). */
    bytes: number;
    /** Its first bytes, decoded (a character cut in two at the end shows as U+FFFD). */
    head: string;
  };
}

/**
 * A line over the cap is being skipped: reported once when it passes the cap, then every
 * SKIP_PROGRESS_BYTES, so a consumer can record where it is before the reader goes on (the line may be
 * gigabytes long). A TooLongLine with the same number follows unless the data breaks off first.
 */
export interface SkipProgress {
  number: number;
  skipping: { bytesSoFar: number; head: string };
}

export type LineEntry = Line | TooLongLine | SkipProgress;

export interface ReadOptions {
  /** Default MAX_LINE_BYTES. */
  maxLineBytes?: number;
  /** Default SKIP_PROGRESS_BYTES. */
  skipProgressBytes?: number;
  /**
   * Lines 1 to this one are passed over: counted, never decoded, held or handed out, whatever their length (a
   * resumed load's lines before its checkpoint). Numbering is unchanged: the first entry handed out is the next
   * line's. Default 0.
   */
  skipThrough?: number;
}

/** A line over the cap reached a reader that hands out text lines only (readGzipLines, splitLines). */
export class LineTooLongError extends Error {
  constructor(readonly line: TooLongLine) {
    super(`line ${line.number} is ${line.tooLong.bytes} bytes, longer than the limit of a line`);
    this.name = 'LineTooLongError';
  }
}

/**
 * gunzip output chunk size. zlib's default (16 KiB) hands out about a dozen export lines per chunk, and each
 * chunk costs a trip through the thread pool and the stream machinery: on the sample items that overhead was
 * as large as the decompression itself. 64 KiB chunks cut the reader's CPU per line by a third (bench/).
 */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

/** The first `limit` bytes of a line held in pieces, decoded. */
function headOf(pieces: Buffer[], limit: number): string {
  const kept: Buffer[] = [];
  let size = 0;
  for (const piece of pieces) {
    if (size >= limit) break;
    const part = piece.subarray(0, limit - size);
    kept.push(part);
    size += part.length;
  }
  return Buffer.concat(kept).toString('utf8');
}

/**
 * Splits a byte stream into lines of at most `maxLineBytes` bytes, holding at most one partial line, itself at
 * most the cap. A line that grows past the cap is dropped as it streams: its bytes are counted until the next
 * newline and never joined or decoded, and it comes out as a TooLongLine (after SkipProgress entries while it
 * lasts). Hand-written rather than `readline` because readline cannot report which line a decoding error
 * happened on, cannot bound a line, and is slower on `for await`.
 * Blank lines (the trailing newline of every export file) are skipped but still counted.
 * Yields the entries of each chunk together, as one array, so a consumer pays the cost of an asynchronous
 * step per chunk rather than per line.
 *
 * Lines are cut from the bytes and each decoded on its own (a newline byte is never part of a multi-byte
 * UTF-8 character, so this decodes exactly as decoding the whole stream would): every line is a string of
 * its own. Slicing one decoded chunk instead would make each line a view that keeps the whole chunk alive,
 * and a line the loader keeps (its validation sample) would keep 64 KiB with it.
 */
async function* splitEntryBatches(
  source: AsyncIterable<Buffer | string>,
  options: ReadOptions = {},
  passed: { lines: number } = { lines: 0 },
): AsyncGenerator<LineEntry[]> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const every = options.skipProgressBytes ?? SKIP_PROGRESS_BYTES;
  /** The bytes of the line not yet ended, in the pieces they came in (joined once, when it ends). */
  let partial: Buffer[] = [];
  let partialBytes = 0;
  /** The line over the cap being skipped: its bytes so far, its head, and when to report next. */
  let skipping: { bytes: number; head: string; nextReport: number } | undefined;
  /** Lines ended so far; the line being read is `number + 1`. */
  let number = 0;
  const skipThrough = options.skipThrough ?? 0;
  /**
   * Passes over lines until `skipThrough` have ended, from `start` in `bytes`; returns where the first line to
   * read begins (or the end of the chunk). Only newlines are looked for: no line is cut, decoded or measured, so
   * a resume pays the decompression of what it passes and little more (bench: resume).
   */
  const pass = (bytes: Buffer): number => {
    let start = 0;
    while (number < skipThrough) {
      const end = bytes.indexOf(LF, start);
      if (end < 0) {
        passed.lines = number;
        return bytes.length;
      }
      number++;
      start = end + 1;
    }
    passed.lines = number;
    return start;
  };
  const take = (bytes: Buffer, entries: LineEntry[]): void => {
    number++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (end > 0) entries.push({ number, text: bytes.toString('utf8', 0, end) });
  };
  const report = (entries: LineEntry[]): void => {
    if (skipping && skipping.bytes >= skipping.nextReport) {
      entries.push({ number: number + 1, skipping: { bytesSoFar: skipping.bytes, head: skipping.head } });
      skipping.nextReport = (Math.floor(skipping.bytes / every) + 1) * every;
    }
  };
  const endSkip = (entries: LineEntry[]): void => {
    number++;
    entries.push({ number, tooLong: { bytes: skipping?.bytes ?? 0, head: skipping?.head ?? '' } });
    skipping = undefined;
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const entries: LineEntry[] = [];
    let start = number < skipThrough ? pass(bytes) : 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(LF, start);
      const stop = end >= 0 ? end : bytes.length;
      if (skipping) {
        skipping.bytes += stop - start;
        if (end < 0) report(entries);
        else endSkip(entries);
      } else if (partialBytes + (stop - start) > max) {
        // The line passes the cap here: drop what is held of it and count the rest as it streams.
        const head = headOf([...partial, bytes.subarray(start, stop)], HEAD_BYTES);
        skipping = { bytes: partialBytes + (stop - start), head, nextReport: 0 };
        partial = [];
        partialBytes = 0;
        if (end < 0) report(entries);
        else endSkip(entries);
      } else if (end < 0) {
        partial.push(bytes.subarray(start));
        partialBytes += stop - start;
      } else if (partial.length > 0) {
        partial.push(bytes.subarray(start, end));
        take(Buffer.concat(partial), entries);
        partial = [];
        partialBytes = 0;
      } else {
        number++;
        const last = end > start && bytes[end - 1] === CR ? end - 1 : end;
        if (last > start) entries.push({ number, text: bytes.toString('utf8', start, last) });
      }
      start = stop + 1;
    }
    if (entries.length > 0) yield entries;
  }
  const last: LineEntry[] = [];
  if (skipping) endSkip(last);
  else if (partial.length > 0) take(Buffer.concat(partial), last);
  if (last.length > 0) yield last;
}

/** Text lines only: a line over the cap throws LineTooLongError (after the lines before it). */
async function* textLines(entries: AsyncIterable<LineEntry[]>): AsyncGenerator<Line[]> {
  for await (const batch of entries) {
    const lines: Line[] = [];
    for (const entry of batch) {
      if ('tooLong' in entry) {
        if (lines.length > 0) yield lines;
        throw new LineTooLongError(entry);
      }
      if ('text' in entry) lines.push(entry);
    }
    if (lines.length > 0) yield lines;
  }
}

/** splitEntryBatches, one entry at a time. */
export async function* splitEntries(
  source: AsyncIterable<Buffer | string>,
  options?: ReadOptions,
): AsyncGenerator<LineEntry> {
  for await (const entries of splitEntryBatches(source, options)) yield* entries;
}

/** The text lines of a byte stream, one at a time; a line over the cap throws LineTooLongError. */
export async function* splitLines(source: AsyncIterable<Buffer | string>, options?: ReadOptions): AsyncGenerator<Line> {
  for await (const lines of textLines(splitEntryBatches(source, options))) yield* lines;
}

/**
 * Entries of a gzip stream, a decompressed chunk's worth at a time (see splitEntryBatches). zlib's gunzip
 * continues across concatenated gzip members, which large exports may use. A truncated or corrupt stream
 * surfaces as CORRUPT_GZIP naming the file and the last complete line handed out, so the user knows how far
 * the data was readable. Memory stays bounded however much the data inflates: gunzip is pulled a chunk at a
 * time, and no line over the cap is held.
 */
export async function* readGzipEntryBatches(
  compressed: Readable,
  fileName: string,
  options?: ReadOptions,
): AsyncGenerator<LineEntry[]> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  let last = 0;
  /** Lines passed over so far (options.skipThrough): complete lines too, for the message of a break among them. */
  const passed = { lines: 0 };
  try {
    for await (const entries of splitEntryBatches(gunzip, options, passed)) {
      for (const entry of entries) if (!('skipping' in entry)) last = entry.number;
      yield entries;
    }
  } catch (error) {
    last = Math.max(last, passed.lines);
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

/** readGzipEntryBatches, one entry at a time. */
export async function* readGzipEntries(
  compressed: Readable,
  fileName: string,
  options?: ReadOptions,
): AsyncGenerator<LineEntry> {
  for await (const entries of readGzipEntryBatches(compressed, fileName, options)) yield* entries;
}

/** The text lines of a gzip stream, a chunk's worth at a time; a line over the cap throws LineTooLongError. */
export function readGzipLineBatches(
  compressed: Readable,
  fileName: string,
  options?: ReadOptions,
): AsyncGenerator<Line[]> {
  return textLines(readGzipEntryBatches(compressed, fileName, options));
}

/** readGzipLineBatches, one line at a time. */
export async function* readGzipLines(
  compressed: Readable,
  fileName: string,
  options?: ReadOptions,
): AsyncGenerator<Line> {
  for await (const lines of readGzipLineBatches(compressed, fileName, options)) yield* lines;
}
