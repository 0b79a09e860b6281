import type { RuCap } from '../cosmos/throughput';
import { MigrationReport } from '../migration/contracts';
import type { ContainerCheck } from '../validation/container-count';

/** `12 documents, 12 expected: reconciled`, with the bounds when resumed loads left the expectation uncertain. */
function containerLine(container: ContainerCheck): string {
  if (container.actual === undefined) return `NOT COUNTED (${container.detail})`;
  if (container.expected === undefined) return `${container.actual} documents (${container.detail})`;
  const bounds =
    container.expectedAtLeast !== undefined && container.expectedAtMost !== undefined
      ? ` (${container.expectedAtLeast} to ${container.expectedAtMost})`
      : '';
  return `${container.actual} documents, ${container.expected}${bounds} expected: ${container.reconciled ? 'reconciled' : `DO NOT RECONCILE (${container.detail})`}`;
}

/** `3200 RU/s (setting: …)`, or `none (why)`. */
function ruCapLine(cap: RuCap): string {
  return cap.requestUnitsPerSecond === undefined
    ? `none (${cap.detail})`
    : `${cap.requestUnitsPerSecond} RU/s (${cap.source}: ${cap.detail})`;
}

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
    ...(r.validation.container ? [`  container    ${containerLine(r.validation.container)}`] : []),
    `  duration     ${(r.durationMs / 1000).toFixed(1)} s, ${r.requestCharge} RU`,
    ...(r.ruCap ? [`  RU cap       ${ruCapLine(r.ruCap)}`] : []),
    `  report       ${r.lake.container}/${r.lake.report}`,
  ];
  for (const failure of r.files.failures.slice(0, 10)) lines.push(`  failed file  ${failure.file}: ${failure.message}`);
  for (const mismatch of r.validation.mismatches.slice(0, 10))
    lines.push(`  mismatch     ${mismatch.id} (${mismatch.file}:${mismatch.line}): ${mismatch.reason}`);
  return lines.join('\n');
}
