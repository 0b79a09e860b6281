import { Container } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { RuBudget } from '../cosmos/ru-budget';
import { MappingOptions } from '../mapping';
import { compareDocuments } from '../validation/compare';
import { BucketDiff, diffBucket } from './diff';
import { expectedDocumentsAt } from './expected-side';
import { writeJson } from './lake-json';
import { bucketResultPath } from './paths';
import { ActualRecord, applyInOrder, ExpectedRecord, parseActualLine, parseExpectedLine } from './records';
import { readBucketOfUnit, unitFolder } from './spill';
import { BucketResult, DifferingDocument, DocumentRef, LIST_CAP, VerifyPlan } from './types';

/** Differences named per differing document. */
const DIFFERENCES_PER_DOCUMENT = 20;

/** How a document is named in the report: its id, with its partition key unless that is the id itself (`/id`). */
export function documentRef(id: string, pk: string, paths: readonly string[]): DocumentRef {
  if (paths.length === 1 && paths[0] === '/id') return { id };
  return { id, partitionKey: JSON.parse(pk) as unknown };
}

export function mappingOf(plan: VerifyPlan): MappingOptions {
  const { keySchema, numberMode, target } = plan.input;
  return { keySchema, numberMode, partitionKeyPaths: target.partitionKeyPaths };
}

/**
 * Names the attributes that differ: each expected document read again from its export line (one pass per file
 * for all of the bucket's), the container's point-read (within the RU budget) and compared as validation does.
 */
async function drillDown(
  input: { lake: ContainerClient; container: Container; plan: VerifyPlan; budget: RuBudget },
  differing: BucketDiff['differing'],
): Promise<{ documents: DifferingDocument[]; requestCharge: number }> {
  const mapping = mappingOf(input.plan);
  const paths = input.plan.input.target.partitionKeyPaths;
  const byUnit = new Map<number, Set<number>>();
  const unitIndex = (r: ExpectedRecord): number =>
    input.plan.expectedUnits.findIndex((u) => u.seq === r.seq && u.fileIndex === r.fileIndex);
  for (const { expected } of differing) {
    const unit = unitIndex(expected);
    byUnit.set(unit, (byUnit.get(unit) ?? new Set()).add(expected.line));
  }
  const expectedDocs = new Map<string, Record<string, unknown>>();
  for (const [unit, lines] of byUnit) {
    const found = await expectedDocumentsAt(input.lake, input.plan.expectedUnits[unit], lines, mapping);
    for (const [line, document] of found) expectedDocs.set(`${unit}:${line}`, document);
  }
  let requestCharge = 0;
  const documents: DifferingDocument[] = [];
  for (const { expected, actual } of differing) {
    const ref = documentRef(expected.id, expected.pk, paths);
    const wanted = expectedDocs.get(`${unitIndex(expected)}:${expected.line}`);
    const reserved = await input.budget.acquire(2);
    const read = await input.container.item(actual.id, JSON.parse(actual.pk) as never).read<Record<string, unknown>>();
    input.budget.settle(reserved, read.requestCharge ?? 0);
    requestCharge += read.requestCharge ?? 0;
    const differences =
      wanted && read.resource
        ? compareDocuments(wanted, read.resource, DIFFERENCES_PER_DOCUMENT)
        : [
            {
              path: '',
              expected: wanted ? 'document' : 'unreadable export line',
              actual: read.resource ? 'document' : 'gone',
            },
          ];
    documents.push({ ...ref, differences });
  }
  return { documents, requestCharge };
}

/**
 * Checks one bucket: the expected side's records from every data file, applied in order, against the container
 * side's records from every feed range (diff.ts); only a bucket whose digests differ is compared key by key and,
 * for differing documents, attribute by attribute. The result (counts complete, lists capped) goes to the lake.
 */
export async function checkBucket(input: {
  lake: ContainerClient;
  container: Container;
  plan: VerifyPlan;
  bucket: number;
  budget: RuBudget;
}): Promise<BucketResult> {
  const { plan, bucket } = input;
  const expected: ExpectedRecord[] = [];
  for (let u = 0; u < plan.expectedUnits.length; u++)
    for (const line of await readBucketOfUnit(input.lake, unitFolder(plan.run, 'expected', u), bucket))
      expected.push(parseExpectedLine(line));
  const actual: ActualRecord[] = [];
  for (let r = 0; r < plan.ranges.length; r++)
    for (const line of await readBucketOfUnit(input.lake, unitFolder(plan.run, 'actual', r), bucket))
      actual.push(parseActualLine(line));

  const diff = diffBucket(applyInOrder(expected), actual, plan.input.scope, LIST_CAP);
  const paths = plan.input.target.partitionKeyPaths;
  const drilled =
    diff.differing.length > 0 ? await drillDown(input, diff.differing) : { documents: [], requestCharge: 0 };
  const result: BucketResult = {
    bucket,
    expected: diff.expected,
    actual: diff.actual,
    matched: diff.matched,
    missingCount: diff.missingCount,
    unexpectedCount: diff.unexpectedCount,
    differingCount: diff.differingCount,
    digestsMatched: diff.digestsMatched,
    missing: diff.missing.map((r) => documentRef(r.id, r.pk, paths)),
    unexpected: diff.unexpected.map((r) => documentRef(r.id, r.pk, paths)),
    differing: drilled.documents,
    requestCharge: drilled.requestCharge,
  };
  await writeJson(input.lake, bucketResultPath(plan.run, bucket), result);
  return result;
}
