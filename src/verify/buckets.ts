import { createHash } from 'node:crypto';

/** Documents per bucket the bucket count aims at: one bucket's records of both sides fit easily in memory. */
export const TARGET_BUCKET_SIZE = 20_000;
/** Buckets of one verification at most (the index of every spill holds one offset per bucket). */
export const MAX_BUCKETS = 65_536;

/** Buckets for `records` expected records: enough that each holds about TARGET_BUCKET_SIZE or fewer. */
export function bucketCountFor(records: number, target = TARGET_BUCKET_SIZE): number {
  return Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(records / target)));
}

/**
 * A document's key across both sides: its partition key value (as JSON) and its id. Cosmos DB keeps ids unique
 * within a logical partition only, so the id alone may name two documents.
 */
export function documentKey(id: string, partitionKeyJson: string): string {
  return `${partitionKeyJson}\u0000${id}`;
}

/** The bucket of a key: the first 32 bits of its SHA-256, modulo the bucket count; the same on both sides. */
export function bucketOf(key: string, buckets: number): number {
  if (buckets <= 1) return 0;
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % buckets;
}
