/**
 * The start-up sweep of stale device statuses. A gateway that died without its clean stop
 * (kill -9, power cut) left a retained `online` on the status of every device it held: the
 * last will covers only `$gateway`. At start the gateway subscribes to
 * `{prefix}/+/status`, collects the retained statuses the broker sends after its SUBACK
 * (until none came for `quietMs`, for at most `windowMs`, for at most `maxEntries`
 * endpoints), unsubscribes, and marks offline every status still `online` whose device it
 * does not hold by then (nor when its turn to be published comes).
 *
 * Only statuses this gateway could have written are touched: the topic must be the one it
 * builds for the endpoint (canonical encoding; `$gateway` is not a device) and the payload
 * must start as its own `online` payload does (`{"status":"online"`), which is also
 * checked without parsing anything of outside size.
 */
import type { Clock, TimerHandle } from '../../lwm2m/clock.js';
import type { Logger } from '../../log.js';
import type { MqttLink } from './link.js';
import type { Topics } from './topics.js';

export interface SweepOptions {
  link: MqttLink;
  topics: Topics;
  clock: Clock;
  logger: Logger;
  /** is the endpoint registered now? */
  holds(endpoint: string): boolean;
  /** publishes the endpoint's offline status (the endpoint is not held) */
  markOffline(endpoint: string): void;
  /** the collection ends when no status came for this long after the SUBACK (default 500 ms) */
  quietMs?: number;
  /** and at the latest this long after the SUBACK (default 10 s) */
  windowMs?: number;
  /** endpoints remembered at most; later ones are left as they are (default 100,000) */
  maxEntries?: number;
}

export interface SweepResult {
  /** distinct device statuses seen */
  seen: number;
  /** marked offline */
  marked: number;
  /** statuses not looked at (beyond maxEntries) */
  skipped: number;
}

const ONLINE_PREFIX = Buffer.from('{"status":"online"');

/** Is the payload an `online` status as the gateway writes it? */
function isOnline(payload: Buffer): boolean {
  return payload.length >= ONLINE_PREFIX.length && payload.subarray(0, ONLINE_PREFIX.length).equals(ONLINE_PREFIX);
}

/**
 * Calls `each` for the items in batches of `batch`, waiting between batches until the link
 * handed what it holds to the broker (at most `waitMs`), so that many statuses do not
 * overflow the link's buffer; stops when `cancelled()`. Resolves with the items done.
 */
export async function paced<T>(items: readonly T[], each: (item: T) => void, o: { link: MqttLink; cancelled: () => boolean; batch?: number; waitMs?: number }): Promise<number> {
  const batch = o.batch ?? 500;
  let done = 0;
  while (done < items.length) {
    if (o.cancelled()) break;
    const end = Math.min(items.length, done + batch);
    for (; done < end; done++) each(items[done] as T);
    if (done < items.length) await o.link.flush(o.waitMs ?? 2000).catch(() => false);
  }
  return done;
}

export class StatusSweep {
  /** endpoint -> its latest status was online */
  private readonly seen = new Map<string, boolean>();
  private skipped = 0;
  private state: 'new' | 'waiting' | 'collecting' | 'marking' | 'done' = 'new';
  private unsubscribe: (() => void) | undefined;
  private quiet: TimerHandle | undefined;
  private cap: TimerHandle | undefined;
  private resolveDone!: (r: SweepResult) => void;
  /** resolves when the sweep is over (or cancelled) */
  readonly done: Promise<SweepResult>;

  constructor(private readonly o: SweepOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'waiting';
    const filter = this.o.topics.everyDevice('status');
    this.unsubscribe = this.o.link.subscribe(filter, (topic, payload) => this.onStatus(topic, payload));
    const acked = this.o.link.subscribed ? this.o.link.subscribed(filter) : Promise.resolve(true);
    acked.then(
      (ok) => this.collect(ok),
      () => this.collect(false),
    );
  }

  /** Ends the sweep now, marking nothing more. */
  cancel(): void {
    if (this.state === 'done') return;
    this.end();
    this.state = 'done';
    this.resolveDone({ seen: this.seen.size, marked: 0, skipped: this.skipped });
  }

  private collect(granted: boolean): void {
    if (this.state !== 'waiting') return;
    if (!granted) {
      this.o.logger.warn('mqtt presence: the broker refused the status subscription; stale device statuses are left as they are');
      return this.cancel();
    }
    this.state = 'collecting';
    this.cap = this.o.clock.setTimer(this.o.windowMs ?? 10_000, () => void this.finish());
    this.rearm();
  }

  private rearm(): void {
    this.quiet?.cancel();
    this.quiet = this.o.clock.setTimer(this.o.quietMs ?? 500, () => void this.finish());
  }

  private onStatus(topic: string, payload: Buffer): void {
    if (this.state !== 'waiting' && this.state !== 'collecting') return;
    if (this.state === 'collecting') this.rearm();
    const endpoint = this.o.topics.endpointOf(topic);
    // only the topic this gateway builds for the endpoint (not $gateway, no other spelling)
    if (endpoint === undefined || this.o.topics.device(endpoint, 'status') !== topic) return;
    if (!this.seen.has(endpoint) && this.seen.size >= (this.o.maxEntries ?? 100_000)) {
      this.skipped++;
      return;
    }
    this.seen.set(endpoint, isOnline(payload));
  }

  private end(): void {
    this.quiet?.cancel();
    this.cap?.cancel();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async finish(): Promise<void> {
    if (this.state !== 'collecting') return;
    this.state = 'marking';
    this.end();
    const stale = [...this.seen].filter(([ep, online]) => online && !this.o.holds(ep)).map(([ep]) => ep);
    let marked = 0;
    await paced(
      stale,
      (ep) => {
        if (this.o.holds(ep)) return; // registered meanwhile: its online status is on its way
        this.o.markOffline(ep);
        marked++;
      },
      { link: this.o.link, cancelled: () => this.state !== 'marking' },
    );
    if (this.state !== 'marking') return;
    this.state = 'done';
    const result = { seen: this.seen.size, marked, skipped: this.skipped };
    this.seen.clear();
    if (result.marked > 0 || result.skipped > 0) this.o.logger.info('mqtt presence: stale device statuses marked offline (gateway-restart)', { ...result });
    this.resolveDone(result);
  }
}
