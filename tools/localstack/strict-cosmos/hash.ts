/**
 * Where a partition key value lives. Cosmos DB hashes the partition key value and gives each physical partition a
 * contiguous range of the hash space, so the items of one logical partition always share a physical partition
 * (https://learn.microsoft.com/azure/cosmos-db/partitioning-overview#physical-partitions; the ranges are the
 * minInclusive/maxExclusive of /pkranges). The service hashes with MurmurHash3 (the SDK's utils/hashing); the layer
 * uses its 32-bit x86 variant over the canonical JSON of the value: the same spreading, not the same bits.
 */

/** MurmurHash3_x86_32 of the UTF-8 bytes of `text`. */
export function murmurHash3(text: string, seed = 0): number {
  const bytes = Buffer.from(text, 'utf8');
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length - (bytes.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2] << 16;
    if (tail >= 2) k ^= bytes[blocks + 1] << 8;
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The physical partition (0-based) of `partitions` equal hash ranges that owns the canonical key value. */
export function physicalPartitionOf(canonicalKey: string, partitions: number): number {
  if (partitions <= 1) return 0;
  return Math.min(partitions - 1, Math.floor((murmurHash3(canonicalKey) / 2 ** 32) * partitions));
}
