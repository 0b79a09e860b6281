import { MigrationError } from '../errors';
import { quoteName, tableNameProblem } from '../names';

export function planPath(run: string): string {
  return `${run}/plan.json`;
}

export function bucketResultPath(run: string, bucket: number): string {
  return `${run}/buckets/${String(bucket).padStart(6, '0')}.json`;
}

export function verificationReportPath(run: string): string {
  return `${run}/report.json`;
}

/** The folder of a synced table's verifications, beside its registration and ledger. */
export function tableVerifyFolder(table: string): string {
  const problem = tableNameProblem(table);
  if (problem)
    throw new MigrationError(
      'CONFIGURATION',
      `table name ${quoteName(table)} cannot name a folder of the lake: it ${problem}`,
    );
  return `_sync/tables/${table}/verify`;
}
