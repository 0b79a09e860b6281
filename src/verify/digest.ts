import { createHash } from 'node:crypto';

const MODULUS = 1n << 128n;

/**
 * An order-independent digest of a set of (key, content hash) pairs: the count, and the sum modulo 2^128 of
 * 128 bits of each pair's SHA-256. Adding is commutative, so the expected side and the container side agree
 * however their records arrived; a sum (unlike XOR) does not cancel a pair that appears twice.
 */
export class SetDigest {
  private sum = 0n;
  count = 0;

  add(key: string, hash: string): void {
    const bytes = createHash('sha256').update(key, 'utf8').update('\u0000').update(hash, 'utf8').digest();
    this.sum = (this.sum + bytes.readBigUInt64BE(0) * (1n << 64n) + bytes.readBigUInt64BE(8)) % MODULUS;
    this.count++;
  }

  get value(): string {
    return `${this.count}:${this.sum.toString(16)}`;
  }

  equals(other: SetDigest): boolean {
    return this.value === other.value;
  }
}
