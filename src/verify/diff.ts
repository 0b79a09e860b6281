import { documentKey } from './buckets';
import { SetDigest } from './digest';
import { ActualRecord, ExpectedRecord } from './records';
import { VerificationCounts, VerifyScope } from './types';

export interface BucketDiff extends VerificationCounts {
  digestsMatched: boolean;
  /** The first `cap` of each kind, in key order (so a re-run reports the same ones). */
  missing: ExpectedRecord[];
  unexpected: ActualRecord[];
  differing: { expected: ExpectedRecord; actual: ActualRecord }[];
}

/**
 * Compares a bucket's expected state (applyInOrder) with its documents in the container. First the digests of
 * both sides: equal digests mean equal sets, and nothing is compared one by one. Otherwise each key: expected
 * and absent is missing, present and not expected (or expected deleted) is unexpected, present with another
 * content hash is differing. With scope `export-keys`, documents whose key the exports never touched are not
 * this verification's concern and are left out of both sides.
 */
export function diffBucket(
  expectedState: Map<string, ExpectedRecord>,
  actual: ActualRecord[],
  scope: VerifyScope,
  cap: number,
): BucketDiff {
  const actualByKey = new Map<string, ActualRecord>();
  for (const record of actual) {
    const key = documentKey(record.id, record.pk);
    if (scope === 'export-keys' && !expectedState.has(key)) continue;
    actualByKey.set(key, record);
  }
  const expectedDigest = new SetDigest();
  for (const [key, record] of expectedState) if (record.op === 'put') expectedDigest.add(key, record.hash);
  const actualDigest = new SetDigest();
  for (const [key, record] of actualByKey) actualDigest.add(key, record.hash);

  const diff: BucketDiff = {
    expected: expectedDigest.count,
    actual: actualDigest.count,
    matched: 0,
    missingCount: 0,
    unexpectedCount: 0,
    differingCount: 0,
    digestsMatched: expectedDigest.equals(actualDigest),
    missing: [],
    unexpected: [],
    differing: [],
  };
  if (diff.digestsMatched) {
    diff.matched = diff.expected;
    return diff;
  }
  for (const key of [...expectedState.keys()].sort()) {
    const expected = expectedState.get(key) as ExpectedRecord;
    const found = actualByKey.get(key);
    if (expected.op === 'delete') continue;
    if (!found) {
      diff.missingCount++;
      if (diff.missing.length < cap) diff.missing.push(expected);
    } else if (found.hash !== expected.hash) {
      diff.differingCount++;
      if (diff.differing.length < cap) diff.differing.push({ expected, actual: found });
    } else {
      diff.matched++;
    }
  }
  for (const key of [...actualByKey.keys()].sort()) {
    if (expectedState.get(key)?.op === 'put') continue;
    diff.unexpectedCount++;
    if (diff.unexpected.length < cap) diff.unexpected.push(actualByKey.get(key) as ActualRecord);
  }
  return diff;
}
