import { mergeDiscovered, planSync } from '../../../src/sync/plan';
import { DiscoveredExport, emptyLedger, Ledger, LedgerEntry } from '../../../src/sync/types';

const NOW = '2026-02-01T00:00:00.000Z';
const TABLE = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';

function full(id: string, exportTime: string, tableArn = TABLE): DiscoveredExport {
  return {
    exportId: id,
    exportPrefix: `p/AWSDynamoDB/${id}`,
    exportType: 'FULL_EXPORT',
    tableArn,
    exportTime,
    itemCount: 10,
  };
}

function incr(id: string, fromTime: string, toTime: string, tableArn = TABLE): DiscoveredExport {
  return {
    exportId: id,
    exportPrefix: `p/AWSDynamoDB/${id}`,
    exportType: 'INCREMENTAL_EXPORT',
    tableArn,
    fromTime,
    toTime,
    itemCount: 3,
  };
}

const T = (hour: number): string => `2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** A ledger where the given exports are already applied. */
function applied(...exports: DiscoveredExport[]): Ledger {
  const ledger = mergeDiscovered(emptyLedger('Orders', NOW), exports, NOW);
  for (const e of ledger.exports) e.state = 'applied';
  return ledger;
}

function states(ledger: Ledger): Record<string, LedgerEntry['state']> {
  return Object.fromEntries(ledger.exports.map((e) => [e.exportId, e.state]));
}

describe('planSync', () => {
  test('nothing exported yet: waits', () => {
    const plan = planSync(emptyLedger('Orders', NOW), [], false, NOW);
    expect(plan.next).toBeUndefined();
    expect(plan.ledger.status).toEqual({
      state: 'waiting',
      reason: 'no completed export found under the prefix yet',
      at: NOW,
    });
  });

  test('only incrementals: waits for a full export, saying so', () => {
    const plan = planSync(emptyLedger('Orders', NOW), [incr('i1', T(0), T(1))], false, NOW);
    expect(plan.next).toBeUndefined();
    expect(plan.ledger.status.state).toBe('waiting');
    expect(plan.ledger.status.reason).toMatch(/no full export found/);
  });

  test('the latest full export is the base; older ones are skipped', () => {
    const plan = planSync(
      emptyLedger('Orders', NOW),
      [full('f2', T(5)), full('f1', T(1)), incr('i1', T(5), T(6))],
      false,
      NOW,
    );
    expect(plan.next?.exportId).toBe('f2');
    expect(states(plan.ledger)).toEqual({ f1: 'skipped', f2: 'pending', i1: 'pending' });
    expect(plan.ledger.status.state).toBe('syncing');
  });

  test.each([
    ['contiguous window', incr('i1', T(1), T(2)), 'i1', undefined],
    ['window overlapping the point reached', incr('i1', T(0), T(2)), 'i1', undefined],
  ])('after the base, a %s is applied', (_name, next, expected, warning) => {
    const plan = planSync(applied(full('f1', T(1))), [next], false, NOW);
    expect(plan.next?.exportId).toBe(expected);
    expect(plan.next?.warning).toBe(warning);
    expect(plan.ledger.reachedTime).toBe(T(1));
  });

  test('incrementals apply in window order, whatever order they were found in', () => {
    const base = applied(full('f1', T(1)));
    const found = [incr('i3', T(3), T(4)), incr('i1', T(1), T(2)), incr('i2', T(2), T(3))];
    expect(planSync(base, found, false, NOW).next?.exportId).toBe('i1');
    const afterFirst = applied(full('f1', T(1)), incr('i1', T(1), T(2)));
    const plan = planSync(afterFirst, found, false, NOW);
    expect(plan.next?.exportId).toBe('i2');
    expect(plan.ledger.reachedTime).toBe(T(2));
  });

  test('an incremental ending at or before the point reached is skipped, never applied', () => {
    const plan = planSync(
      applied(full('f1', T(3))),
      [incr('old', T(1), T(2)), incr('edge', T(2), T(3)), incr('i1', T(3), T(4))],
      false,
      NOW,
    );
    expect(plan.next?.exportId).toBe('i1');
    expect(states(plan.ledger)).toMatchObject({ old: 'skipped', edge: 'skipped' });
    expect(plan.ledger.exports.find((e) => e.exportId === 'old')?.reason).toMatch(
      /ends at .* not after .* the point already applied/,
    );
  });

  test('a gap stops the table with a reason naming the missing window', () => {
    const plan = planSync(applied(full('f1', T(1))), [incr('late', T(2), T(3))], false, NOW);
    expect(plan.next).toBeUndefined();
    expect(plan.ledger.status.state).toBe('stopped');
    expect(plan.ledger.status.reason).toContain(`changes from ${T(1)} to ${T(2)} are in no export`);
    expect(plan.ledger.status.reason).toContain('options.allowGaps');
    expect(states(plan.ledger)).toEqual({ f1: 'applied', late: 'gap' });
  });

  test('with allowGaps the gap is applied with a warning', () => {
    const plan = planSync(applied(full('f1', T(1))), [incr('late', T(2), T(3))], true, NOW);
    expect(plan.next?.exportId).toBe('late');
    expect(plan.next?.warning).toContain(`changes from ${T(1)} to ${T(2)} are in no export`);
  });

  test('a gap closes once the missing export appears', () => {
    const stopped = planSync(applied(full('f1', T(1))), [incr('late', T(2), T(3))], false, NOW).ledger;
    const plan = planSync(stopped, [incr('missing', T(1), T(2))], false, NOW);
    expect(plan.next?.exportId).toBe('missing');
    expect(states(plan.ledger)).toMatchObject({ late: 'pending', missing: 'pending' });
  });

  test('a failed export is tried again before anything later', () => {
    const ledger = applied(full('f1', T(1)));
    const withFailed = mergeDiscovered(ledger, [incr('i1', T(1), T(2)), incr('i2', T(2), T(3))], NOW);
    withFailed.exports.find((e) => e.exportId === 'i1')!.state = 'failed';
    expect(planSync(withFailed, [], false, NOW).next?.exportId).toBe('i1');
  });

  test('an export interrupted while applying is applied again', () => {
    const ledger = mergeDiscovered(applied(full('f1', T(1))), [incr('i1', T(1), T(2))], NOW);
    ledger.exports[1].state = 'applying';
    expect(planSync(ledger, [], false, NOW).next?.exportId).toBe('i1');
  });

  test('full exports after the base and exports of another table are skipped', () => {
    const plan = planSync(
      applied(full('f1', T(1))),
      [full('f2', T(4)), incr('other', T(1), T(2), `${TABLE}-copy`)],
      false,
      NOW,
    );
    expect(plan.next).toBeUndefined();
    expect(plan.ledger.status.state).toBe('up-to-date');
    expect(states(plan.ledger)).toEqual({ f1: 'applied', other: 'skipped', f2: 'skipped' });
  });

  test('applied exports are never offered again: up to date', () => {
    const plan = planSync(applied(full('f1', T(1)), incr('i1', T(1), T(2))), [], false, NOW);
    expect(plan.next).toBeUndefined();
    expect(plan.ledger.status.state).toBe('up-to-date');
    expect(plan.ledger.reachedTime).toBe(T(2));
  });

  test('exports already in the ledger keep their state when found again', () => {
    const ledger = applied(full('f1', T(1)));
    const merged = mergeDiscovered(ledger, [full('f1', T(1))], NOW);
    expect(merged.exports).toHaveLength(1);
    expect(merged.exports[0].state).toBe('applied');
  });
});
