import { Container } from '@azure/cosmos';
import { RuBudget } from '../cosmos/ru-budget';
import { isTransientStatus, retryAfterOf, statusOf } from '../cosmos/status';
import { MigrationError } from '../errors';
import { BackoffPolicy, DEFAULT_BACKOFF, nextDelay, sleep } from '../retry/backoff';
import type { ItemCounts } from './counts';

/** What the container holds against what the export says it should: the report's `validation.container`. */
export interface ContainerCheck {
  /**
   * Documents the container should hold after this export. Absent when it cannot be known: an incremental export
   * applied outside a synced table (or before its ledger had a count) changes a container whose count before it
   * no one recorded.
   */
  expected?: number;
  /**
   * The bounds of `expected` when loads resumed after an interruption: a line sent again that found its document
   * (or found none to delete) may have been the interrupted attempt's own change. Absent when `expected` is exact.
   */
  expectedAtLeast?: number;
  expectedAtMost?: number;
  /**
   * Documents the container holds: `SELECT VALUE COUNT(1) FROM c`, read after the last load. Absent when the service
   * refused the count (an identity without read access, a container deleted meanwhile): `detail` says why.
   */
  actual?: number;
  /** `actual` is `expected` (or within its bounds); true when there is no expected count to compare with. */
  reconciled: boolean;
  detail: string;
  /** What counting the documents cost. */
  requestCharge: number;
}

export interface ExpectedDocuments {
  expected: number;
  atLeast: number;
  atMost: number;
  /** How `expected` was worked out, for the detail line. */
  basis: string;
}

/**
 * What the container should hold after an export. A full export is the whole table: every document it wrote
 * (created or replaced), and nothing else, so a document that was in the container before and is not in the table
 * is unexpected. An incremental export changes what was there: the count before it (the table's ledger), plus
 * the documents it created, minus those its deletes removed.
 */
export function expectedDocuments(
  counts: ItemCounts,
  incremental: boolean,
  before: number | undefined,
): ExpectedDocuments | undefined {
  if (!incremental) {
    return {
      expected: counts.written,
      atLeast: counts.written,
      atMost: counts.written,
      basis: `a full export: the ${counts.written} documents it wrote`,
    };
  }
  if (before === undefined || counts.created === undefined || counts.deletedPresent === undefined) return undefined;
  const expected = before + counts.created - counts.deletedPresent;
  return {
    expected,
    atLeast: expected - (counts.absentOnResend ?? 0),
    atMost: expected + (counts.replacedOnResend ?? 0),
    basis: `${before} before + ${counts.created} created - ${counts.deletedPresent} deleted`,
  };
}

/** Compares the container's count with what it should be; `actual` outside the bounds fails, naming both numbers. */
export function reconcileContainer(
  expected: ExpectedDocuments | undefined,
  actual: number,
  requestCharge: number,
): ContainerCheck {
  if (!expected) {
    return {
      actual,
      reconciled: true,
      detail: `the container holds ${actual} documents; not compared: the count before this incremental export is not known (it is, for a synced table's exports)`,
      requestCharge,
    };
  }
  const exact = expected.atLeast === expected.atMost;
  const bounds = exact
    ? {}
    : {
        expectedAtLeast: expected.atLeast,
        expectedAtMost: expected.atMost,
      };
  const range = exact
    ? `${expected.expected}`
    : `${expected.expected} (between ${expected.atLeast} and ${expected.atMost}: loads that resumed sent lines again)`;
  const reconciled = actual >= expected.atLeast && actual <= expected.atMost;
  const difference = actual > expected.atMost ? actual - expected.atMost : expected.atLeast - actual;
  const detail = reconciled
    ? `the container holds ${actual} documents, as expected (${expected.basis})`
    : `the container holds ${actual} documents but ${range} were expected (${expected.basis}): ${difference} ${actual > expected.atMost ? 'more' : 'fewer'}`;
  return { expected: expected.expected, ...bounds, actual, reconciled, detail, requestCharge };
}

/**
 * Counts the container and reconciles the count with `expected`. A count the service refuses for good (401, 403,
 * 404) does not reconcile, and the report says why; throttling and transient failures are thrown, so the
 * activity is retried.
 */
export async function checkContainer(
  container: Container,
  expected: ExpectedDocuments | undefined,
  budget?: RuBudget,
): Promise<ContainerCheck> {
  let counted: { count: number; requestCharge: number };
  try {
    counted = await countDocuments(container, budget);
  } catch (error) {
    const status = statusOf(error);
    if (isTransientStatus(status)) throw error;
    const message = String((error as Error | undefined)?.message ?? '')
      .split('\n')[0]
      .slice(0, 300);
    return {
      ...(expected ? { expected: expected.expected } : {}),
      reconciled: false,
      detail: `the documents of ${container.database.id}/${container.id} could not be counted (HTTP ${status}${message ? `: ${message}` : ''})`,
      requestCharge: 0,
    };
  }
  return reconcileContainer(expected, counted.count, counted.requestCharge);
}

/** A count query page is estimated at this many RU before one has been charged. */
const INITIAL_PAGE_RU = 10;

/**
 * The container's documents, `SELECT VALUE COUNT(1) FROM c`, page by page so each page waits for its share of
 * the migration's RU budget (the estimate is the last page's charge). Cosmos DB may split any query, aggregates
 * included, into several pages, some of them empty (docs/azure-fidelity.md), so every page is read and the values
 * of all pages are summed: the SDK aggregates across partitions and hands back each partial value once. A count
 * that fails on a throttled or transient answer the SDK did not get past starts over (an iterator that failed is
 * not resumed), with backoff.
 */
export async function countDocuments(
  container: Container,
  budget?: RuBudget,
  backoff: BackoffPolicy = DEFAULT_BACKOFF,
): Promise<{ count: number; requestCharge: number }> {
  const startedAt = Date.now();
  let requestCharge = 0;
  let estimate = INITIAL_PAGE_RU;
  for (let attempt = 1; ; attempt++) {
    const query = container.items.query<number>('SELECT VALUE COUNT(1) FROM c');
    let count = 0;
    try {
      while (query.hasMoreResults()) {
        const reserved = budget ? await budget.acquire(estimate) : 0;
        let charge = 0;
        try {
          const page = await query.fetchNext();
          charge = page.requestCharge ?? 0;
          for (const value of page.resources ?? []) count += value;
        } finally {
          budget?.settle(reserved, charge);
          requestCharge += charge;
          if (charge > 0) estimate = charge;
        }
      }
      return { count, requestCharge: Math.round(requestCharge * 100) / 100 };
    } catch (error) {
      if (!isTransientStatus(statusOf(error))) throw error;
      const delay = nextDelay(attempt, backoff, startedAt, retryAfterOf(error));
      if (delay === undefined) {
        throw new MigrationError(
          'RETRIES_EXHAUSTED',
          `counting the documents of ${container.database.id}/${container.id}: Cosmos DB kept throttling or failing (${attempt} attempts)`,
        );
      }
      await sleep(delay);
    }
  }
}
