import type { CutoverCheck } from '../sync/cutover';

/** The cut-over check as a few readable lines: the verdict, then what it rests on, then every reason. */
export function formatCutover(check: CutoverCheck): string {
  const applied = check.lastApplied;
  const verification = check.lastVerification;
  const lines = [
    `${check.table}: ${check.ready ? 'READY to cut over' : 'NOT READY to cut over'}`,
    `  reached       ${check.reachedTime ?? '-'}${check.lagMinutes !== undefined ? ` (${check.lagMinutes} min ago${check.maxLagMinutes !== undefined ? `, at most ${check.maxLagMinutes} allowed` : ''})` : ''}`,
    `  last applied  ${applied ? `${applied.exportId} (${applied.exportType === 'FULL_EXPORT' ? 'full' : 'incremental'})` : '-'}`,
    `  verification  ${
      verification
        ? `${verification.passed ? 'passed' : 'FAILED'} ${verification.finishedAt}: ${verification.matched} matched, ${verification.missingCount} missing, ${verification.unexpectedCount} unexpected, ${verification.differingCount} differing${verification.current ? '' : ' (before the last applied export)'}`
        : 'none'
    }`,
    `  dead letters  ${check.deadLetters.count}`,
    `  sync          ${check.sync.state}${check.expectedDocuments !== undefined ? `, ${check.expectedDocuments} documents expected` : ''}`,
  ];
  for (const reason of check.reasons) lines.push(`  - ${reason}`);
  return lines.join('\n');
}
