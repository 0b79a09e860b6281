/**
 * Item 8 of issue 14: the report's counts must agree with the container. A file that fails after loading part
 * of it (CORRUPT_GZIP, FILE_POISONED) comes back with what it loaded, and the totals count it.
 */
import { addOutcomes, newProgress } from '../../../orchestrators/progress';
import type { LoadFileResult } from '../../../src/load/load-file';
import { newMappingStats } from '../../../src/mapping';

const load = (written: number, deadLettered = 0, complete = true): LoadFileResult => ({
  fileIndex: 0,
  linesRead: written + deadLettered,
  written,
  deleted: 0,
  deadLettered,
  requestCharge: written,
  retries: 0,
  stats: newMappingStats(),
  sampled: complete ? 1 : 0,
  complete,
});

test('a failed file counts what it had loaded; it stays failed and out of the sample', () => {
  const progress = addOutcomes(newProgress(3, 3000), [
    { index: 0, key: 'data/a.json.gz', itemCount: 1000, load: load(1000) },
    {
      index: 1,
      key: 'data/b.json.gz',
      itemCount: 1000,
      error: { code: 'CORRUPT_GZIP', message: '[CORRUPT_GZIP] data/b.json.gz: gzip data is truncated after line 1001' },
      load: load(1000, 1, false),
    },
    {
      index: 2,
      key: 'data/c.json.gz',
      itemCount: 1000,
      error: { code: 'DATA_FILE_MISSING', message: '[DATA_FILE_MISSING] data/c.json.gz is missing' },
    },
  ]);
  expect(progress.files).toMatchObject({ total: 3, loaded: 1, failed: 2 });
  expect(progress.items).toEqual({
    expected: 3000,
    read: 2001,
    written: 2000,
    deleted: 0,
    deadLettered: 1,
    inFailedFiles: 2000,
  });
  expect(progress.requestCharge).toBe(2000);
  expect(progress.sampleFileIndexes).toEqual([0]);
  expect(progress.failures.map((f) => f.code)).toEqual(['CORRUPT_GZIP', 'DATA_FILE_MISSING']);
});
