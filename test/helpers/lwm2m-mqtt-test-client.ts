/**
 * An LwM2M 1.2 client over the MQTT binding, written for the tests from the spec's text
 * (OMA-TS-LightweightM2M_Transport-V1_2 section 8), not from the gateway's code: CBOR
 * maps with integer keys (1 operation, 2 token, 3 ep, 5 uri, 6 paths, 7 payload,
 * 8 lifetime, 9 version, 10 binding, 18 result, 19 content format...), one topic
 * `[prefix/]lwm2m/rd/<endpoint>` for both directions (so it sees its own messages again).
 *
 * Real-client quirks it models on request: the payload of Register as a CBOR text string
 * instead of bytes, the version as text, tokens echoed exactly as received (a CBOR
 * unsigned integer of any width), and an optional last will (an empty message on its topic).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { Decoder, Encoder } from 'cbor-x';

const dec = new Decoder({ mapsAsObjects: false, useRecords: false });
const enc = new Encoder({ mapsAsObjects: false, useRecords: false, variableMapSize: true });

/** Operation codes (Transport 1.2, Tbls 8.3.2-1, 8.3.3-1, 8.3.4-1). */
export const OP = {
  register: 6,
  update: 7,
  deregister: 8,
  read: 9,
  readComposite: 10,
  discover: 11,
  writeReplace: 12,
  writePartial: 13,
  writeAttributes: 14,
  writeComposite: 15,
  execute: 16,
  create: 17,
  delete: 18,
  observe: 20,
  observeComposite: 21,
  cancelObserve: 22,
  notify: 23,
  send: 24,
} as const;

export type CborMap = Map<number, unknown>;

export interface MqttClientOptions {
  url: string;
  endpoint: string;
  prefix?: string;
  username?: string;
  password?: string;
  clientId?: string;
  /** an empty will on its own topic */
  will?: boolean;
  /** quirk: Register's object list as a text string */
  payloadAsText?: boolean;
  /** values read as text/plain (content format 0) */
  values?: Record<string, string>;
  /** mqtts: the CA to trust, and a client certificate */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** answers Read and Observe of a uri not in `values` (an instance, say): content format and payload, or undefined (4.04) */
  reader?: (uri: string) => { ct: number; payload: Buffer } | undefined;
}

export function encodeMap(entries: Array<[number, unknown]>): Buffer {
  return enc.encode(new Map(entries));
}

export function decodeMap(b: Buffer): CborMap | undefined {
  try {
    const v: unknown = dec.decode(b);
    return v instanceof Map ? (v as CborMap) : undefined;
  } catch {
    return undefined;
  }
}

export class MqttLwm2mTestClient {
  readonly topic: string;
  /** the Bootstrap interface's topic: `[prefix/]lwm2m/bs/<endpoint>` */
  readonly bsTopic: string;
  /** Bootstrap-Write, -Delete... received on the bs topic: [operation, uri] */
  readonly bootstrapSteps: [number, string | undefined][] = [];
  readonly bootstrapWrites = new Map<string, { ct: unknown; payload: Buffer }>();
  private finished: (() => void) | undefined;
  readonly values: Map<string, string>;
  /** every server request received (a map each) */
  readonly requests: CborMap[] = [];
  readonly written: { uri: string; ct: unknown; payload: Buffer }[] = [];
  readonly executed: string[] = [];
  /** observed uri -> token as received */
  readonly observations = new Map<string, unknown>();
  /** results to our requests, by token */
  private readonly waiting = new Map<number, (m: CborMap) => void>();
  private next = 1;
  private client: MqttClient | undefined;

  constructor(readonly o: MqttClientOptions) {
    this.topic = `${o.prefix ? `${o.prefix}/` : ''}lwm2m/rd/${o.endpoint}`;
    this.bsTopic = `${o.prefix ? `${o.prefix}/` : ''}lwm2m/bs/${o.endpoint}`;
    this.values = new Map(Object.entries(o.values ?? { '/3/0/0': 'Test Manufacturer', '/3303/0/5700': '21.5' }));
  }

  async start(): Promise<this> {
    this.client = await connectAsync(
      this.o.url,
      {
        protocolVersion: 4,
        clientId: this.o.clientId ?? this.o.endpoint,
        reconnectPeriod: 0,
        ...(this.o.username !== undefined ? { username: this.o.username } : {}),
        ...(this.o.password !== undefined ? { password: this.o.password } : {}),
        ...(this.o.tls ? { ...this.o.tls, rejectUnauthorized: true } : {}),
        ...(this.o.will ? { will: { topic: this.topic, payload: Buffer.alloc(0), qos: 1, retain: false } } : {}),
      },
      false,
    );
    this.client.on('message', (t, p) => (t === this.bsTopic ? this.onBootstrap(p) : t === this.topic ? this.onMessage(p) : undefined));
    await this.client.subscribeAsync(this.topic, { qos: 1 });
    return this;
  }

  get mqtt(): MqttClient {
    if (!this.client) throw new Error('not started');
    return this.client;
  }

  /** publishes raw bytes on a topic (hostile tests) */
  async raw(topic: string, payload: Buffer): Promise<void> {
    await this.mqtt.publishAsync(topic, payload, { qos: 1 });
  }

  private async answer(token: unknown, result: number, extra: Array<[number, unknown]> = []): Promise<void> {
    await this.mqtt.publishAsync(this.topic, encodeMap([[18, result], [2, token], ...extra]), { qos: 1 });
  }

  private onMessage(payload: Buffer): void {
    const m = decodeMap(payload);
    if (!m) return;
    const token = m.get(2);
    if (m.has(18)) {
      const w = typeof token === 'number' ? this.waiting.get(token) : undefined;
      if (w) {
        this.waiting.delete(token as number);
        w(m);
      }
      return; // or our own answer, echoed
    }
    const op = m.get(1);
    if (op === OP.register || op === OP.update || op === OP.deregister || op === OP.notify || op === OP.send) return; // ours, echoed
    this.requests.push(m);
    this.serve(op as number, token, m).catch(() => undefined); // a dropped connection
  }

  /** Bootstrap-Request (0) on the bs topic; resolves at Bootstrap-Finish (5) */
  async bootstrap(timeoutMs = 8000): Promise<number> {
    await this.mqtt.subscribeAsync(this.bsTopic, { qos: 1 });
    const done = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no Bootstrap-Finish')), timeoutMs);
      this.finished = () => {
        clearTimeout(t);
        resolve();
      };
    });
    const r = await this.request(0, [], timeoutMs, this.bsTopic);
    if (r.get(18) !== 204) return r.get(18) as number;
    await done;
    return 204;
  }

  private onBootstrap(payload: Buffer): void {
    const m = decodeMap(payload);
    if (!m) return;
    const token = m.get(2);
    if (m.has(18)) {
      const w = typeof token === 'number' ? this.waiting.get(token) : undefined;
      if (w) {
        this.waiting.delete(token as number);
        w(m);
      }
      return;
    }
    const op = m.get(1) as number;
    if (op === 0 || op === 6) return; // ours, echoed
    const uri = typeof m.get(5) === 'string' ? (m.get(5) as string) : undefined;
    this.bootstrapSteps.push([op, uri]);
    const answer = (result: number, extra: Array<[number, unknown]> = []): Promise<unknown> => this.mqtt.publishAsync(this.bsTopic, encodeMap([[18, result], [2, token], ...extra]), { qos: 1 });
    let reply: Promise<unknown>;
    if (op === 1) {
      this.bootstrapWrites.set(uri ?? '/', { ct: m.get(19), payload: Buffer.from(m.get(7) as Uint8Array) });
      reply = answer(204);
    } else if (op === 3) reply = answer(202);
    else if (op === 4) reply = answer(205, [[19, 40], [7, Buffer.from('</0/0>,</1/0>,</3/0>')]]);
    else if (op === 5) {
      reply = answer(204).then(() => this.finished?.());
    } else reply = answer(501);
    reply.catch(() => undefined);
  }

  private async serve(op: number, token: unknown, m: CborMap): Promise<void> {
    const uri = typeof m.get(5) === 'string' ? (m.get(5) as string) : '';
    switch (op) {
      case OP.read: {
        const v = this.content(uri);
        return v === undefined ? this.answer(token, 404) : this.answer(token, 205, [[19, v.ct], [7, v.payload]]);
      }
      case OP.writeReplace:
      case OP.writePartial:
        this.written.push({ uri, ct: m.get(19), payload: Buffer.from(m.get(7) as Uint8Array) });
        return this.answer(token, 204);
      case OP.writeAttributes:
        return this.answer(token, 204);
      case OP.execute:
        this.executed.push(uri);
        return this.answer(token, 204);
      case OP.discover:
        return this.answer(token, 205, [[19, 40], [7, Buffer.from(`<${uri}>`)]]);
      case OP.observe: {
        const v = this.content(uri);
        if (v === undefined) return this.answer(token, 404);
        this.observations.set(uri, token);
        return this.answer(token, 205, [[19, v.ct], [7, v.payload]]);
      }
      case OP.cancelObserve:
        for (const [k, t] of this.observations) if (t === token || (typeof t === 'bigint' && t === BigInt(token as number))) this.observations.delete(k);
        return this.answer(token, 205);
      default:
        return this.answer(token, 501);
    }
  }

  /** what a Read of `uri` answers: its text value (content format 0), else the reader's */
  private content(uri: string): { ct: number; payload: Buffer } | undefined {
    const v = this.values.get(uri);
    return v !== undefined ? { ct: 0, payload: Buffer.from(v) } : this.o.reader?.(uri);
  }

  /** sends a request map (key 1 `op`, a fresh token, `fields`) and resolves with the result map */
  async request(op: number, fields: Array<[number, unknown]> = [], timeoutMs = 5000, topic = this.topic): Promise<CborMap> {
    const token = this.next++;
    const done = new Promise<CborMap>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(token);
        reject(new Error(`no result for operation ${op}`));
      }, timeoutMs);
      this.waiting.set(token, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
    await this.mqtt.publishAsync(topic, encodeMap([[1, op], [2, token], ...fields]), { qos: 1 });
    return done;
  }

  async register(o: { lifetime?: number; version?: string; binding?: string; objects?: string } = {}): Promise<number> {
    const links = o.objects ?? '</1/0>,</3/0>,</3303/0>';
    const r = await this.request(OP.register, [
      [8, o.lifetime ?? 300],
      [9, o.version ?? '1.2'],
      [10, o.binding ?? 'M'],
      [7, this.o.payloadAsText ? links : Buffer.from(links)],
    ]);
    return r.get(18) as number;
  }

  async update(fields: Array<[number, unknown]> = []): Promise<number> {
    return (await this.request(OP.update, fields)).get(18) as number;
  }

  async deregister(): Promise<number> {
    return (await this.request(OP.deregister)).get(18) as number;
  }

  /** Send (24) of SenML CBOR records (content format 112) */
  async send(records: Array<Map<number, unknown>>): Promise<number> {
    return (await this.request(OP.send, [[19, 112], [7, enc.encode(records)]])).get(18) as number;
  }

  /** Notify (23) on an observation, with the observation's token, the value as text/plain */
  async notify(uri: string, value: string): Promise<void> {
    this.values.set(uri, value);
    const token = this.observations.get(uri);
    if (token === undefined) throw new Error(`${uri} is not observed`);
    await this.mqtt.publishAsync(this.topic, encodeMap([[1, OP.notify], [2, token], [19, 0], [7, Buffer.from(value)]]), { qos: 1 });
  }

  /** ends the connection without DISCONNECT, so the broker publishes the will */
  async drop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    c.stream.destroy();
    await c.endAsync(true);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true);
  }
}
