/**
 * Presence: a retained `{prefix}/{endpoint}/status` per device (`online` with the
 * registration's details, `offline` with the reason) and a retained
 * `{prefix}/$gateway/status` for the gateway, whose `offline` is also the link's last
 * will (the broker publishes it when the gateway's connection dies).
 *
 * So that the statuses stay true when the gateway or the broker did not stop cleanly: at
 * start, the retained `online` statuses of devices the gateway does not hold (a previous
 * run killed) are marked offline (`gateway-restart`, see presence-sweep.ts); after a
 * reconnection to the broker (which may have restarted without its retained messages),
 * the status of every device held is published again, paced.
 */
import type { Logger } from '../../log.js';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { MqttLink } from './link.js';
import { StatusSweep, paced, type SweepOptions, type SweepResult } from './presence-sweep.js';
import { ServerListeners } from './server-events.js';
import type { Topics } from './topics.js';

export interface WillMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/**
 * The gateway's last will: hand it to the link (MQTT CONNECT will) so a lost connection
 * reads as offline. No reason in it: the links also publish it on a clean stop.
 */
export function gatewayWill(topics: Topics): WillMessage {
  return { topic: topics.gatewayStatus, payload: JSON.stringify({ status: 'offline' }), qos: 1, retain: true };
}

/** The gateway's birth message: the links publish it on every (re)connection. */
export function gatewayBirth(topics: Topics, info: Record<string, unknown> = {}): WillMessage {
  return { topic: topics.gatewayStatus, payload: JSON.stringify({ status: 'online', ...info }), qos: 1, retain: true };
}

/** The `online` payload of a device. */
export function onlinePayload(reg: Registration, now: number, awake?: boolean): Record<string, unknown> {
  // field by field (no spreads), in the order of the message; a time written once when two are equal (at registration)
  const p: Record<string, unknown> = { status: 'online', endpoint: reg.endpoint, version: reg.version, binding: reg.binding, lifetime: reg.lifetime, queueMode: reg.queueMode };
  if (reg.queueMode && awake !== undefined) p.awake = awake;
  if (reg.smsNumber !== undefined) p.sms = reg.smsNumber;
  p.objects = reg.objectLinks.map((l) => l.uri);
  p.address = `${reg.peer.address}:${reg.peer.port}`;
  p.transport = reg.peer.transport;
  const registeredAt = new Date(reg.registeredAt).toISOString();
  const lastUpdateAt = reg.lastUpdateAt === reg.registeredAt ? registeredAt : new Date(reg.lastUpdateAt).toISOString();
  p.registeredAt = registeredAt;
  p.lastUpdateAt = lastUpdateAt;
  p.at = now === reg.lastUpdateAt ? lastUpdateAt : new Date(now).toISOString();
  return p;
}

export interface PresenceOptions {
  server: CoreApi;
  link: MqttLink;
  topics: Topics;
  logger: Logger;
  /** extra fields of the gateway's online message (version, name...) */
  gatewayInfo?: Record<string, unknown>;
  /** the start-up sweep of stale statuses: its limits, or false for none (default: on) */
  sweep?: Pick<SweepOptions, 'quietMs' | 'windowMs' | 'maxEntries'> | false;
}

export class Presence {
  private readonly events: ServerListeners;
  private running = false;
  private sweeper: StatusSweep | undefined;
  private removeConnectionListener: (() => void) | undefined;
  /** the link lost its broker since start: republish on the next connection */
  private lost = false;
  /** bumped by every connection change and by stop: an older republish gives up */
  private generation = 0;
  private republishing: Promise<number> | undefined;

  constructor(private readonly o: PresenceOptions) {
    this.events = new ServerListeners(o.server, o.logger, 'mqtt presence');
  }

  private now(): number {
    return this.o.server.clock.now();
  }

  private publish(topic: string, body: unknown): void {
    this.o.link.publish(topic, JSON.stringify(body), { qos: 1, retain: true });
  }

  private online(reg: Registration, awake?: boolean): void {
    this.publish(this.o.topics.device(reg.endpoint, 'status'), onlinePayload(reg, this.now(), awake));
  }

  private offline(endpoint: string, reason: string): void {
    this.publish(this.o.topics.device(endpoint, 'status'), { status: 'offline', endpoint, reason, at: new Date(this.now()).toISOString() });
  }

  /** The queue-mode device's awake state as the server knows it now. */
  private awake(reg: Registration): boolean | undefined {
    return reg.queueMode ? this.o.server.isAwake(reg.endpoint) : undefined;
  }

  private onConnection(connected: boolean): void {
    this.generation++;
    if (!connected) {
      this.lost = true;
      return;
    }
    if (!this.lost) return; // the first connection: what start() published was waiting for it
    this.lost = false;
    this.republishAll();
  }

  /** Publishes the status of every device held again, in paced batches (the first at once). */
  private republishAll(): void {
    const gen = this.generation;
    const { server } = this.o;
    const endpoints = server.registrations().map((r) => r.endpoint);
    this.republishing = paced(
      endpoints,
      (ep) => {
        const reg = server.getRegistration(ep);
        if (reg) this.online(reg, this.awake(reg));
      },
      { link: this.o.link, cancelled: () => !this.running || gen !== this.generation },
    );
  }

  /** Resolves when the start-up sweep and a republish after a reconnection are over (tests). */
  async idle(): Promise<{ sweep: SweepResult | undefined }> {
    const sweep = await this.sweeper?.done;
    await this.republishing;
    return { sweep };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { server } = this.o;
    const on = this.events.on.bind(this.events);
    on('registered', (reg: Registration) => this.online(reg, reg.queueMode ? true : undefined));
    on('updated', (reg: Registration) => this.online(reg, reg.queueMode ? true : undefined));
    on('awake', (reg: Registration) => {
      if (reg.queueMode) this.online(reg, true);
    });
    on('sleeping', (reg: Registration) => {
      if (reg.queueMode && server.getRegistration(reg.endpoint)?.id === reg.id) this.online(reg, false);
    });
    on('deregistered', (reg: Registration) => this.offline(reg.endpoint, 'deregistered'));
    on('expired', (reg: Registration) => this.offline(reg.endpoint, 'expired'));
    this.publish(this.o.topics.gatewayStatus, { status: 'online', ...this.o.gatewayInfo, at: new Date(this.now()).toISOString() });
    // registrations kept by a persistent store are online again (paced: there may be many)
    this.lost = false;
    this.republishAll();
    this.removeConnectionListener = this.o.link.onConnectionChange?.((c) => {
      try {
        this.onConnection(c);
      } catch (e) {
        this.o.logger.error('mqtt presence: republish failed', { error: String(e) });
      }
    });
    if (this.o.sweep !== false) {
      this.sweeper = new StatusSweep({
        ...this.o.sweep,
        link: this.o.link,
        topics: this.o.topics,
        clock: server.clock,
        logger: this.o.logger,
        holds: (ep) => server.getRegistration(ep) !== undefined,
        markOffline: (ep) => this.offline(ep, 'gateway-restart'),
      });
      this.sweeper.start();
    }
  }

  /** Devices read offline (the gateway no longer serves them), then the gateway. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.events.clear();
    this.removeConnectionListener?.();
    this.removeConnectionListener = undefined;
    this.sweeper?.cancel();
    for (const reg of this.o.server.registrations()) this.offline(reg.endpoint, 'gateway-stopped');
    this.publish(this.o.topics.gatewayStatus, { status: 'offline', reason: 'stopped', at: new Date(this.now()).toISOString() });
  }
}
