/**
 * The bounded outbound buffer of the MQTT links and the oneM2M IPE: messages wait here,
 * oldest first, while the broker or the CSE is unreachable. Beyond its capacity the oldest message is dropped (and handed back
 * so the caller can count it); an OverflowReporter (overflow-reporter.ts) turns drops into
 * rate-limited warnings.
 */

export class BoundedBuffer<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`buffer capacity must be an integer >= 1, got ${capacity}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends `item`; when full, removes and returns the oldest item (else undefined). */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.length >= this.capacity) dropped = this.shift();
    this.items.push(item);
    return dropped;
  }

  /**
   * Puts an item back at the front (a send that failed). When full, that item is the oldest
   * one and is not inserted: it is returned as dropped.
   */
  unshift(item: T): T | undefined {
    if (this.length >= this.capacity) return item;
    if (this.head > 0) {
      this.head--;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
    return undefined;
  }

  peek(): T | undefined {
    return this.length > 0 ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes everything and returns how many items were removed. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    return n;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
