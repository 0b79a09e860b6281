/**
 * Request charges (RU) of the strict layer. Cosmos DB publishes no formula, only figures; the model below is the
 * simplest one that reproduces every public figure found, and each constant says which one it comes from.
 *
 *   point read   read(s)      = 1 + READ_RU_PER_KB * max(0, s - 1)               s: item size in KB
 *   insert       write(s, n)  = WRITE_BASE_RU + WRITE_RU_PER_INDEXED_TERM * n
 *                                + WRITE_RU_PER_KB * max(0, s - 1)                n: indexed terms (leaf values)
 *   replace      2 * write(s, n)  (an upsert that replaces is a replace)
 *   delete       write(s, n) of the deleted item
 *   query page   max(1, KB returned)
 *
 * Checks against the sources (test/unit/localstack/charges.test.ts pins them):
 * - 1 KB point read 1 RU, 100 KB point read 10 RU:
 *   https://learn.microsoft.com/azure/cosmos-db/optimize-cost-reads-writes#point-reads and
 *   https://learn.microsoft.com/azure/cosmos-db/request-units.
 * - 1 KB write 5 RU, 100 KB write 50 RU with indexing off: https://learn.microsoft.com/azure/cosmos-db/key-value-store-cost;
 *   "inserting a 1 KB item without indexing costs around ~5.5 RUs", earlier "with less than 5 properties to index
 *   ... around 5 RUs", and "replacing an item costs two times the charge required to insert the same item":
 *   https://learn.microsoft.com/azure/cosmos-db/optimize-cost-reads-writes#writing-data.
 * - Charges grow with the number of indexed properties under the default policy
 *   (https://learn.microsoft.com/azure/cosmos-db/request-units#request-unit-considerations); the per-term slope is
 *   fitted to the two inserts Microsoft's .NET tutorial prints with default indexing, Andersen.1 (15 leaf values,
 *   under 1 KB) 11.43 RU and Wakefield.7 (21 leaf values) 14.29 RU
 *   (https://learn.microsoft.com/azure/cosmos-db/sql-api-get-started, step "Run your C# console application", in
 *   its 2019-2021 versions: articles/cosmos-db/sql-api-get-started.md of MicrosoftDocs/azure-docs): 0.48 RU a term,
 *   4.3 RU at none. A 1 KB item with three properties then costs 5.7 RU, the "about 5.5" above.
 * - "If a query returns 1000 1-KB items, the cost of the operation is 1000":
 *   https://learn.microsoft.com/azure/cosmos-db/optimize-cost-reads-writes#queries.
 * Not modelled (docs/azure-fidelity.md): index lookups and scans of queries, the doubled read cost of strong and
 * bounded-staleness consistency, and what failed operations cost ("these charges include requests that don't
 * successfully complete because of application errors": troubleshoot-request-rate-too-large; no figure).
 */

/** Fitted: 11.43 RU (15 terms) and 14.29 RU (21 terms) → 0.477 RU a term and 4.28 RU at zero (see above). */
export const WRITE_BASE_RU = 4.3;
export const WRITE_RU_PER_INDEXED_TERM = 0.48;
/** (50 RU - 5 RU) / (100 KB - 1 KB) with indexing off, key-value-store-cost. */
export const WRITE_RU_PER_KB = 45 / 99;
/** (10 RU - 1 RU) / (100 KB - 1 KB), optimize-cost-reads-writes#point-reads. */
export const READ_RU_PER_KB = 9 / 99;
/** Smallest charge of a point read or a query page ("a point read for a 1-KB item is ... one Request Unit"). */
export const MIN_READ_RU = 1;
/** An operation the service refuses or cannot find: charged (see above), figure unknown; one read's worth. */
export const FAILED_OPERATION_RU = 1;
/** Throttled requests: the layer charges nothing (the service reports a fraction of an RU, e.g. 0.38). */
export const THROTTLED_RU = 0;

const KB = 1024;

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function kilobytesAboveOne(bytes: number): number {
  return Math.max(0, bytes / KB - 1);
}

/** Point read of an item of `bytes` (its JSON as stored, system properties included). */
export function readCharge(bytes: number): number {
  return round(MIN_READ_RU + READ_RU_PER_KB * kilobytesAboveOne(bytes));
}

/** Insert (create, or an upsert that creates) of an item of `bytes` with `indexedTerms` indexed leaf values. */
export function insertCharge(bytes: number, indexedTerms: number): number {
  return round(WRITE_BASE_RU + WRITE_RU_PER_INDEXED_TERM * indexedTerms + WRITE_RU_PER_KB * kilobytesAboveOne(bytes));
}

/** Replace (or an upsert that replaces, or a patch): twice the insert of the new item. */
export function replaceCharge(bytes: number, indexedTerms: number): number {
  return round(2 * insertCharge(bytes, indexedTerms));
}

/** Delete: the insert charge of the item removed (its index terms are removed). */
export function deleteCharge(bytes: number, indexedTerms: number): number {
  return insertCharge(bytes, indexedTerms);
}

/** One page of a query or read feed that returned `bytes` of results. */
export function queryCharge(bytes: number): number {
  return round(Math.max(MIN_READ_RU, bytes / KB));
}
