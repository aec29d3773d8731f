/**
 * An in-memory MqttLink for unit tests of the MQTT topic adapters: records what is
 * published (retained messages kept per topic) and delivers injected messages to the
 * handlers whose filter matches. No broker, no sockets.
 */
import type { LinkStats, MessageHandler, MqttLink, PublishOptions } from '../../src/northbound/mqtt/link.js';
import { topicMatches } from '../../src/northbound/mqtt/link-subscriptions.js';

export interface Published {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  properties?: PublishOptions['properties'];
}

export class MemoryMqttLink implements MqttLink {
  readonly published: Published[] = [];
  readonly retained = new Map<string, Buffer>();
  private readonly subs = new Map<string, Set<MessageHandler>>();
  private waiters: { pred: (m: Published) => boolean; resolve: (m: Published) => void }[] = [];
  connected = true;

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): void {
    const m: Published = { topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: options.qos ?? 1, retain: options.retain ?? false };
    if (options.properties) m.properties = options.properties;
    this.published.push(m);
    if (m.retain) this.retained.set(topic, m.payload);
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.pred(m)) w.resolve(m);
      else still.push(w);
    }
    this.waiters = still;
  }

  subscribe(filter: string, handler: MessageHandler): () => void {
    let set = this.subs.get(filter);
    if (!set) this.subs.set(filter, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.subs.delete(filter);
    };
  }

  /** The filters subscribed now. */
  filters(): string[] {
    return [...this.subs.keys()].sort();
  }

  /** A message from a broker client: each matching handler once (with MQTT 5 properties as a third argument, when given). */
  inject(topic: string, payload: string | Buffer, properties?: { correlationData?: Buffer }): void {
    const seen = new Set<MessageHandler>();
    const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
    for (const [filter, set] of this.subs) {
      if (!topicMatches(filter, topic)) continue;
      for (const h of set) {
        if (seen.has(h)) continue;
        seen.add(h);
        if (properties) (h as (t: string, p: Buffer, x: typeof properties) => void)(topic, buf, properties);
        else h(topic, buf);
      }
    }
  }

  /** Messages published on `topic`, as parsed JSON. */
  json(topic: string): unknown[] {
    return this.published.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload.toString()) as unknown);
  }

  /** The next message published from now on that satisfies `pred`. */
  next(pred: (m: Published) => boolean, timeoutMs = 2000): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such message published')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  stats(): LinkStats {
    return { published: this.published.length, buffered: 0, dropped: 0, connected: this.connected, reconnects: 0 };
  }

  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
