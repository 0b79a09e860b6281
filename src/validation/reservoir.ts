/**
 * Algorithm R: after n offers, each offered value is held with probability capacity/n, using memory for
 * `capacity` values only, whatever the file size.
 */
export class Reservoir<T> {
  readonly items: T[] = [];
  seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  offer(value: T): void {
    this.seen++;
    if (this.items.length < this.capacity) {
      this.items.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.items[slot] = value;
  }
}
