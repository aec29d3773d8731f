/**
 * A Clock for tests: time stands still until advance() moves it; timers fire in due
 * order (ties in the order they were set), each seeing now() equal to its due time.
 */
import type { Clock, TimerHandle } from '../../src/lwm2m/clock.js';

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: Timer = { due: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
        this.timers = this.timers.filter((x) => x !== t);
      },
    };
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  private next(until: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.due > until) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const t = this.next(until);
      if (!t) break;
      this.timers = this.timers.filter((x) => x !== t);
      this.time = t.due;
      if (!t.cancelled) t.fn();
    }
    this.time = until;
  }

  /** Like advance(), but lets promises and setImmediate callbacks run after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const t = this.next(until);
      if (!t) break;
      this.timers = this.timers.filter((x) => x !== t);
      this.time = t.due;
      if (!t.cancelled) t.fn();
    }
    this.time = until;
    await settle();
  }
}

/** Lets pending promise callbacks and setImmediate callbacks run (a few rounds). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
