import { DynamoItem } from '../../src/mapping';
import { ItemChange } from './build-incremental';

/**
 * A DynamoDB table in memory that records changes the way incremental exports report them: per window, one
 * record per item with its net change (compacted), none for an item created and removed inside the window.
 * Used to generate consistent full + incremental export chains and the state the container must end in.
 */
export class SimulatedTable {
  private readonly items = new Map<string, DynamoItem>();
  private windowStart = new Map<string, DynamoItem | undefined>();
  private lastWrite = new Map<string, number>();

  constructor(private readonly keyNames: string[]) {}

  private keyOf(item: DynamoItem): string {
    return JSON.stringify(this.keyNames.map((name) => item[name]));
  }

  private keysOf(item: DynamoItem): DynamoItem {
    return Object.fromEntries(this.keyNames.map((name) => [name, item[name]]));
  }

  private touch(key: string, micros: number): void {
    if (!this.windowStart.has(key)) this.windowStart.set(key, this.items.get(key));
    this.lastWrite.set(key, micros);
  }

  put(item: DynamoItem, micros: number): void {
    const key = this.keyOf(item);
    this.touch(key, micros);
    this.items.set(key, item);
  }

  delete(keys: DynamoItem, micros: number): void {
    const key = this.keyOf(keys);
    this.touch(key, micros);
    this.items.delete(key);
  }

  get(keys: DynamoItem): DynamoItem | undefined {
    return this.items.get(this.keyOf(keys));
  }

  /** The current items, e.g. for a full export or the expected final container. */
  snapshot(): DynamoItem[] {
    return [...this.items.values()];
  }

  /** Ends the current window: its compacted change records; the next window starts empty. */
  endWindow(): ItemChange[] {
    const changes: ItemChange[] = [];
    for (const [key, oldImage] of this.windowStart) {
      const newImage = this.items.get(key);
      if (!oldImage && !newImage) continue;
      const keys = this.keysOf((newImage ?? oldImage) as DynamoItem);
      changes.push({ keys, oldImage, newImage, writeTimestampMicros: this.lastWrite.get(key) as number });
    }
    this.windowStart = new Map();
    this.lastWrite = new Map();
    return changes;
  }
}
