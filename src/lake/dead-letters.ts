import { AppendBlobClient } from '@azure/storage-blob';

/** Codes of dead letters whose reason is about the line itself rather than its content. */
export type DeadLetterCode = 'LINE_TOO_LONG';

export interface DeadLetter {
  file: string;
  line: number;
  /** Set for reasons that have a code (LINE_TOO_LONG); the reason then starts with it in brackets. */
  code?: DeadLetterCode;
  reason: string;
  /** The line as read; only its start when `rawTruncated` is set. */
  raw: string;
  rawTruncated?: true;
  /** The line's length in bytes, when `raw` is not all of it (a line over the cap). */
  bytes?: number;
  /** `bytes` is a lower bound: the line was not read to its end (the data broke off inside it). */
  bytesAtLeast?: true;
}

/** An append block holds at most 4 MiB; flush well before so one oversized record still fits on its own. */
const FLUSH_BYTES = 1024 * 1024;
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** What is kept of a raw line too large for a block: its start, at most this many characters. */
const TRUNCATED_RAW_CHARS = 256 * 1024;

/**
 * The letter as one JSON line that fits in an append block: a raw line too large for one (lines up to the
 * reader's 4 MiB cap, and JSON escaping can make a character 6 bytes) keeps only its start.
 */
function serialise(letter: DeadLetter): string {
  const line = JSON.stringify(letter) + '\n';
  if (Buffer.byteLength(line) <= MAX_BLOCK_BYTES) return line;
  // 256 Ki characters are at most 1.5 MiB escaped (6 bytes for a control character), well inside a block.
  return JSON.stringify({ ...letter, raw: letter.raw.slice(0, TRUNCATED_RAW_CHARS), rawTruncated: true }) + '\n';
}

/**
 * Writes dead letters to one JSON Lines append blob per data file. The blob is recreated when a load of
 * the file starts from the beginning, so re-running a file never doubles its dead letters; a load resumed
 * from a checkpoint appends to it (`append`), starting from the checkpoint's count and size.
 */
export class DeadLetterSink {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private created = false;
  count: number;
  /** Bytes in the blob once everything added has been flushed. */
  bytes: number;

  constructor(
    private readonly blob: AppendBlobClient,
    private readonly append: boolean,
    start: { count: number; bytes: number } = { count: 0, bytes: 0 },
  ) {
    this.count = start.count;
    this.bytes = start.bytes;
  }

  async add(letter: DeadLetter): Promise<void> {
    this.count++;
    const line = serialise(letter);
    this.buffer.push(line);
    this.bufferedBytes += Buffer.byteLength(line);
    this.bytes += Buffer.byteLength(line);
    if (this.bufferedBytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.created) {
      if (this.append) await this.blob.createIfNotExists();
      else await this.blob.create();
      this.created = true;
    }
    while (this.buffer.length > 0) {
      let size = 0;
      let take = 0;
      while (take < this.buffer.length && size + Buffer.byteLength(this.buffer[take]) <= MAX_BLOCK_BYTES) {
        size += Buffer.byteLength(this.buffer[take]);
        take++;
      }
      const block = this.buffer.splice(0, Math.max(take, 1)).join('');
      await this.blob.appendBlock(block, Buffer.byteLength(block));
    }
    this.bufferedBytes = 0;
  }
}
