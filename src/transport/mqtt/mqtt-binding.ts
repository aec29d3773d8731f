/**
 * The `mqtt` binding: LwM2M 1.2 over MQTT (Transport 1.2 section 8), configured by the
 * `mqttBinding` section. The gateway is an MQTT client of a broker (the MQTT face's
 * embedded one when `mqttBinding.broker.url` is null, otherwise the one at the URL); it
 * subscribes to `[PREFIX/]lwm2m/rd/+` (and, for the Bootstrap Server, `.../bs/+` on a
 * connection of its own) and exchanges CBOR maps with the clients there (mqtt-transport.ts). Peers carry `transport: 'mqtt'`, the
 * endpoint as key and its topic as address.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttBindingConfig } from '../../config/mqtt-binding-config.js';
import type { Binding, BindingContext, BindingStats, ListenAddress } from '../binding.js';
import { BindingStartError } from '../binding.js';
import { MqttLwm2mTransport } from './mqtt-transport.js';

interface Target {
  url: string;
  username?: string;
  password?: string;
}

function readPem(path: string | null, key: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(resolve(path));
  } catch (e) {
    throw new BindingStartError(key, `${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** host and port of a broker URL, for the log (no credentials) */
function where(url: string): { address: string; port: number } {
  try {
    const u = new URL(url);
    const fallback = u.protocol === 'mqtts:' || u.protocol === 'ssl:' || u.protocol === 'tls:' ? 8883 : 1883;
    return { address: u.hostname, port: u.port ? Number(u.port) : fallback };
  } catch {
    return { address: 'broker', port: 0 };
  }
}

export class MqttBinding implements Binding {
  readonly scheme = 'mqtt';
  readonly transport: MqttLwm2mTransport;
  readonly late: boolean;
  private client: MqttClient | undefined;

  constructor(
    private readonly config: MqttBindingConfig,
    private readonly ctx: BindingContext,
    level: 'rd' | 'bs' = 'rd',
  ) {
    this.late = config.broker.url === null;
    this.transport = new MqttLwm2mTransport({
      handler: ctx.handler,
      prefix: config.prefix,
      level,
      maxPayloadBytes: config.maxPayloadBytes,
      maxPending: config.maxPending,
      defaultTimeoutMs: ctx.config.lwm2m.requestTimeout * 1000,
      logger: ctx.logger,
      publish: (topic, payload) => {
        const c = this.client;
        if (!c) return;
        c.publish(topic, payload, { qos: 1 }, (e) => {
          if (e) ctx.logger.debug('mqtt binding: publish failed', { error: e.message });
        });
      },
    });
  }

  private target(): Target {
    const url = this.config.broker.url;
    if (url !== null) {
      const b = this.config.broker;
      return { url, ...(b.username !== null ? { username: b.username } : {}), ...(b.password !== null ? { password: b.password } : {}) };
    }
    const embedded = this.ctx.embeddedBroker?.();
    if (!embedded) throw new BindingStartError('mqttBinding.broker.url', 'the MQTT binding has no broker: the embedded broker (mqtt.mode embedded) is not running; set mqttBinding.broker.url or mqttBinding.enabled false');
    return embedded;
  }

  private options(t: Target): IClientOptions {
    const b = this.config.broker;
    const external = b.url !== null;
    return {
      protocolVersion: 4,
      clientId: b.clientId ?? `lwm2m-gateway-binding-${randomBytes(4).toString('hex')}`,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: 2000,
      queueQoSZero: false,
      ...(t.username !== undefined ? { username: t.username } : {}),
      ...(t.password !== undefined ? { password: t.password } : {}),
      ...(external
        ? {
            ca: readPem(b.tls.ca, 'mqttBinding.broker.tls.ca'),
            cert: readPem(b.tls.cert, 'mqttBinding.broker.tls.cert'),
            key: readPem(b.tls.key, 'mqttBinding.broker.tls.key'),
            rejectUnauthorized: b.tls.rejectUnauthorized,
          }
        : {}),
    };
  }

  async start(): Promise<ListenAddress> {
    const t = this.target();
    const at = where(t.url);
    let client: MqttClient;
    try {
      client = await connectAsync(t.url, this.options(t), false);
    } catch (e) {
      throw new BindingStartError('mqttBinding.broker.url', `the MQTT binding cannot connect to its broker ${at.address}:${at.port} (${(e as Error).message.slice(0, 120)}): check mqttBinding.broker`);
    }
    client.on('message', (topic, payload) => this.transport.handleMessage(topic, payload));
    client.on('error', (e) => this.ctx.logger.warn('mqtt binding: broker error', { error: e.message }));
    this.client = client;
    this.transport.start();
    try {
      const granted = await client.subscribeAsync(this.transport.filters, { qos: 1 });
      if (granted.some((g) => g.qos === 128)) throw new Error('subscription refused');
    } catch (e) {
      await this.stop();
      throw new BindingStartError('mqttBinding.prefix', `the MQTT binding's broker refused its subscriptions (${(e as Error).message}): check the broker's ACL for ${this.transport.filters.join(', ')}`);
    }
    return { scheme: this.scheme, transport: 'lwm2m+mqtt', address: at.address, port: at.port };
  }

  async stop(): Promise<void> {
    this.transport.stop();
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true).catch(() => undefined);
  }

  stats(): BindingStats {
    return { refused: this.transport.refusedMessages() };
  }
}

/**
 * The binding when `mqttBinding.enabled` and it has a broker: its URL, or the embedded
 * broker when it runs. `level` 'bs': the Bootstrap interface (its own broker connection,
 * with the Bootstrap Server as handler).
 */
export function mqttBinding(ctx: BindingContext, level: 'rd' | 'bs' = 'rd'): Binding | undefined {
  const c = ctx.config.mqttBinding;
  if (!c.enabled) return undefined;
  const m = ctx.config.mqtt;
  if (c.broker.url === null && !(m.enabled && m.mode === 'embedded')) return undefined;
  return new MqttBinding(c, ctx, level);
}
