import { Ledger, syncInstanceId, TableRegistration } from '../sync/types';
import { tableVerifyFolder } from './paths';
import { VerifyInput } from './types';

/** The one verification instance of a table: its sync's id with `verify-` for `sync-` (same length rules). */
export function verifyInstanceId(table: string): string {
  return `verify-${syncInstanceId(table).slice('sync-'.length)}`;
}

/**
 * A synced table's verification: the expected state is the base full export and every incremental applied after
 * it, in the ledger's order (the order they were applied in). Undefined when nothing has been applied yet.
 */
export function tableVerifyInput(registration: TableRegistration, ledger: Ledger): VerifyInput | undefined {
  const applied = ledger.exports.filter((entry) => entry.state === 'applied');
  const base = applied.map((entry) => entry.exportType).lastIndexOf('FULL_EXPORT');
  if (base < 0) return undefined;
  const chain = applied.slice(base);
  return {
    folder: tableVerifyFolder(registration.name),
    keySchema: registration.keySchema,
    numberMode: registration.options.numberMode,
    target: registration.target,
    exports: chain.map((entry) => ({
      bucket: registration.source.bucket,
      exportPrefix: entry.exportPrefix,
      exportId: entry.exportId,
      incremental: entry.exportType === 'INCREMENTAL_EXPORT',
    })),
    scope: 'container',
    maxRequestUnitsPerSecond: registration.options.maxRequestUnitsPerSecond,
    table: { name: registration.name, reachedTime: ledger.reachedTime, lastExportId: chain[chain.length - 1].exportId },
  };
}
