/**
 * Registration expiry on one Clock timer: the due times of every registration in a binary
 * min-heap, and a single timer armed for the earliest. An Update pushes the new due time
 * and leaves the old entry in the heap; `due` holds each registration's current time, so a
 * stale entry is recognised and skipped when it comes up. Costs a heap slot and a map entry
 * per registration instead of a timer, a closure and its context.
 */
import type { Clock, TimerHandle } from '../clock.js';

export class ExpiryQueue {
  /** registration id -> its current due time (ms) */
  private readonly due = new Map<string, number>();
  /** heap of (time, id) pairs as two parallel arrays */
  private times: number[] = [];
  private ids: string[] = [];
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private firing = false;

  constructor(
    private readonly clock: Clock,
    /** called when a registration's due time has come; it may schedule() again */
    private readonly onDue: (id: string) => void,
  ) {}

  /** (Re)sets the due time of `id` to `at` (ms, Clock time). */
  schedule(id: string, at: number): void {
    this.due.set(id, at);
    this.push(at, id);
    // clients updating far more often than their lifetime leave many stale entries: rebuild
    if (this.times.length > 2 * this.due.size + 1024) this.rebuild();
    if (!this.firing && at < this.armedFor) this.arm();
  }

  cancel(id: string): void {
    if (!this.due.delete(id)) return;
    if (this.due.size === 0) this.clear();
  }

  has(id: string): boolean {
    return this.due.has(id);
  }

  get size(): number {
    return this.due.size;
  }

  clear(): void {
    this.due.clear();
    this.times = [];
    this.ids = [];
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private rebuild(): void {
    this.times = [];
    this.ids = [];
    for (const [id, at] of this.due) this.push(at, id);
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
    // drop stale entries from the top so the timer is not armed for them
    while (this.times.length > 0 && this.due.get(this.ids[0]!) !== this.times[0]) this.pop();
    if (this.times.length === 0) return;
    const at = this.times[0]!;
    this.armedFor = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.firing = true;
    try {
      const now = this.clock.now();
      while (this.times.length > 0 && this.times[0]! <= now) {
        const at = this.times[0]!;
        const id = this.pop();
        if (this.due.get(id) !== at) continue; // stale: the registration was updated or ended
        this.due.delete(id);
        this.onDue(id);
      }
    } finally {
      this.firing = false;
      if (this.due.size === 0) this.clear();
      else this.arm();
    }
  }

  private push(at: number, id: string): void {
    const t = this.times;
    const ids = this.ids;
    let i = t.length;
    t.push(at);
    ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= at) break;
      t[i] = t[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    t[i] = at;
    ids[i] = id;
  }

  /** Removes the top entry and returns its id (the heap is not empty). */
  private pop(): string {
    const t = this.times;
    const ids = this.ids;
    const top = ids[0]!;
    const lastT = t.pop()!;
    const lastId = ids.pop()!;
    const n = t.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && t[r]! < t[l]! ? r : l;
      if (t[c]! >= lastT) break;
      t[i] = t[c]!;
      ids[i] = ids[c]!;
      i = c;
    }
    t[i] = lastT;
    ids[i] = lastId;
    return top;
  }
}
