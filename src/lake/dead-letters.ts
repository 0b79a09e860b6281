import { AppendBlobClient } from '@azure/storage-blob';

export interface DeadLetter {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

/** An append block holds at most 4 MiB; flush well before so one oversized record still fits on its own. */
const FLUSH_BYTES = 1024 * 1024;
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

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
    let line = JSON.stringify(letter) + '\n';
    if (Buffer.byteLength(line) > MAX_BLOCK_BYTES) {
      line = JSON.stringify({ ...letter, raw: letter.raw.slice(0, 1024 * 1024), rawTruncated: true }) + '\n';
    }
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
