import { documentKey } from './buckets';

/**
 * One line of an export file as the expected side keeps it: the document it puts (its content hash) or the key it
 * deletes, and where it came from, so the order of application can be rebuilt and the line read again.
 */
export interface ExpectedRecord {
  id: string;
  /** The partition key value as JSON. */
  pk: string;
  /** Content hash of the mapped document; empty for a delete. */
  hash: string;
  /** The export's place in the apply order. */
  seq: number;
  fileIndex: number;
  line: number;
  op: 'put' | 'delete';
}

/** One document of the container: its key and content hash. */
export interface ActualRecord {
  id: string;
  pk: string;
  hash: string;
}

/** Records are written one per line as compact JSON arrays (ids are data: JSON escapes whatever they hold). */
export function expectedLine(r: ExpectedRecord): string {
  return JSON.stringify([r.id, r.pk, r.hash, r.seq, r.fileIndex, r.line, r.op === 'put' ? 1 : 0]);
}

export function parseExpectedLine(text: string): ExpectedRecord {
  const [id, pk, hash, seq, fileIndex, line, put] = JSON.parse(text) as [
    string,
    string,
    string,
    number,
    number,
    number,
    number,
  ];
  return { id, pk, hash, seq, fileIndex, line, op: put === 1 ? 'put' : 'delete' };
}

export function actualLine(r: ActualRecord): string {
  return JSON.stringify([r.id, r.pk, r.hash]);
}

export function parseActualLine(text: string): ActualRecord {
  const [id, pk, hash] = JSON.parse(text) as [string, string, string];
  return { id, pk, hash };
}

function applyOrder(a: ExpectedRecord, b: ExpectedRecord): number {
  return a.seq - b.seq || a.fileIndex - b.fileIndex || a.line - b.line;
}

/**
 * The expected state of one bucket: its records applied in export order (then file, then line), the last record
 * of a key deciding it. Deletes stay in the result (op `delete`): the key must be absent, and `export-keys`
 * verifications need to know the key was touched.
 */
export function applyInOrder(records: ExpectedRecord[]): Map<string, ExpectedRecord> {
  const state = new Map<string, ExpectedRecord>();
  for (const record of [...records].sort(applyOrder)) state.set(documentKey(record.id, record.pk), record);
  return state;
}
