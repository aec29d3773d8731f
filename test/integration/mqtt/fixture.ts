/**
 * The MQTT northbound end to end: the LwM2M server on real CoAP/UDP (port 0) with test
 * clients, the embedded aedes broker on a free TCP port, the in-process link and
 * MqttNorthbound; MQTT peers are mqtt.js clients or mosquitto_sub/pub. stop() closes all.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { compileMappings, type CompiledMappings, type MappingStore } from '../../../src/mapping/index.js';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { Fixture } from '../lwm2m/fixture.js';

export const models = ModelRegistry.withBuiltins();

export function compiled(files: Record<string, string>): CompiledMappings {
  const r = compileMappings(Object.entries(files).map(([file, text]) => ({ file, text })), models);
  if (r.errors.length) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.mappings;
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** An MQTT peer (mqtt.js) that records what it receives. */
export class Peer {
  readonly got: Received[] = [];
  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.got.push({ topic, payload: payload.toString(), retain: packet.retain }));
  }

  /** The first message received (now or later) on `topic` satisfying `pred`. */
  async next(topic: string, pred: (body: Record<string, unknown>) => boolean = () => true, ms = 8000): Promise<Record<string, unknown>> {
    const end = Date.now() + ms;
    for (;;) {
      for (const m of this.got) {
        if (m.topic !== topic) continue;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(m.payload) as Record<string, unknown>;
        } catch {
          body = { raw: m.payload };
        }
        if (pred(body)) return body;
      }
      if (Date.now() > end) throw new Error(`nothing on ${topic}; got ${this.got.map((g) => g.topic).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The payload text of the first message received (now or later) on `topic`. */
  async nextText(topic: string, ms = 8000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.got.find((g) => g.topic === topic);
      if (m) return m.payload;
      if (Date.now() > end) throw new Error(`nothing on ${topic}; got ${this.got.map((g) => g.topic).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async publish(topic: string, body: unknown): Promise<void> {
    await this.client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  }
}

export class MqttFixture {
  private readonly peers: Peer[] = [];

  private constructor(
    readonly lwm2m: Fixture,
    readonly broker: EmbeddedBroker,
    readonly link: EmbeddedLink,
    readonly northbound: MqttNorthbound,
    readonly port: number,
  ) {}

  static async start(o: { mappings?: CompiledMappings | MappingStore; presence?: boolean } = {}): Promise<MqttFixture> {
    const lwm2m = await Fixture.start();
    const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const { port } = await broker.start();
    const link = new EmbeddedLink({ broker, ...MqttNorthbound.linkStatus('lwm2m') });
    await link.start();
    const northbound = new MqttNorthbound({
      server: lwm2m.server,
      models,
      link,
      topicPrefix: 'lwm2m',
      ...(o.mappings ? { mappings: o.mappings } : {}),
      ...(o.presence !== undefined ? { presence: o.presence } : {}),
      reloadCheckMs: 50,
    });
    await northbound.start();
    return new MqttFixture(lwm2m, broker, link, northbound, port);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** A connected mqtt.js peer subscribed to `filters` (subscriptions acknowledged). */
  async peer(filters: string[]): Promise<Peer> {
    const client = await mqtt.connectAsync(this.url, { reconnectPeriod: 0 });
    const p = new Peer(client);
    this.peers.push(p);
    if (filters.length) await client.subscribeAsync(filters, { qos: 1 });
    return p;
  }

  async stop(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.client.endAsync(true)));
    await this.northbound.stop();
    await this.link.stop();
    await this.broker.stop();
    await this.lwm2m.stop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
