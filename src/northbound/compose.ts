/**
 * Builds the northbound faces the config turns on (MQTT with its broker link, REST) and
 * stops them in reverse order. Used by the composition root (src/gateway.ts).
 */
import { resolve } from 'node:path';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { LwM2mServer } from '../lwm2m/server/index.js';
import type { ModelProvider } from '../lwm2m/model/types.js';
import type { CodecRegistry } from '../lwm2m/codec/registry.js';
import type { MappingStore } from '../mapping/index.js';
import { EmbeddedBroker, BrokerStartError } from './mqtt/broker.js';
import { EmbeddedLink } from './mqtt/link-embedded.js';
import { ExternalLink } from './mqtt/link-external.js';
import type { MqttLink } from './mqtt/link.js';
import { MqttNorthbound } from './mqtt/northbound.js';
import { gatewayTopicsOf } from './mqtt/output-topics.js';
import { RestNorthbound, RestStartError } from './rest/index.js';

export interface NorthboundDeps {
  config: GatewayConfig;
  baseDir: string;
  server: LwM2mServer;
  models: ModelProvider;
  codecs: CodecRegistry;
  mappings: MappingStore | undefined;
  logger: Logger;
  version: string;
}

/** A start-up failure that names the config key to change. */
export class NorthboundStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NorthboundStartError';
  }
}

export interface Ports {
  mqtt?: number;
  mqttWs?: number | null;
  rest?: number;
}

export class Northbound {
  readonly ports: Ports = {};
  broker: EmbeddedBroker | undefined;
  link: MqttLink | undefined;
  mqtt: MqttNorthbound | undefined;
  rest: RestNorthbound | undefined;

  constructor(private readonly d: NorthboundDeps) {}

  async start(): Promise<void> {
    try {
      if (this.d.config.mqtt.enabled) await this.startMqtt();
      if (this.d.config.rest.enabled) await this.startRest();
    } catch (e) {
      if (e instanceof BrokerStartError || e instanceof RestStartError) throw new NorthboundStartError(e.message);
      throw e;
    }
  }

  private async startMqtt(): Promise<void> {
    const { config, logger } = this.d;
    const m = config.mqtt;
    const status = m.presence ? MqttNorthbound.linkStatus(m.topicPrefix, { version: this.d.version }) : undefined;
    if (m.mode === 'embedded') {
      const e = m.embedded;
      const store = this.d.mappings;
      this.broker = new EmbeddedBroker({
        port: e.port,
        host: e.host,
        wsPort: e.wsPort,
        username: e.username,
        password: e.password,
        users: e.users,
        maxPacketSize: e.maxPacketSize,
        maxConnections: e.maxConnections,
        outputTopics: gatewayTopicsOf(m.topicPrefix, () => store?.current),
        logger,
      });
      const ports = await this.broker.start();
      this.ports.mqtt = ports.port;
      this.ports.mqttWs = ports.wsPort;
      this.link = new EmbeddedLink({ broker: this.broker, bufferSize: m.bufferSize, ...status, logger });
    } else {
      const x = m.external;
      const file = (p: string | null): string | null => (p ? resolve(this.d.baseDir, p) : null);
      this.link = new ExternalLink({
        url: x.url,
        protocolVersion: x.protocolVersion,
        clientId: x.clientId,
        username: x.username,
        password: x.password,
        tls: { ca: file(x.tls.ca), cert: file(x.tls.cert), key: file(x.tls.key), rejectUnauthorized: x.tls.rejectUnauthorized },
        reconnectPeriod: x.reconnectPeriod,
        bufferSize: m.bufferSize,
        ...status,
        logger,
      });
      logger.info('MQTT connecting to external broker', { url: x.url.replace(/\/\/[^@/]*@/, '//***@') });
    }
    await this.link.start();
    this.mqtt = new MqttNorthbound({
      server: this.d.server,
      models: this.d.models,
      codecs: this.d.codecs,
      link: this.link,
      ...(this.d.mappings ? { mappings: this.d.mappings } : {}),
      topicPrefix: m.topicPrefix,
      presence: m.presence,
      gatewayInfo: { version: this.d.version },
      logger,
    });
    await this.mqtt.start();
  }

  private async startRest(): Promise<void> {
    const store = this.d.mappings;
    this.rest = new RestNorthbound({
      server: this.d.server,
      models: this.d.models,
      codecs: this.d.codecs,
      config: this.d.config.rest,
      logger: this.d.logger,
      ...(store ? { mappings: () => store.current } : {}),
    });
    this.ports.rest = (await this.rest.start()).port;
  }

  /** A reloaded mapping set: applied at once (the MQTT side also polls). */
  mappingsReloaded(): void {
    this.mqtt?.mappingsChanged();
  }

  async stop(): Promise<void> {
    await this.rest?.stop();
    this.rest = undefined;
    await this.mqtt?.stop();
    this.mqtt = undefined;
    if (this.link) {
      await this.link.flush(2000);
      await this.link.stop();
    }
    this.link = undefined;
    await this.broker?.stop();
    this.broker = undefined;
  }
}
