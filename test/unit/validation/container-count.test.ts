/**
 * What the container should hold after an export (a full export: what it wrote; an incremental one: the count
 * before, plus creates, minus removals, within bounds after resumed loads), the reconciliation that names both
 * numbers, and the count query read page by page within an RU budget.
 */
import type { Container } from '@azure/cosmos';
import { RuBudget } from '../../../src/cosmos/ru-budget';
import {
  checkContainer,
  countDocuments,
  expectedDocuments,
  reconcileContainer,
} from '../../../src/validation/container-count';
import type { ItemCounts } from '../../../src/validation/counts';

function counts(extra: Partial<ItemCounts> = {}): ItemCounts {
  return { expected: 10, read: 10, written: 8, deleted: 2, deadLettered: 0, inFailedFiles: 0, ...extra };
}

const split = { created: 5, replaced: 3, deletedPresent: 1, deletedAbsent: 1 };

describe('expectedDocuments', () => {
  test('a full export expects exactly the documents it wrote, whatever was there before', () => {
    expect(expectedDocuments(counts({ deleted: 0, ...split }), false, 100)).toMatchObject({
      expected: 8,
      atLeast: 8,
      atMost: 8,
    });
  });

  test('an incremental export: before + created - deleted present', () => {
    expect(expectedDocuments(counts(split), true, 100)).toMatchObject({ expected: 104, atLeast: 104, atMost: 104 });
  });

  test('resent lines widen the bounds in their own direction', () => {
    const resent = { ...split, replacedOnResend: 2, absentOnResend: 1 };
    expect(expectedDocuments(counts(resent), true, 100)).toMatchObject({ expected: 104, atLeast: 103, atMost: 106 });
  });

  test('no count before, or loads that did not split their writes: unknown', () => {
    expect(expectedDocuments(counts(split), true, undefined)).toBeUndefined();
    expect(expectedDocuments(counts(), true, 100)).toBeUndefined();
  });
});

describe('reconcileContainer', () => {
  const exact = { expected: 8, atLeast: 8, atMost: 8, basis: 'b' };

  test('equal counts reconcile', () => {
    expect(reconcileContainer(exact, 8, 3)).toEqual({
      expected: 8,
      actual: 8,
      reconciled: true,
      detail: 'the container holds 8 documents, as expected (b)',
      requestCharge: 3,
    });
  });

  test('one more or one fewer fails, naming both numbers', () => {
    expect(reconcileContainer(exact, 9, 1)).toMatchObject({
      reconciled: false,
      detail: 'the container holds 9 documents but 8 were expected (b): 1 more',
    });
    expect(reconcileContainer(exact, 7, 1).detail).toBe(
      'the container holds 7 documents but 8 were expected (b): 1 fewer',
    );
  });

  test('bounds: inside reconciles, outside fails, and both are reported', () => {
    const wide = { expected: 104, atLeast: 103, atMost: 106, basis: 'b' };
    expect(reconcileContainer(wide, 106, 1)).toMatchObject({
      reconciled: true,
      expected: 104,
      expectedAtLeast: 103,
      expectedAtMost: 106,
    });
    expect(reconcileContainer(wide, 107, 1).detail).toContain('107 documents but 104 (between 103 and 106');
    expect(reconcileContainer(wide, 102, 1).reconciled).toBe(false);
  });

  test('nothing to compare with: the count is reported, not judged', () => {
    const check = reconcileContainer(undefined, 5, 1);
    expect(check).toMatchObject({ actual: 5, reconciled: true });
    expect(check.expected).toBeUndefined();
  });
});

/** A container whose count query answers `pages` (a page that is an Error is thrown), one query per call. */
function pagedContainer(runs: (number[] | Error)[][]): { container: Container; queries: number } {
  const state = { queries: 0 };
  const container = {
    id: 'c',
    database: { id: 'd' },
    items: {
      query: () => {
        const pages = runs[state.queries++];
        let next = 0;
        return {
          hasMoreResults: () => next < pages.length,
          fetchNext: async () => {
            const page = pages[next++];
            if (page instanceof Error) throw page;
            return { resources: page, requestCharge: 4 };
          },
        };
      },
    },
  } as unknown as Container;
  return {
    container,
    get queries() {
      return state.queries;
    },
  };
}

describe('countDocuments', () => {
  test('sums every page, empty ones included, and charges each to the budget', async () => {
    const { container } = pagedContainer([[[], [3], [], [4]]]);
    const budget = new RuBudget(Infinity);
    expect(await countDocuments(container, budget)).toEqual({ count: 7, requestCharge: 16 });
    expect(budget.charged).toBe(16);
  });

  test('waits for the budget before each page', async () => {
    const { container } = pagedContainer([[[1], [1], [1]]]);
    const budget = new RuBudget(40);
    const acquired: number[] = [];
    const acquire = budget.acquire.bind(budget);
    budget.acquire = (estimate: number, holder?: unknown) => {
      acquired.push(estimate);
      return acquire(estimate, holder);
    };
    expect((await countDocuments(container, budget)).count).toBe(3);
    // The first page is estimated, the others at the last page's charge.
    expect(acquired).toEqual([10, 4, 4]);
  });

  test('a throttled page starts the count over, and the partial count is not kept', async () => {
    const throttled = Object.assign(new Error('429'), { code: 429 });
    const source = pagedContainer([
      [[5], throttled],
      [[5], [2]],
    ]);
    const result = await countDocuments(source.container, undefined, { initialMs: 1, maxMs: 1, maxAttempts: 3 });
    expect(result.count).toBe(7);
    expect(source.queries).toBe(2);
  });

  test('a refusal is thrown at once', async () => {
    const denied = Object.assign(new Error('403'), { code: 403 });
    const source = pagedContainer([[denied]]);
    await expect(countDocuments(source.container)).rejects.toThrow('403');
    expect(source.queries).toBe(1);
  });
});

describe('checkContainer', () => {
  const exact = { expected: 8, atLeast: 8, atMost: 8, basis: 'b' };

  test('counts and reconciles', async () => {
    const { container } = pagedContainer([[[8]]]);
    expect(await checkContainer(container, exact)).toMatchObject({ expected: 8, actual: 8, reconciled: true });
  });

  test('a count the service refuses for good does not reconcile and says why, without a stack', async () => {
    const denied = Object.assign(new Error('Request blocked by Auth\n    at somewhere (file.js:1:1)'), { code: 403 });
    const { container } = pagedContainer([[denied]]);
    const check = await checkContainer(container, exact);
    expect(check).toEqual({
      expected: 8,
      reconciled: false,
      detail: 'the documents of d/c could not be counted (HTTP 403: Request blocked by Auth)',
      requestCharge: 0,
    });
  });

  test('a transient failure is thrown, so the activity is retried', async () => {
    const unavailable = Object.assign(new Error('503'), { code: 503 });
    const runs = Array.from({ length: 3 }, () => [unavailable]);
    const { container } = pagedContainer(runs);
    await expect(countDocuments(container, undefined, { initialMs: 1, maxMs: 1, maxAttempts: 3 })).rejects.toThrow(
      'RETRIES_EXHAUSTED',
    );
  });
});
