import { murmurHash3, physicalPartitionOf } from '../../../tools/localstack/strict-cosmos/hash';

describe('partition hashing', () => {
  test('MurmurHash3 x86 32-bit matches the reference vectors', () => {
    expect(murmurHash3('')).toBe(0);
    expect(murmurHash3('hello')).toBe(0x248bfa47);
    expect(murmurHash3('hello', 1)).toBe(0xbb4abcad);
    expect(murmurHash3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    expect(murmurHash3('héllo')).not.toBe(murmurHash3('hello'));
  });

  test('a key always lands on the same partition, inside the range', () => {
    for (const key of ['["a"]', '["b"]', '[1]', '[{}]', '["t1","u1"]']) {
      const partition = physicalPartitionOf(key, 5);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(5);
      expect(physicalPartitionOf(key, 5)).toBe(partition);
    }
    expect(physicalPartitionOf('["a"]', 1)).toBe(0);
  });

  test('many keys spread evenly over the partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[physicalPartitionOf(`["customer-${i}"]`, 4)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
