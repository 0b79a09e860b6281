/**
 * `written` and `deleted` split by the service's answers (src/load/line-ledger.ts), from which follows what the
 * container should hold (container-count.ts). Absent in loads and migrations from before they were counted.
 */
export interface ChangeCounts {
  /** Puts answered 201 (the upsert created the document) and 200 (it replaced one). */
  created?: number;
  replaced?: number;
  /** Deletes answered 204 (a document was removed) and 404 (there was none: applying a delete twice is success). */
  deletedPresent?: number;
  deletedAbsent?: number;
  /**
   * Of `replaced` and `deletedAbsent`, the lines sent again after a load resumed from a checkpoint: the interrupted
   * attempt may have created or removed that document itself, so the answer no longer tells whether it was there
   * before (validation widens the container's expected count by these).
   */
  replacedOnResend?: number;
  absentOnResend?: number;
}

export interface ItemCounts extends ChangeCounts {
  /** Records the manifest says the export holds. */
  expected: number;
  /** Lines actually read from the data files. */
  read: number;
  written: number;
  deleted: number;
  deadLettered: number;
  /** Records of files that failed as a whole (they were not, or not fully, applied). */
  inFailedFiles: number;
}

export interface CountsCheck {
  reconciled: boolean;
  detail: string;
}

/**
 * mapping.md §7: expected = written + deleted + dead-lettered (deleted is 0 for full exports), every line the
 * manifest announces was read, and no file failed.
 */
export function reconcileCounts(counts: ItemCounts): CountsCheck {
  const accounted = counts.written + counts.deleted + counts.deadLettered;
  const problems: string[] = [];
  if (counts.inFailedFiles > 0) problems.push(`${counts.inFailedFiles} records are in files that failed`);
  if (counts.read !== counts.expected)
    problems.push(`the manifest lists ${counts.expected} records but ${counts.read} lines were read`);
  if (accounted !== counts.expected) {
    problems.push(
      `expected ${counts.expected} = written ${counts.written} + deleted ${counts.deleted} + dead-lettered ${counts.deadLettered}, which is ${accounted}`,
    );
  }
  return problems.length === 0
    ? {
        reconciled: true,
        detail: `${counts.expected} records = ${counts.written} written + ${counts.deleted} deleted + ${counts.deadLettered} dead-lettered`,
      }
    : { reconciled: false, detail: problems.join('; ') };
}
