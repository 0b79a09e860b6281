export interface ItemCounts {
  /** Records the manifest says the export holds. */
  expected: number;
  /** Lines actually read from the data files. */
  read: number;
  written: number;
  deleted: number;
  deadLettered: number;
  /** Records of files that failed as a whole (they were not, or not fully, applied). */
  inFailedFiles: number;
  /**
   * `written` and `deleted` split by the service's answers, and the uncertain part of them after resumed loads
   * (LoadTotals in src/load/checkpoint.ts): what the container should hold follows from them (container-count.ts).
   * Absent in migrations started before they were counted.
   */
  created?: number;
  replaced?: number;
  deletedPresent?: number;
  deletedAbsent?: number;
  replacedOnResend?: number;
  absentOnResend?: number;
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
