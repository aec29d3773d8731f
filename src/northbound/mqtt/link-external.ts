/**
 * The link to an external broker (Mosquitto, EMQX...) over MQTT.js: MQTT 3.1.1 or 5, TLS from
 * PEM files, credentials, a last will, automatic reconnect.
 *
 * Delivery (QoS 1): every message first waits in our bounded buffer. While connected, up to
 * `maxInflight` of them are handed to MQTT.js; a message leaves our accounting only when the
 * broker acknowledges it. A message handed over whose connection then drops stays in
 * MQTT.js's outgoing store, which sends it again, before anything else, on reconnect: we
 * never send it a second time ourselves (a broker may see a duplicate, as QoS 1 allows, but
 * nothing is lost). MQTT.js's own offline queue is not used (unbounded): nothing is handed
 * to it while disconnected, `queueQoSZero` is off. Subscriptions are ours and are made again
 * on every connection that does not resume a session.
 */
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { silentLogger, type Logger } from '../../log.js';
import { BoundedBuffer } from '../bounded-buffer.js';
import { DrainWaiters } from './drain-waiters.js';
import { OverflowReporter } from './overflow-reporter.js';
import { RejectCounter } from './reject-counter.js';
import { BrokerStartError } from './broker.js';
import type { LinkStats, MessageHandler, MqttLink, PublishOptions } from './link.js';
import { type ConnectionListener, type LinkMessage, receivedProperties, restoreInto, toMessage } from './link-message.js';
import type { Journal } from '../face.js';
import { clientOptions, type ExternalLinkOptions } from './link-external-options.js';
import { SubscriptionTable, isValidFilter, isValidTopic } from './link-subscriptions.js';

export type { ExternalLinkOptions } from './link-external-options.js';

export class ExternalLink implements MqttLink {
  private readonly buffer: BoundedBuffer<LinkMessage>;
  private readonly overflow: OverflowReporter;
  private readonly subs: SubscriptionTable;
  private readonly listeners = new Set<ConnectionListener>();
  /** filters the broker has granted in the current session */
  private readonly atBroker = new Set<string>();
  /** callers of subscribed() waiting for the broker's answer, per filter */
  private readonly grantWaiters = new Map<string, ((granted: boolean) => void)[]>();
  private readonly log: Logger;
  private readonly maxInflight: number;
  private client: MqttClient | undefined;
  private ready = false;
  private window: number;
  private inFlight = 0;
  private published = 0;
  private readonly rejects: RejectCounter;
  private reconnects = 0;
  private everConnected = false;
  private lastError = '';
  private readonly drain = new DrainWaiters();
  private readonly journal: Journal<LinkMessage> | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  private readonly pumpNow = (): void => {
    this.pumpImmediate = undefined;
    this.pump();
  };

  constructor(private readonly options: ExternalLinkOptions) {
    this.log = options.logger ?? silentLogger;
    this.rejects = new RejectCounter(this.log, 'mqtt (external)');
    const size = options.bufferSize ?? 100_000;
    this.buffer = new BoundedBuffer(size);
    this.overflow = new OverflowReporter({ logger: this.log, what: 'mqtt (external)', capacity: size });
    this.journal = options.journal;
    restoreInto(this.buffer, this.journal, this.log);
    this.subs = new SubscriptionTable(this.log);
    this.maxInflight = Math.max(1, options.maxInflight ?? 100);
    this.window = this.maxInflight;
  }

  get connected(): boolean {
    return this.ready;
  }

  stats(): LinkStats & { rejected: number } {
    return {
      published: this.published,
      buffered: this.buffer.length + this.inFlight,
      dropped: this.overflow.dropped,
      connected: this.ready,
      reconnects: this.reconnects,
      rejected: this.rejects.count,
    };
  }

  /** Called with true on every (re)connection and false on every loss. Returns a remover. */
  onConnectionChange(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** See {@link MqttLink.subscribed}: waits (across reconnections) for the broker's SUBACK. */
  subscribed(filter: string): Promise<boolean> {
    if (!this.subs.has(filter)) return Promise.resolve(false);
    if (this.ready && this.atBroker.has(filter)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.grantWaiters.get(filter) ?? [];
      list.push(resolve);
      this.grantWaiters.set(filter, list);
    });
  }

  private granted(filter: string, ok: boolean): void {
    const list = this.grantWaiters.get(filter);
    if (!list) return;
    this.grantWaiters.delete(filter);
    for (const resolve of list) resolve(ok);
  }

  /**
   * Connects. Resolves on the first connection or the first failed attempt (the link then
   * keeps trying and buffers meanwhile); rejects only on a config error (a {@link BrokerStartError}:
   * unreadable PEM file, unusable URL).
   */
  async start(): Promise<void> {
    if (this.client) return;
    const o = this.options;
    const opts = clientOptions(o);
    let client: MqttClient;
    try {
      client = mqtt.connect(o.url, opts);
    } catch (e) {
      throw new BrokerStartError(`mqtt.external.url: ${(e as Error).message}`, 'mqtt.external.url');
    }
    this.client = client;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        client.removeListener('connect', done);
        client.removeListener('close', done);
        resolve();
      };
      client.on('connect', done);
      client.on('close', done);
      this.wire(client);
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (this.options.will && this.ready) this.enqueue(toMessage(this.options.will), false);
    const ms = this.options.stopTimeoutMs ?? 2000;
    if (!(await this.flush(ms))) {
      this.log.warn('mqtt (external): messages not delivered at stop', { count: this.buffer.length + this.inFlight });
    }
    this.client = undefined;
    this.ready = false;
    if (this.pumpImmediate) clearImmediate(this.pumpImmediate);
    this.pumpImmediate = undefined;
    await client.endAsync(true).catch(() => undefined);
    client.removeAllListeners();
    client.on('error', () => undefined);
    this.inFlight = 0;
    this.buffer.clear();
    this.atBroker.clear();
    for (const filter of [...this.grantWaiters.keys()]) this.granted(filter, false);
    for (const l of this.listeners) l(false);
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): void {
    if (!isValidTopic(topic)) return this.rejects.reject(topic, 'invalid topic');
    try {
      const m: LinkMessage = {
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos: options.qos ?? 1,
        retain: options.retain ?? false,
      };
      if (options.properties) m.properties = options.properties;
      this.enqueue(m);
    } catch (e) {
      this.log.error('mqtt (external): publish failed', { topic, error: (e as Error).message });
    }
  }

  subscribe(filter: string, handler: MessageHandler): () => void {
    if (!isValidFilter(filter)) {
      this.log.error('mqtt (external): invalid topic filter, not subscribed', { filter });
      return () => undefined;
    }
    if (this.subs.add(filter, handler) && this.ready) this.brokerSubscribe([filter]);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (!this.subs.remove(filter, handler)) return;
      this.granted(filter, false);
      if (this.ready) this.brokerUnsubscribe([filter]);
    };
  }

  async flush(ms = 10_000): Promise<boolean> {
    if (this.buffer.length === 0 && this.inFlight === 0) return true;
    if (!this.client) return false;
    return this.drain.wait(ms);
  }

  private wire(client: MqttClient): void {
    client.on('connect', (connack) => {
      if (client !== this.client) return;
      if (this.everConnected) this.reconnects++;
      this.everConnected = true;
      this.lastError = '';
      this.ready = true;
      const rm = connack.properties?.receiveMaximum;
      this.window = rm ? Math.min(this.maxInflight, rm) : this.maxInflight;
      this.log.info('mqtt (external): connected', { url: this.options.url, sessionPresent: connack.sessionPresent, buffered: this.buffer.length + this.inFlight });
      this.syncSubscriptions(connack.sessionPresent);
      // the birth message goes first, outside the buffer (so it is never the one dropped)
      if (this.options.birth) this.send(client, toMessage(this.options.birth));
      for (const l of this.listeners) l(true);
      this.pump();
    });
    client.on('close', () => {
      if (client !== this.client || !this.ready) return;
      this.ready = false;
      this.log.warn('mqtt (external): broker connection lost, buffering and reconnecting', {
        url: this.options.url,
        every: `${this.options.reconnectPeriod ?? 2}s`,
      });
      for (const l of this.listeners) l(false);
    });
    client.on('error', (e) => {
      const msg = e.message;
      if (msg === this.lastError) return this.log.debug('mqtt (external): connection error', { error: msg });
      this.lastError = msg;
      this.log.warn('mqtt (external): connection error', { url: this.options.url, error: msg });
    });
    client.on('message', (topic, payload, packet) => this.subs.deliver(topic, payload, receivedProperties(packet.properties)));
  }

  /**
   * After a connection: a new session has no subscription, a resumed one has those the broker
   * acknowledged before; subscribe what is missing, release what is no longer wanted.
   */
  private syncSubscriptions(sessionPresent: boolean): void {
    if (!sessionPresent) this.atBroker.clear();
    const wanted = this.subs.filters();
    this.brokerSubscribe(wanted.filter((f) => !this.atBroker.has(f)));
    this.brokerUnsubscribe([...this.atBroker].filter((f) => !this.subs.has(f)));
  }

  /** the filter as subscribed at the broker: shared when sharedGroup is set */
  private atBrokerAs(filter: string): string {
    const group = this.options.sharedGroup;
    return group && !this.options.unsharedFilters?.includes(filter) ? `$share/${group}/${filter}` : filter;
  }

  private brokerSubscribe(filters: string[]): void {
    const client = this.client;
    if (!client || filters.length === 0) return;
    const shared = new Map(filters.map((f) => [this.atBrokerAs(f), f]));
    client.subscribe([...shared.keys()], { qos: 1 }, (err, granted) => {
      if (err) return this.log.warn('mqtt (external): subscribe failed', { filters: filters.join(','), error: err.message });
      for (const g of granted ?? []) {
        if (client !== this.client) continue;
        const filter = shared.get(g.topic) ?? g.topic;
        if (g.qos === 128 || g.qos > 2) {
          this.log.warn('mqtt (external): broker refused a subscription', { filter: g.topic, code: g.qos });
          this.granted(filter, false);
        } else {
          this.atBroker.add(filter);
          this.granted(filter, true);
        }
      }
    });
  }

  private brokerUnsubscribe(filters: string[]): void {
    const client = this.client;
    if (!client || filters.length === 0) return;
    for (const f of filters) this.atBroker.delete(f);
    client.unsubscribe(filters.map((f) => this.atBrokerAs(f)), (err) => {
      if (err) this.log.debug('mqtt (external): unsubscribe failed', { filters: filters.join(','), error: err.message });
    });
  }

  /** `durable`: kept across a restart (not the gateway's own will) */
  private enqueue(m: LinkMessage, durable = true): void {
    if (durable) this.journal?.accepted(m);
    const dropped = this.buffer.push(m);
    if (dropped) {
      this.overflow.drop(dropped.topic);
      this.journal?.done(dropped);
    }
    this.schedulePump();
  }

  /**
   * Hands what was published to MQTT.js once per turn of the event loop: the messages of
   * every datagram handled in the turn leave in one socket write (MQTT.js flushes what it
   * was given in one tick together), not one write each.
   */
  private schedulePump(): void {
    if (this.pumpImmediate) return;
    this.pumpImmediate = setImmediate(this.pumpNow);
  }

  /** Hands messages to MQTT.js, in order, while connected and the in-flight window allows. */
  private pump(): void {
    const client = this.client;
    while (client && this.ready && this.inFlight < this.window && this.buffer.length > 0) {
      this.send(client, this.buffer.shift() as LinkMessage);
    }
    this.checkDrained();
  }

  private send(client: MqttClient, m: LinkMessage): void {
    this.inFlight++;
    const opts: IClientPublishOptions = { qos: m.qos, retain: m.retain };
    if (m.properties && this.options.protocolVersion === 5) {
      const p = m.properties;
      opts.properties = {};
      if (p.contentType !== undefined) opts.properties.contentType = p.contentType;
      if (p.correlationData !== undefined) opts.properties.correlationData = p.correlationData;
      if (p.responseTopic !== undefined) opts.properties.responseTopic = p.responseTopic;
      if (p.userProperties !== undefined) opts.properties.userProperties = p.userProperties;
    }
    client.publish(m.topic, m.payload, opts, (err) => this.settled(client, m, err));
  }

  private settled(client: MqttClient, m: LinkMessage, err: Error | undefined): void {
    if (client !== this.client) return;
    this.inFlight--;
    this.journal?.done(m);
    if (!err) {
      this.published++;
    } else {
      this.rejects.count++;
      this.log.warn('mqtt (external): message not accepted', { topic: m.topic, qos: m.qos, error: err.message });
    }
    this.pump();
  }

  private checkDrained(): void {
    this.drain.release(this.buffer.length === 0 && this.inFlight === 0);
  }
}
