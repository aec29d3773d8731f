/**
 * The IPE's requests to the CSE, in order, through one worker: each is a step that talks
 * to the CSE; a step the CSE cannot take now (CseUnreachable) stays first and is retried
 * after a delay that doubles from `retry.min` to `retry.max`. Steps wait in a
 * BoundedBuffer: beyond its capacity the oldest is dropped and counted, so nothing is lost
 * within the bound while the CSE is down.
 */
import { BoundedBuffer } from '../bounded-buffer.js';
import type { Logger } from '../../log.js';
import { CseUnreachable } from './cse-client.js';

export type Step = () => Promise<void>;

export interface OutboxOptions {
  capacity: number;
  /** seconds */
  retry: { min: number; max: number };
  logger: Logger;
  /** the CSE became reachable or unreachable */
  onReachable?: (up: boolean) => void;
}

export class Outbox {
  private readonly queue: BoundedBuffer<Step>;
  private running = false;
  private stopped = false;
  private delayS: number;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  sent = 0;
  dropped = 0;
  reachable = true;

  constructor(private readonly opts: OutboxOptions) {
    this.queue = new BoundedBuffer(opts.capacity);
    this.delayS = opts.retry.min;
  }

  get length(): number {
    return this.queue.length;
  }

  push(step: Step): void {
    if (this.stopped) return;
    if (this.queue.push(step) !== undefined) this.dropped++;
    void this.run();
  }

  /** Resolves once nothing waits (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private setReachable(up: boolean): void {
    if (this.reachable === up) return;
    this.reachable = up;
    this.opts.onReachable?.(up);
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (!this.stopped && this.queue.length > 0) {
      const step = this.queue.peek()!;
      try {
        await step();
        // the step may have been dropped for a newer one while it ran: never shift another
        if (this.queue.peek() === step) this.queue.shift();
        this.sent++;
        this.delayS = this.opts.retry.min;
        this.setReachable(true);
      } catch (e) {
        if (e instanceof CseUnreachable) {
          this.setReachable(false);
          this.opts.logger.warn('oneM2M CSE unreachable, retrying', { inS: this.delayS, waiting: this.queue.length });
          await new Promise<void>((r) => {
            this.wake = r;
            this.timer = setTimeout(r, this.delayS * 1000);
          });
          this.delayS = Math.min(this.delayS * 2, this.opts.retry.max);
          continue;
        }
        if (this.queue.peek() === step) this.queue.shift();
        this.opts.logger.warn('oneM2M request failed', { error: e instanceof Error ? e.message.slice(0, 200) : 'unknown' });
      }
    }
    this.running = false;
    if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.queue.clear();
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
