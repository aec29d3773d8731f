/**
 * The bounded outbound buffer of the MQTT links: messages wait here, oldest first, while the
 * broker is unreachable. Beyond its capacity the oldest message is dropped (and handed back
 * so the caller can count it); an {@link OverflowReporter} turns drops into rate-limited
 * warnings.
 */
import type { Logger } from '../../log.js';

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

export interface OverflowReporterOptions {
  logger: Logger;
  /** what the warning names, e.g. "mqtt external" */
  what: string;
  capacity: number;
  /** at most one warning per interval; default 10 s */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Counts dropped messages and logs a warning at the first drop, then at most one per interval
 * with the number dropped since the previous warning.
 */
export class OverflowReporter {
  private total = 0;
  private sinceLog = 0;
  private lastLog = -Infinity;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OverflowReporterOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get dropped(): number {
    return this.total;
  }

  drop(topic: string, count = 1): void {
    this.total += count;
    this.sinceLog += count;
    const t = this.now();
    if (t - this.lastLog < this.intervalMs) return;
    this.lastLog = t;
    this.options.logger.warn(`${this.options.what}: outbound buffer full, oldest messages dropped`, {
      dropped: this.sinceLog,
      droppedTotal: this.total,
      bufferSize: this.options.capacity,
      lastTopic: topic,
    });
    this.sinceLog = 0;
  }
}

/** Callers of a link's flush(), waiting until nothing is buffered or in flight. */
export class DrainWaiters {
  private waiters: (() => void)[] = [];

  /** Resolves true when release() finds the link empty, false after `ms`. */
  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** Call whenever the link may have emptied; wakes the waiters when `empty`. */
  release(empty: boolean): void {
    if (!empty || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Messages a link could not send: counted, with a warning at most once per 10 s. */
export class RejectCounter {
  count = 0;
  private lastWarn = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  reject(topic: string, reason: string): void {
    this.count++;
    const now = Date.now();
    if (now - this.lastWarn < 10_000) return;
    this.lastWarn = now;
    this.logger.warn(`${this.what}: message not sent`, { topic, reason, rejectedTotal: this.count });
  }
}
