import { readBucketOfUnit, SpillWriter } from '../../../src/verify/spill';
import { fakeLake } from './fake-lake';

describe('spills', () => {
  test('a bucket reads back exactly its lines, across several spills, and nothing of the others', async () => {
    const { lake, blobs } = fakeLake();
    const writer = new SpillWriter(lake, 'run/expected/000001', 5, 200);
    const written: string[][] = Array.from({ length: 5 }, () => []);
    for (let i = 0; i < 300; i++) {
      const line = JSON.stringify([`id-${i}`, 'é ✓', i]);
      written[i % 5].push(line);
      await writer.add(i % 5, line);
    }
    await writer.close();
    expect([...blobs.keys()].filter((name) => name.endsWith('.dat')).length).toBeGreaterThan(10);
    for (let b = 0; b < 5; b++) expect(await readBucketOfUnit(lake, 'run/expected/000001', b)).toEqual(written[b]);
  });

  test('a unit without done.json has not finished and is not read', async () => {
    const { lake } = fakeLake();
    const writer = new SpillWriter(lake, 'run/actual/000000', 2, 10);
    await writer.add(0, 'x'.repeat(20));
    await expect(readBucketOfUnit(lake, 'run/actual/000000', 0)).rejects.toThrow(/not been written completely/);
  });

  test('an empty unit reads as empty buckets', async () => {
    const { lake } = fakeLake();
    const writer = new SpillWriter(lake, 'run/actual/000000', 3);
    await writer.close();
    expect(await readBucketOfUnit(lake, 'run/actual/000000', 2)).toEqual([]);
  });
});
