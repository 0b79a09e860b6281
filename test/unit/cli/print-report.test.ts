/** The CLI's summary of a finished migration names the container's count against what it should hold, and the RU cap. */
import { formatReport } from '../../../src/cli/print-report';
import type { MigrationReport } from '../../../src/migration/contracts';
import { passedValidation } from '../orchestrators/fixtures';

function report(extra: Partial<MigrationReport>): MigrationReport {
  return {
    exportId: 'e1',
    exportType: 'FULL_EXPORT',
    target: { database: 'shop', container: 'orders', partitionKeyPaths: ['/pk'] },
    files: { total: 1, copied: 1, copySkipped: 0, loaded: 1, failed: 0, failures: [] },
    items: { expected: 3, read: 3, written: 3, deleted: 0, deadLettered: 0 },
    numbers: { mode: 'lossless', keptAsStrings: 0, precisionLost: 0 },
    renames: {},
    validation: passedValidation,
    durationMs: 1000,
    requestCharge: 12,
    lake: { container: 'lake', report: 'f/report.json' },
    ...extra,
  } as unknown as MigrationReport;
}

describe('formatReport', () => {
  test('a container that reconciles, and the RU cap with its source', () => {
    const text = formatReport(
      'Completed',
      report({
        validation: {
          ...passedValidation,
          container: { expected: 3, actual: 3, reconciled: true, detail: 'd', requestCharge: 1 },
        },
        ruCap: { requestUnitsPerSecond: 800, source: 'offer', detail: '80% of 1000 RU/s' },
      }),
    );
    expect(text).toContain('  container    3 documents, 3 expected: reconciled');
    expect(text).toContain('  RU cap       800 RU/s (offer: 80% of 1000 RU/s)');
  });

  test('a container that does not reconcile names both numbers; no cap says why', () => {
    const text = formatReport(
      'Completed',
      report({
        validation: {
          ...passedValidation,
          passed: false,
          container: {
            expected: 3,
            expectedAtLeast: 3,
            expectedAtMost: 4,
            actual: 5,
            reconciled: false,
            detail: 'the container holds 5 documents but 3 were expected',
            requestCharge: 1,
          },
        },
        ruCap: { source: 'none', detail: 'no cap: serverless' },
      }),
    );
    expect(text).toContain(
      '  container    5 documents, 3 (3 to 4) expected: DO NOT RECONCILE (the container holds 5 documents but 3 were expected)',
    );
    expect(text).toContain('  RU cap       none (no cap: serverless)');
  });

  test('reports from before the count have no container line', () => {
    expect(formatReport('Completed', report({}))).not.toContain('container  ');
  });
});
