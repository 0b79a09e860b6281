import { ChangeFeedStartFrom, Container, FeedRange, ItemDefinition, StatusCodes } from '@azure/cosmos';
import { ContainerClient } from '@azure/storage-blob';
import { RuBudget } from '../cosmos/ru-budget';
import { DEFAULT_BACKOFF, retrying } from '../retry/backoff';
import { parsePartitionKeyPath } from '../mapping';
import { bucketOf, documentKey } from './buckets';
import { contentHash } from './canonical';
import { actualLine } from './records';
import { SpillWriter } from './spill';
import { RangeUnit, UnitTotals, VerifyPlan } from './types';

/** Documents per page of the container read: a page of typical documents costs tens of RUs. */
const PAGE_SIZE = 1000;

/** The partition key value a document holds at the container's paths, as JSON (`{}`: none, Cosmos's "None"). */
export function partitionKeyJsonOf(document: Record<string, unknown>, paths: readonly string[]): string {
  const values = paths.map((path) => {
    let value: unknown = document;
    for (const segment of parsePartitionKeyPath(path) ?? []) {
      value =
        value !== null && typeof value === 'object' && Object.hasOwn(value, segment)
          ? (value as Record<string, unknown>)[segment]
          : undefined;
    }
    return value;
  });
  if (values.some((value) => value === undefined)) return '{}';
  return JSON.stringify(paths.length === 1 ? values[0] : values);
}

/** Faults a second try may get past: the SDK's request timeout, throttling, a busy or unreachable service. */
export function isTransientRead(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (
    name === 'TimeoutError' ||
    code === 408 ||
    code === 429 ||
    code === 503 ||
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'ETIMEDOUT'
  );
}

interface Page {
  documents: Record<string, unknown>[];
  charge: number;
  more: boolean;
}

/**
 * Pages of one feed range. With one feed range (a small container, and the local Cosmos server, whose change feed
 * stops after its first page) the container's read feed reads it all; with several, each range's change feed from
 * the beginning (latest version mode: every document once, as it is now; deletes do not appear) is the SDK's way
 * of reading one range of a container, since queries cannot be given a feed range in @azure/cosmos 4.
 */
async function* pagesOf(container: Container, plan: VerifyPlan, range: RangeUnit): AsyncGenerator<Page> {
  if (plan.containerRead === 'query') {
    // The read feed: every document, paged, and no query plan to fetch first (a query needs one per call).
    let continuationToken: string | undefined;
    for (;;) {
      // A page that timed out or met a transient fault is asked for again from the last continuation, rather
      // than the whole range read again by the activity's retry.
      const page = await retrying(
        () =>
          container.items
            .readAll<Record<string, unknown> & ItemDefinition>({ maxItemCount: PAGE_SIZE, continuationToken })
            .fetchNext(),
        { isTransient: isTransientRead, policy: { ...DEFAULT_BACKOFF, maxAttempts: 5 } },
      );
      continuationToken = page.continuationToken;
      yield { documents: page.resources ?? [], charge: page.requestCharge ?? 0, more: Boolean(continuationToken) };
      if (!continuationToken) return;
    }
  }
  const ranges = await container.getFeedRanges();
  const feedRange = ranges.find(
    (r: FeedRange) => r.minInclusive === range.minInclusive && r.maxExclusive === range.maxExclusive,
  );
  if (!feedRange) throw new Error(`feed range [${range.minInclusive}, ${range.maxExclusive}) changed; retry`);
  const feed = container.items.getChangeFeedIterator<Record<string, unknown>>({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning(feedRange),
    maxItemCount: PAGE_SIZE,
  });
  while (feed.hasMoreResults) {
    const page = await feed.readNext();
    const done = page.statusCode === StatusCodes.NotModified;
    yield { documents: done ? [] : page.result, charge: page.requestCharge ?? 0, more: !done };
    if (done) return;
  }
}

/**
 * The container side of one feed range: every document's key and content hash to its bucket's spill, paced by
 * the RU budget (each page reserves what the last one cost, the first a small probe), so the live application
 * keeps its share of the throughput.
 */
export async function writeContainerRange(input: {
  lake: ContainerClient;
  container: Container;
  plan: VerifyPlan;
  range: RangeUnit;
  folder: string;
  budget: RuBudget;
}): Promise<UnitTotals> {
  const spill = new SpillWriter(input.lake, input.folder, input.plan.buckets);
  const paths = input.plan.input.target.partitionKeyPaths;
  let estimate = 5;
  let requestCharge = 0;
  const pages = pagesOf(input.container, input.plan, input.range);
  for (;;) {
    const reserved = await input.budget.acquire(estimate);
    const next = await pages.next();
    if (next.done) {
      input.budget.settle(reserved, 0);
      break;
    }
    const page = next.value;
    input.budget.settle(reserved, page.charge);
    requestCharge += page.charge;
    estimate = Math.max(1, page.charge);
    for (const document of page.documents) {
      const id = String(document.id);
      const pk = partitionKeyJsonOf(document, paths);
      const line = actualLine({ id, pk, hash: contentHash(document) });
      await spill.add(bucketOf(documentKey(id, pk), input.plan.buckets), line);
    }
    if (!page.more) break;
  }
  await spill.close();
  return { records: spill.records, unmappable: 0, requestCharge };
}
