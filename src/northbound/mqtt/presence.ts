/**
 * Presence: a retained `{prefix}/{endpoint}/status` per device (`online` with the
 * registration's details, `offline` with the reason) and a retained
 * `{prefix}/$gateway/status` for the gateway, whose `offline` is also the link's last
 * will (the broker publishes it when the gateway's connection dies).
 */
import type { Logger } from '../../log.js';
import type { LwM2mServer } from '../../lwm2m/server/index.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { MqttLink } from './link.js';
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
  return {
    status: 'online',
    endpoint: reg.endpoint,
    registrationId: reg.id,
    version: reg.version,
    binding: reg.binding,
    lifetime: reg.lifetime,
    queueMode: reg.queueMode,
    ...(reg.queueMode && awake !== undefined ? { awake } : {}),
    ...(reg.smsNumber !== undefined ? { sms: reg.smsNumber } : {}),
    objects: reg.objectLinks.map((l) => l.uri),
    address: `${reg.peer.address}:${reg.peer.port}`,
    transport: reg.peer.transport,
    registeredAt: new Date(reg.registeredAt).toISOString(),
    lastUpdateAt: new Date(reg.lastUpdateAt).toISOString(),
    at: new Date(now).toISOString(),
  };
}

export interface PresenceOptions {
  server: LwM2mServer;
  link: MqttLink;
  topics: Topics;
  logger: Logger;
  /** extra fields of the gateway's online message (version, name...) */
  gatewayInfo?: Record<string, unknown>;
}

export class Presence {
  private readonly events: ServerListeners;
  private running = false;

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

  private offline(reg: Registration, reason: string): void {
    this.publish(this.o.topics.device(reg.endpoint, 'status'), { status: 'offline', endpoint: reg.endpoint, reason, at: new Date(this.now()).toISOString() });
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
    on('deregistered', (reg: Registration) => this.offline(reg, 'deregistered'));
    on('expired', (reg: Registration) => this.offline(reg, 'expired'));
    this.publish(this.o.topics.gatewayStatus, { status: 'online', ...this.o.gatewayInfo, at: new Date(this.now()).toISOString() });
    // registrations kept by a persistent store are online again
    for (const reg of server.registrations()) this.online(reg);
  }

  /** Devices read offline (the gateway no longer serves them), then the gateway. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.events.clear();
    for (const reg of this.o.server.registrations()) this.offline(reg, 'gateway-stopped');
    this.publish(this.o.topics.gatewayStatus, { status: 'offline', reason: 'stopped', at: new Date(this.now()).toISOString() });
  }
}
