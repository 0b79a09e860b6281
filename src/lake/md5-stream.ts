import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/** A pass-through that hashes what flows through it, so a copy is verified in the same single read. */
export class Md5PassThrough extends Transform {
  private readonly hash: Hash = createHash('md5');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digestBase64(): string {
    return this.hash.digest('base64');
  }
}
