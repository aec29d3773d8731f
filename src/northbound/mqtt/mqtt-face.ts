/**
 * The MQTT face: a broker link (the embedded aedes broker, or an external broker through
 * mqtt.js) and the topic adapters over it (MqttNorthbound). Stopped in reverse order; the
 * link gets up to two seconds to flush what it buffered.
 */
import { resolve } from 'node:path';
import type { GatewayConfig } from '../../config/schema.js';
import { exposedHost } from '../../config/exposure.js';
import { readTlsFiles } from '../../config/tls-files.js';
import { FaceStartError, faceTls } from '../face.js';
import type { Face, FaceDeps, FaceKind, FacePorts, FaceStats, Journal, ReadinessPart } from '../face.js';
import { asLinkMessage, type LinkMessage } from './link-message.js';
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
  /** the outbound buffer kept across restarts (a file store's data folder) */
  private journal: Journal<LinkMessage> | undefined;

  constructor(private readonly d: FaceDeps) {}

  async start(): Promise<FacePorts> {
    const { config, logger } = this.d;
    const m = config.mqtt;
    const status = m.presence ? MqttNorthbound.linkStatus(m.topicPrefix, { version: this.d.version }) : undefined;
    const ports: Record<string, number | null> = {};
    this.journal = this.d.openJournal?.('mqtt-outbox', asLinkMessage);
    const journal = this.journal ? { journal: this.journal } : {};
    if (m.mode === 'embedded') {
      const e = m.embedded;
      const store = this.d.mappings;
      const exposure = exposedHost({
        key: 'mqtt.embedded',
        host: e.host,
        credentials: (e.username !== null && e.password !== null) || e.users.length > 0,
        allowAnonymous: e.allowAnonymous,
        credentialKey: 'mqtt.embedded.users (or username and password)',
      });
      if ('error' in exposure) throw new FaceStartError(exposure.error);
      if (exposure.notice) logger.warn(exposure.notice);
      const tls = faceTls(() => readTlsFiles(e.tls, this.d.baseDir, 'mqtt.embedded.tls'));
      this.broker = new EmbeddedBroker({
        port: e.port,
        host: exposure.host,
        wsPort: e.wsPort,
        username: e.username,
        password: e.password,
        users: e.users,
        maxPacketSize: e.maxPacketSize,
        maxConnections: e.maxConnections,
        tls: tls ? { ...tls, port: e.tls.port, wssPort: e.tls.wssPort } : null,
        outputTopics: gatewayTopicsOf(m.topicPrefix, () => store?.current),
        ...(this.d.brokerTopicRule ? { topicRule: this.d.brokerTopicRule } : {}),
        logger,
      });
      const listening = await this.broker.start();
      ports.mqtt = listening.port;
      ports.mqttWs = listening.wsPort;
      ports.mqtts = listening.tlsPort;
      ports.mqttWss = listening.wssPort;
      this.link = new EmbeddedLink({ broker: this.broker, bufferSize: m.bufferSize, ...journal, ...status, logger });
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
        // commands are shared; the start-up sweep reads the retained statuses (never sent to a shared subscription)
        ...(x.sharedGroup ? { sharedGroup: x.sharedGroup, unsharedFilters: [`${m.topicPrefix}/+/status`] } : {}),
        bufferSize: m.bufferSize,
        ...journal,
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
      ...(this.d.firmware ? { firmware: this.d.firmware } : {}),
      logger,
    });
    await this.northbound.start();
    return ports;
  }

  /** Applied at once (the MQTT side also polls the store). */
  mappingsReloaded(): void {
    this.northbound?.mappingsChanged();
  }

  stats(): FaceStats {
    const s = this.link?.stats();
    return { sent: s?.published ?? 0, buffered: s?.buffered ?? 0, dropped: s?.dropped ?? 0 };
  }

  readiness(): ReadinessPart[] {
    const external = this.d.config.mqtt.mode === 'external';
    const ready = this.link?.connected ?? false;
    const detail = ready ? undefined : external ? 'not connected to the external broker' : 'the embedded broker is not running';
    return [{ name: external ? 'mqtt.external' : 'mqtt.embedded', ready, ...(detail ? { detail } : {}) }];
  }

  /** The embedded broker takes no new clients; those connected still get the offline statuses at stop(). */
  stopAccepting(): void {
    this.broker?.stopAccepting();
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
    await this.journal?.close();
    this.journal = undefined;
  }
}

export const mqttFace: FaceKind = {
  name: 'mqtt',
  enabled: (config: GatewayConfig) => config.mqtt.enabled,
  create: (deps) => new MqttFace(deps),
};
