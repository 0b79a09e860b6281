import { MigrationReport } from '../migration/contracts';

/** A human summary of a finished migration, followed by where the full JSON report is. */
export function formatReport(runtimeStatus: string, output: unknown): string {
  if (runtimeStatus !== 'Completed') {
    return `Migration ${runtimeStatus.toLowerCase()}: ${typeof output === 'string' ? output : JSON.stringify(output)}`;
  }
  const r = output as MigrationReport;
  const lines = [
    `Export ${r.exportId} (${r.exportType}) → ${r.target.database}/${r.target.container}`,
    `  files        ${r.files.loaded}/${r.files.total} loaded, ${r.files.failed} failed, ${r.files.copySkipped} already in the lake`,
    ...(r.files.copyMethods
      ? [
          `  copied       ${r.files.copyMethods.server} server-side, ${r.files.copyMethods.stream} streamed, ${r.files.copyMethods.skipped} skipped`,
        ]
      : []),
    `  items        ${r.items.expected} expected, ${r.items.written} written, ${r.items.deleted} deleted, ${r.items.deadLettered} dead-lettered`,
    `  numbers      mode ${r.numbers.mode}, ${r.numbers.keptAsStrings} kept as strings, ${r.numbers.precisionLost} lost precision`,
    `  renames      ${
      Object.entries(r.renames)
        .map(([k, v]) => `${k}×${v}`)
        .join(', ') || 'none'
    }`,
    `  validation   ${r.validation.passed ? 'PASSED' : 'FAILED'}: counts ${r.validation.countsReconciled ? 'reconcile' : 'do not reconcile'} (${r.validation.countsDetail}); ${r.validation.sampled} sampled, ${r.validation.mismatched} mismatched`,
    `  duration     ${(r.durationMs / 1000).toFixed(1)} s, ${r.requestCharge} RU`,
    `  report       ${r.lake.container}/${r.lake.report}`,
  ];
  for (const failure of r.files.failures.slice(0, 10)) lines.push(`  failed file  ${failure.file}: ${failure.message}`);
  for (const mismatch of r.validation.mismatches.slice(0, 10))
    lines.push(`  mismatch     ${mismatch.id} (${mismatch.file}:${mismatch.line}): ${mismatch.reason}`);
  return lines.join('\n');
}
