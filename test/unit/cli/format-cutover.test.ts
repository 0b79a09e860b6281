/** `ddb2cosmos table cutover` prints the verdict, what it rests on and every reason. */
import { formatCutover } from '../../../src/cli/format-cutover';
import type { CutoverCheck } from '../../../src/sync/cutover';

const base: CutoverCheck = {
  table: 'orders',
  ready: false,
  reasons: [
    'export e3 is pending: not applied yet',
    'no full verification has been run (POST /api/tables/{name}/verify)',
  ],
  checkedAt: '2024-03-01T12:00:00.000Z',
  reachedTime: '2024-03-01T11:00:00.000Z',
  lagMinutes: 60,
  maxLagMinutes: 90,
  sync: { state: 'syncing', at: '2024-03-01T11:59:00.000Z' },
  lastApplied: { exportId: 'e2', exportType: 'INCREMENTAL_EXPORT' },
  deadLetters: { count: 0, byExport: [] },
  expectedDocuments: 42,
  failedExports: [],
  outstandingExports: [{ exportId: 'e3', state: 'pending' }],
};

test('not ready: the reasons are listed under the facts', () => {
  expect(formatCutover(base)).toBe(
    [
      'orders: NOT READY to cut over',
      '  reached       2024-03-01T11:00:00.000Z (60 min ago, at most 90 allowed)',
      '  last applied  e2 (incremental)',
      '  verification  none',
      '  dead letters  0',
      '  sync          syncing, 42 documents expected',
      '  - export e3 is pending: not applied yet',
      '  - no full verification has been run (POST /api/tables/{name}/verify)',
    ].join('\n'),
  );
});

test('ready, with the verification it rests on', () => {
  const text = formatCutover({
    ...base,
    ready: true,
    reasons: [],
    lastVerification: {
      instanceId: 'v',
      startedAt: 'a',
      finishedAt: '2024-03-01T11:30:00.000Z',
      passed: true,
      expected: 42,
      actual: 42,
      matched: 42,
      missingCount: 0,
      unexpectedCount: 0,
      differingCount: 0,
      report: 'r',
      current: true,
    },
  });
  expect(text).toContain('orders: READY to cut over');
  expect(text).toContain(
    '  verification  passed 2024-03-01T11:30:00.000Z: 42 matched, 0 missing, 0 unexpected, 0 differing',
  );
  expect(text).not.toContain('  - ');
});
