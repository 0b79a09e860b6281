import { DynamoItem } from '../../src/mapping';
import { buildFullExport, exportItems, GeneratedExport } from '../../tools/sample/build-export';
import { buildIncrementalExport, ExportView, ItemChange } from '../../tools/sample/build-incremental';
import { sampleItem } from '../../tools/sample/items';
import { SimulatedTable } from '../../tools/sample/simulated-table';

export const T0 = '2026-03-01T00:00:00.000Z';
export const hoursAfter = (time: string, hours: number): string =>
  new Date(Date.parse(time) + hours * 3_600_000).toISOString();
const micros = (time: string, offset: number): number => Date.parse(time) * 1000 + offset;

function withTotal(item: DynamoItem, total: string): DynamoItem {
  return { ...item, total: { N: total }, status: { S: `updated-${total}` } };
}

/**
 * A table's life as exports: a full export at T0 of `initial` items (edge cases included), then one
 * incremental per hour with inserts, updates, deletes, an item changed in every window, an item created and
 * removed inside a window (no record), and a delete of an item the container never had.
 */
export class TableChain {
  readonly table = new SimulatedTable(['pk', 'sk']);
  private next = 0;
  private window = 0;

  constructor(
    readonly prefix: string,
    private readonly initial: number,
    private readonly seed: number,
  ) {
    for (const { item } of exportItems({ prefix, itemCount: initial, fileCount: 1, seed }))
      this.table.put(item, micros(T0, -1));
    this.next = initial;
    this.table.endWindow();
  }

  full(exportTime = T0, fileCount = 3): GeneratedExport {
    return buildFullExport({
      prefix: this.prefix,
      itemCount: 0,
      fileCount,
      items: this.table.snapshot(),
      exportTime,
      seed: this.seed * 31 + this.window,
    });
  }

  /** Changes the table through one window `[from, from + 1 h)` and exports it. */
  incremental(from: string, view: ExportView = 'NEW_AND_OLD_IMAGES', fileCount = 2): GeneratedExport {
    this.window++;
    const to = hoursAfter(from, 1);
    let tick = 0;
    const at = (): number => micros(from, ++tick);
    const existing = this.table.snapshot();
    // Updates and deletes spread over the table; the first item is changed in every window.
    const everyWindow = existing[0];
    this.table.put(withTotal(everyWindow, `${this.window}000.5`), at());
    for (let i = 1 + this.window; i < existing.length; i += 7)
      this.table.put(withTotal(existing[i], `${this.window}.${i}`), at());
    for (let i = 3 + this.window; i < existing.length; i += 11)
      this.table.delete({ pk: existing[i].pk, sk: existing[i].sk }, at());
    for (let i = 0; i < 15; i++) this.table.put(sampleItem(this.seed, this.next++), at());
    const transient = sampleItem(this.seed, this.next++);
    this.table.put(transient, at());
    this.table.delete({ pk: transient.pk, sk: transient.sk }, at());
    const changes: ItemChange[] = this.table.endWindow();
    const ghost = { pk: { S: `GHOST#${this.window}` }, sk: { N: '1' } };
    changes.push({ keys: ghost, oldImage: { ...ghost, note: { S: 'never migrated' } }, writeTimestampMicros: at() });
    return buildIncrementalExport({
      prefix: this.prefix,
      fromTime: from,
      toTime: to,
      changes,
      fileCount,
      view,
      seed: this.seed * 97 + this.window,
    });
  }

  finalItems(): DynamoItem[] {
    return this.table.snapshot();
  }
}
