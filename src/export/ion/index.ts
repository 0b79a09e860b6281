/**
 * Amazon Ion export lines (`outputFormat: "ION"`, data files `*.ion.gz`; docs/export-formats.md) → the same
 * records `parseRecord` makes of DynamoDB JSON lines, so one item gives the same document in either format.
 */
import type { ExportRecord } from '../records';
import { fastIonRecord } from './fast-reader';
import type * as IonJsReader from './ion-js-reader';

export { IonRecordError } from './values';

/** DynamoDB begins every line of an Ion export with the Ion version marker. */
const VERSION_MARKER = '$ion_1_0';

/** Whether a data file line is Ion: after any leading whitespace it starts with `$ion_1_0`. */
export function isIonLine(text: string): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  return text.startsWith(VERSION_MARKER, i);
}

/**
 * Decodes one Ion export line: the project's reader for the Ion DynamoDB writes, `ion-js` for any line that
 * reader leaves (other valid Ion, and every line that cannot be read, so the reason is `ion-js`'s). Throws
 * IonRecordError with the reason.
 */
export function parseIonRecord(text: string, incremental: boolean): ExportRecord {
  return fastIonRecord(text, incremental) ?? readWithIonJs(text, incremental);
}

let ionJs: typeof IonJsReader | undefined;

/**
 * `ion-js`, loaded the first time a line needs it rather than with this module. Loading it declares classes
 * that extend `String` (its DOM types), and from then on V8 (Node 20) looks up the methods of every string in
 * the process the slow way: `text.charCodeAt(i)` took three to four times as long, and mapping DynamoDB JSON
 * lost about a third of its speed (bench/cpu.ts), for a library that a DynamoDB JSON export never calls and an
 * Ion export rarely does.
 */
function readWithIonJs(text: string, incremental: boolean): ExportRecord {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  ionJs ??= require('./ion-js-reader') as typeof IonJsReader;
  return ionJs.readIonRecordWithIonJs(text, incremental);
}
