/**
 * Where things live in the lake. Raw files mirror their S3 location (`<bucket>/<key>`) so a user finds the
 * copy of any export file without a lookup table; what the migration itself writes sits in a `_migration`
 * folder beside the export, one subfolder per target container.
 */
export function rawCopyPath(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

export function migrationFolder(bucket: string, exportPrefix: string, database: string, container: string): string {
  return `${bucket}/${exportPrefix.replace(/\/+$/, '')}/_migration/${database}/${container}`;
}

export function reportPath(folder: string): string {
  return `${folder}/report.json`;
}

export function deadLetterPath(folder: string, fileIndex: number): string {
  return `${folder}/deadletter/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function samplePath(folder: string, fileIndex: number): string {
  return `${folder}/samples/${String(fileIndex).padStart(5, '0')}.jsonl`;
}

export function checkpointPath(folder: string, fileIndex: number): string {
  return `${folder}/checkpoints/${String(fileIndex).padStart(5, '0')}.json`;
}
