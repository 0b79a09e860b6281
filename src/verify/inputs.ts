import type { MigrationRequest } from '../migration/request';
import { UnitTotals, VerifyInput } from './types';

/**
 * The verification a migration runs with `options.verify: "full"`: its one export against the container. A full
 * export is the whole expected state (anything else in the container is unexpected); an incremental one is
 * checked on the keys it touches, since the rest of the container is earlier exports' work.
 */
export function migrationVerifyInput(request: MigrationRequest, exportId: string, incremental: boolean): VerifyInput {
  return {
    keySchema: request.keySchema,
    numberMode: request.options.numberMode,
    target: request.target,
    exports: [{ bucket: request.source.bucket, exportPrefix: request.source.exportPrefix, exportId, incremental }],
    scope: incremental ? 'export-keys' : 'container',
    maxRequestUnitsPerSecond: request.options.maxRequestUnitsPerSecond,
  };
}

export function addTotals(a: UnitTotals, b: UnitTotals): UnitTotals {
  return {
    records: a.records + b.records,
    unmappable: a.unmappable + b.unmappable,
    requestCharge: a.requestCharge + b.requestCharge,
  };
}

export const NO_TOTALS: UnitTotals = { records: 0, unmappable: 0, requestCharge: 0 };
