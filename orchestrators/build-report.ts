import type { ExportSummary } from '../src/export/types';
import { MigrationReport, ValidationResult } from '../src/migration/contracts';
import { describePartitionKeyPaths } from '../src/mapping/partition-key';
import { MigrationRequest } from '../src/migration/request';
import { Progress } from './progress';

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Pure: the report from the totals. The lake location is filled in by the activity that writes it. */
export function buildReport(input: {
  instanceId: string;
  request: MigrationRequest;
  summary: ExportSummary;
  progress: Progress;
  validation: ValidationResult;
  startedAt: Date;
  finishedAt: Date;
}): MigrationReport {
  const { progress, summary, request } = input;
  return {
    instanceId: input.instanceId,
    exportId: summary.exportId,
    exportType: summary.exportType,
    exportArn: summary.exportArn,
    source: request.source,
    target: request.target,
    files: { ...progress.files, failures: progress.failures },
    items: {
      expected: progress.items.expected,
      read: progress.items.read,
      written: progress.items.written,
      deleted: progress.items.deleted,
      deadLettered: progress.items.deadLettered,
    },
    bytesCopied: progress.bytesCopied,
    requestCharge: Math.round(progress.requestCharge * 100) / 100,
    ruCap: progress.ruCap ?? {
      source: 'none',
      detail: 'not recorded: the migration started before the app reported its RU cap',
    },
    partitionKey: {
      paths: request.target.partitionKeyPaths,
      reason: describePartitionKeyPaths(request.keySchema, request.target.partitionKeyPaths),
    },
    validation: input.validation,
    numbers: {
      mode: request.options.numberMode,
      keptAsStrings: total(progress.stats.numbersAsStrings),
      precisionLost: total(progress.stats.precisionLost),
      keptAsStringsByPath: progress.stats.numbersAsStrings,
      precisionLostByPath: progress.stats.precisionLost,
    },
    renames: progress.stats.renames,
    lake: { container: '', folder: '', report: '', deadLetters: '' },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
  };
}
