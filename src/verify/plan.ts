import { S3Client } from '@aws-sdk/client-s3';
import { Container } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { readExportManifest } from '../export/read-export';
import { rawCopyPath } from '../lake/paths';
import { bucketCountFor } from './buckets';
import { readJson, writeJson } from './lake-json';
import { planPath } from './paths';
import { ExpectedUnit, PlanSummary, VerifyInput, VerifyPlan } from './types';

/**
 * Plans a verification run: every data file of the exports, in apply order (each export's manifest names its
 * files; the files themselves are read from their lake copies, as the loads read them), the container's feed
 * ranges, and the bucket count for the number of records. The plan goes to the lake, since a table's files can be
 * too many for the orchestration's history; the orchestrator only gets the counts.
 */
export async function planVerification(input: {
  s3: S3Client;
  lake: ContainerClient;
  container: Container;
  run: string;
  verify: VerifyInput;
  /** Overrides the bucket size (tests). */
  bucketSize?: number;
}): Promise<PlanSummary> {
  const expectedUnits: ExpectedUnit[] = [];
  for (const [seq, exported] of input.verify.exports.entries()) {
    const manifest = await readExportManifest(input.s3, exported.bucket, exported.exportPrefix);
    const incremental = manifest.summary.exportType === 'INCREMENTAL_EXPORT';
    for (const file of manifest.files) {
      expectedUnits.push({
        seq,
        fileIndex: file.index,
        key: file.key,
        lakePath: rawCopyPath(exported.bucket, file.key),
        itemCount: file.itemCount,
        incremental,
      });
    }
  }
  const ranges = (await input.container.getFeedRanges()).map((r) => ({
    minInclusive: r.minInclusive,
    maxExclusive: r.maxExclusive,
  }));
  const expectedRecords = expectedUnits.reduce((sum, unit) => sum + unit.itemCount, 0);
  const plan: VerifyPlan = {
    run: input.run,
    input: input.verify,
    buckets: bucketCountFor(expectedRecords, input.bucketSize),
    expectedUnits,
    ranges,
    containerRead: ranges.length === 1 ? 'query' : 'change-feed',
  };
  await input.lake.createIfNotExists();
  await writeJson(input.lake, planPath(input.run), plan);
  return {
    run: input.run,
    buckets: plan.buckets,
    expectedUnits: expectedUnits.length,
    ranges: ranges.length,
    expectedRecords,
  };
}

const plans = new Map<string, Promise<VerifyPlan>>();

/** The plan of a run, read once per process (activities of one run each need it; it never changes). */
export function readPlan(lake: ContainerClient, run: string): Promise<VerifyPlan> {
  let plan = plans.get(run);
  if (!plan) {
    plan = readJson<VerifyPlan>(lake, planPath(run));
    plan.catch(() => plans.delete(run));
    if (plans.size > 8) plans.delete(plans.keys().next().value as string);
    plans.set(run, plan);
  }
  return plan;
}
