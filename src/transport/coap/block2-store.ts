/**
 * Large responses to devices kept while the device fetches them block by block
 * (RFC 7959 section 2.4), per peer and request target, for a bounded time.
 */
import { systemClock, type Clock, type TimerHandle } from '../../lwm2m/clock.js';
import type { ResponseParts } from './coap-request.js';

interface Stored {
  parts: ResponseParts;
  timer: TimerHandle;
}

export class Block2Store {
  private readonly stored = new Map<string, Stored>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly maxEntries = 1000,
    private readonly timers: Pick<Clock, 'setTimer'> = systemClock,
  ) {}

  get(key: string): ResponseParts | undefined {
    return this.stored.get(key)?.parts;
  }

  set(key: string, parts: ResponseParts): void {
    this.delete(key);
    this.stored.set(key, { parts, timer: this.timers.setTimer(this.lifetimeMs, () => this.delete(key)) });
    while (this.stored.size > this.maxEntries) {
      const oldest = this.stored.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: string): void {
    const s = this.stored.get(key);
    if (!s) return;
    s.timer.cancel();
    this.stored.delete(key);
  }

  clear(): void {
    for (const s of this.stored.values()) s.timer.cancel();
    this.stored.clear();
  }
}
