/**
 * The MQTT face: a broker link (the embedded aedes broker, or an external broker through
 * mqtt.js) and the topic adapters over it (MqttNorthbound). Stopped in reverse order; the
 * link gets up to two seconds to flush what it buffered.
 */
import { resolve } from 'node:path';
import type { GatewayConfig } from '../../config/schema.js';
import type { Face, FaceDeps, FaceKind, FacePorts } from '../face.js';
import { EmbeddedBroker } from './broker.js';
import { EmbeddedLink } from './link-embedded.js';
import { ExternalLink } from './link-external.js';
import type { MqttLink } from './link.js';
import { MqttNorthbound } from './northbound.js';
import { gatewayTopicsOf } from './output-topics.js';

export class MqttFace implements Face {
  readonly name = 'mqtt';
  broker: EmbeddedBroker | undefined;
  link: MqttLink | undefined;
  northbound: MqttNorthbound | undefined;

  constructor(private readonly d: FaceDeps) {}

  async start(): Promise<FacePorts> {
    const { config, logger } = this.d;
    const m = config.mqtt;
    const status = m.presence ? MqttNorthbound.linkStatus(m.topicPrefix, { version: this.d.version }) : undefined;
    const ports: Record<string, number | null> = {};
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
      const listening = await this.broker.start();
      ports.mqtt = listening.port;
      ports.mqttWs = listening.wsPort;
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
    this.northbound = new MqttNorthbound({
      server: this.d.core,
      models: this.d.models,
      link: this.link,
      ...(this.d.mappings ? { mappings: this.d.mappings } : {}),
      topicPrefix: m.topicPrefix,
      presence: m.presence,
      gatewayInfo: { version: this.d.version },
      ...(this.d.bootstrap ? { bootstrap: this.d.bootstrap } : {}),
      logger,
    });
    await this.northbound.start();
    return ports;
  }

  /** Applied at once (the MQTT side also polls the store). */
  mappingsReloaded(): void {
    this.northbound?.mappingsChanged();
  }

  async stop(): Promise<void> {
    await this.northbound?.stop();
    this.northbound = undefined;
    if (this.link) {
      await this.link.flush(2000);
      await this.link.stop();
    }
    this.link = undefined;
    await this.broker?.stop();
    this.broker = undefined;
  }
}

export const mqttFace: FaceKind = {
  name: 'mqtt',
  enabled: (config: GatewayConfig) => config.mqtt.enabled,
  create: (deps) => new MqttFace(deps),
};
