/**
 * The link to the embedded broker: in process, no socket. Publishing hands packets to aedes
 * (`broker.publish`), subscribing registers a listener on its pub/sub bus (`broker.subscribe`),
 * so gateway messages reach TCP/WebSocket clients exactly as a client's publish would
 * (retained messages stored, QoS 1 queued for persistent sessions).
 * Before start (or once the broker is gone) messages wait in the bounded buffer.
 *
 * Many publishes are in flight at once (up to `window`), so that a burst is handed to aedes
 * in one event-loop turn: aedes answers a publish only after the subscribers' socket writes,
 * a few turns later. Subscribers must get them in the order they were published, so the
 * messages in flight together are all of one kind (same QoS and retain flag), which takes the
 * same steps through aedes and its in-memory store. A message of another kind waits until
 * those in flight are answered. (Messages overtaking one another are not lost: see
 * exact-dedupe.ts.)
 */
import type { Aedes, AedesPublishPacket } from 'aedes';
import { silentLogger, type Logger } from '../../log.js';
import { BoundedBuffer } from '../bounded-buffer.js';
import { DrainWaiters } from './drain-waiters.js';
import { OverflowReporter } from './overflow-reporter.js';
import { RejectCounter } from './reject-counter.js';
import type { EmbeddedBroker } from './broker.js';
import type { LinkStats, MessageHandler, MqttLink, PublishOptions } from './link.js';
import { SubscriptionTable, isValidFilter, isValidTopic } from './link-subscriptions.js';
import { type LinkMessage, type ConnectionListener, type LinkWill, restoreInto, toMessage } from './link-message.js';
import type { Journal } from '../face.js';

export interface EmbeddedLinkOptions {
  /** the embedded broker; start it before the link */
  broker: EmbeddedBroker;
  /** messages held while the broker is not running (default 100,000) */
  bufferSize?: number;
  /** keeps the buffer across restarts: what it restores goes out first */
  journal?: Journal<LinkMessage>;
  /** most publishes handed to aedes and not yet answered (default 1,024) */
  window?: number;
  /** published (retained by default) when the link starts: the gateway's "online" state */
  birth?: LinkWill;
  /** published when the link stops: the gateway's "offline" state */
  will?: LinkWill;
  logger?: Logger;
}

type Deliver = (packet: AedesPublishPacket, done: () => void) => void;

export class EmbeddedLink implements MqttLink {
  private readonly buffer: BoundedBuffer<LinkMessage>;
  private readonly overflow: OverflowReporter;
  private readonly subs: SubscriptionTable;
  private readonly delivers = new Map<string, Deliver>();
  private readonly listeners = new Set<ConnectionListener>();
  private readonly log: Logger;
  private aedes: Aedes | undefined;
  private inFlight = 0;
  private readonly window: number;
  /** qos + retain of the messages in flight (they are all of one kind) */
  private kind = -1;
  private pumping = false;
  private published = 0;
  private readonly rejects: RejectCounter;
  private readonly drain = new DrainWaiters();
  private readonly journal: Journal<LinkMessage> | undefined;

  constructor(private readonly options: EmbeddedLinkOptions) {
    this.log = options.logger ?? silentLogger;
    this.rejects = new RejectCounter(this.log, 'mqtt (embedded)');
    const size = options.bufferSize ?? 100_000;
    this.buffer = new BoundedBuffer(size);
    this.window = Math.max(1, options.window ?? 1024);
    this.overflow = new OverflowReporter({ logger: this.log, what: 'mqtt (embedded)', capacity: size });
    this.journal = options.journal;
    restoreInto(this.buffer, this.journal, this.log);
    this.subs = new SubscriptionTable(this.log);
  }

  get connected(): boolean {
    return this.aedes !== undefined && !this.aedes.closed;
  }

  stats(): LinkStats & { rejected: number } {
    return {
      published: this.published,
      buffered: this.buffer.length + this.inFlight,
      dropped: this.overflow.dropped,
      connected: this.connected,
      reconnects: 0,
      rejected: this.rejects.count,
    };
  }

  /** See {@link MqttLink.hasSubscribers}: asks the broker while the link runs, true otherwise (messages wait). */
  hasSubscribers(topic: string): boolean {
    return this.aedes === undefined || this.options.broker.hasSubscribers(topic);
  }

  /** Called with true on start and false on stop. Returns a function that removes the listener. */
  onConnectionChange(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.aedes) return;
    const aedes = this.options.broker.aedes;
    if (!aedes || aedes.closed) throw new Error('mqtt: start the embedded broker before its link');
    this.aedes = aedes;
    for (const filter of this.subs.filters()) this.attach(filter);
    // the birth message goes first, outside the buffer (so it is never the one dropped)
    if (this.options.birth) this.send(aedes, toMessage(this.options.birth));
    else this.pump();
    for (const l of this.listeners) l(true);
  }

  async stop(): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return;
    if (this.options.will && this.connected) this.publishMessage(toMessage(this.options.will), false);
    await this.flush(2000);
    for (const [filter, deliver] of this.delivers) aedes.unsubscribe(filter, deliver, () => undefined);
    this.delivers.clear();
    this.aedes = undefined;
    for (const l of this.listeners) l(false);
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): void {
    if (!isValidTopic(topic)) return this.rejects.reject(topic, 'invalid topic');
    try {
      this.publishMessage({ topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: options.qos ?? 1, retain: options.retain ?? false });
    } catch (e) {
      this.log.error('mqtt (embedded): publish failed', { topic, error: (e as Error).message });
    }
  }

  subscribe(filter: string, handler: MessageHandler): () => void {
    if (!isValidFilter(filter)) {
      this.log.error('mqtt (embedded): invalid topic filter, not subscribed', { filter });
      return () => undefined;
    }
    if (this.subs.add(filter, handler) && this.aedes) this.attach(filter);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (!this.subs.remove(filter, handler)) return;
      const deliver = this.delivers.get(filter);
      this.delivers.delete(filter);
      if (deliver && this.aedes) this.aedes.unsubscribe(filter, deliver, () => undefined);
    };
  }

  async flush(ms = 10_000): Promise<boolean> {
    if (this.buffer.length === 0 && this.inFlight === 0) return true;
    if (!this.connected) return false;
    return this.drain.wait(ms);
  }

  private attach(filter: string): void {
    const aedes = this.aedes;
    if (!aedes || this.delivers.has(filter)) return;
    const deliver: Deliver = (packet, done) => {
      this.subs.deliverTo(filter, packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
      done();
    };
    this.delivers.set(filter, deliver);
    aedes.subscribe(filter, deliver, () => undefined);
  }

  /** `durable`: kept across a restart (not the gateway's own will) */
  private publishMessage(m: LinkMessage, durable = true): void {
    const aedes = this.aedes;
    if (aedes && !aedes.closed && !this.pumping && this.buffer.length === 0 && this.inFlight < this.window && (this.inFlight === 0 || kindOf(m) === this.kind)) {
      // nothing waits and the broker takes it now, as pump() would: handed over within this
      // call, so the journal (which keeps only what waits for the broker) never holds it
      this.send(aedes, m, false);
      return;
    }
    if (durable) this.journal?.accepted(m);
    const dropped = this.buffer.push(m);
    if (dropped) {
      this.overflow.drop(dropped.topic);
      this.journal?.done(dropped);
    }
    this.pump();
  }

  /** Hands buffered messages to aedes while it runs: up to `window` in flight, all of one kind. */
  private pump(): void {
    const aedes = this.aedes;
    if (this.pumping) return;
    if (!aedes || aedes.closed) return this.checkDrained();
    this.pumping = true;
    try {
      while (this.inFlight < this.window) {
        const m = this.buffer.peek();
        if (!m) break;
        const kind = kindOf(m);
        if (this.inFlight > 0 && kind !== this.kind) break;
        this.buffer.shift();
        this.send(aedes, m);
      }
    } finally {
      this.pumping = false;
    }
    this.checkDrained();
  }

  /** `journaled`: it went through the buffer (and the journal) */
  private send(aedes: Aedes, m: LinkMessage, journaled = true): void {
    this.inFlight++;
    this.kind = kindOf(m);
    // handed to the broker in this process: it has it (a journal keeps only what waits for it)
    if (journaled) this.journal?.done(m);
    aedes.publish({ cmd: 'publish', topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, dup: false }, (err) => {
      this.inFlight--;
      if (err) {
        this.rejects.count++;
        this.log.warn('mqtt (embedded): broker refused a message', { topic: m.topic, error: err.message });
      } else {
        this.published++;
      }
      this.pump();
    });
  }

  private checkDrained(): void {
    this.drain.release(this.buffer.length === 0 && this.inFlight === 0);
  }
}

function kindOf(m: LinkMessage): number {
  return m.qos * 2 + (m.retain ? 1 : 0);
}
