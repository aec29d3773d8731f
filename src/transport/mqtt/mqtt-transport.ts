/**
 * The MQTT binding's message layer, without the broker connection (mqtt-binding.ts owns
 * it): what arrives on `[PREFIX/]lwm2m/rd/<endpoint>` becomes core uplinks, responses to
 * pending downlinks (matched by token and endpoint) or notifications; downlinks leave as
 * request maps on the same topic. The server sees its own publications again (client and
 * server share the topic): requests only a server sends and the results it published are
 * recognised and dropped. Every table is bounded.
 */
import type { Logger } from '../../log.js';
import type { DeviceTransport, DownlinkRequest, DownlinkResponse, Peer, SendOptions, UplinkHandler } from '../../lwm2m/transport.js';
import { TransportError } from '../../lwm2m/transport.js';
import { decodeResponse, encodeDownlink } from './downlink-encode.js';
import { bytesField, decodeMessage, encodeMessage, tokenOfBytes, uintField, type MqttMessage, type TokenKey } from './message-codec.js';
import { BOOTSTRAP_LEVEL, CLIENT_BS_OPS, CLIENT_OPS, Key, Op, REGISTRATION_LEVEL, SERVER_BS_OPS, SERVER_OPS, TOPIC_ROOT } from './operation-table.js';
import { mapBootstrapUplink, mapUplink, resultOf } from './uplink-map.js';

export interface MqttTransportOptions {
  handler: UplinkHandler;
  /** topic prefix before `lwm2m/`; '' for none */
  prefix: string;
  /** the interface served: `rd` (registration, device management, reporting) or `bs` (bootstrap) */
  level?: 'rd' | 'bs';
  publish(topic: string, payload: Buffer): void;
  maxPayloadBytes: number;
  /** downlinks awaiting an answer, all clients together */
  maxPending: number;
  /** uplinks of one client being handled at once; more are answered 503 */
  maxUplinksPerClient?: number;
  defaultTimeoutMs?: number;
  logger: Logger;
}

interface Pending {
  ep: string;
  op: DownlinkRequest['op'];
  resolve(r: DownlinkResponse): void;
  timer: NodeJS.Timeout;
  reject(e: Error): void;
}

const ECHO_CAPACITY = 4096;
/** endpoints whose registration id is kept (a forgotten one's Update gets 4.04: it registers again) */
const MAX_REGISTRATIONS = 1_000_000;

export class MqttLwm2mTransport implements DeviceTransport {
  readonly name = 'mqtt';
  private readonly pending = new Map<TokenKey, Pending>();
  /** live observations: MQTT token -> endpoint and the core's token */
  private readonly observations = new Map<TokenKey, { ep: string; token: Uint8Array }>();
  /** registration ids by endpoint (Update and De-register name no location) */
  readonly registrations = new Map<string, string>();
  /** clients whose MQTT session ended (their will): downlinks fail at once until they speak */
  private readonly asleep = new Set<string>();
  private readonly busy = new Map<string, number>();
  /** results this server published, "<ep> <token> <result>": their echo is dropped */
  private readonly echoes = new Map<string, number>();
  private nextToken = BigInt(Math.floor(Math.random() * 0x7fffffff)) + 1n;
  private readonly refused: Record<string, number> = {};
  /** `[prefix/]lwm2m/rd/` or `.../bs/` */
  private readonly base: string;
  private readonly bootstrap: boolean;
  private stopped = false;

  constructor(private readonly o: MqttTransportOptions) {
    const root = o.prefix ? `${o.prefix}/${TOPIC_ROOT}` : TOPIC_ROOT;
    this.bootstrap = o.level === 'bs';
    this.base = `${root}/${this.bootstrap ? BOOTSTRAP_LEVEL : REGISTRATION_LEVEL}/`;
  }

  /** the filter the server subscribes to */
  get filters(): string[] {
    return [`${this.base}+`];
  }

  refusedMessages(): Readonly<Record<string, number>> {
    return { ...this.refused };
  }

  private count(reason: string): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
  }

  private topicOf(ep: string): string {
    return this.base + ep;
  }

  private peerOf(ep: string): Peer {
    return { transport: this.name, key: ep, address: this.topicOf(ep), port: 0 };
  }

  private publishMap(ep: string, entries: ReadonlyArray<readonly [number, unknown]>): void {
    this.o.publish(this.base + ep, encodeMessage(entries));
  }

  /** a result map (with a body for a content result); its echo is remembered to be dropped */
  private answer(ep: string, token: TokenKey | undefined, result: number, body: Array<readonly [number, unknown]> = []): void {
    if (token === undefined) return; // nothing to answer with
    const echo = `${ep} ${token} ${result}`;
    this.echoes.set(echo, (this.echoes.get(echo) ?? 0) + 1);
    if (this.echoes.size > ECHO_CAPACITY) this.echoes.delete(this.echoes.keys().next().value!);
    this.publishMap(ep, [[Key.result, result], [Key.token, token], ...body]);
  }

  /** One message from the broker. Never throws. */
  handleMessage(topic: string, payload: Uint8Array): void {
    if (this.stopped) return;
    if (!topic.startsWith(this.base)) return this.count('topic');
    const ep = topic.slice(this.base.length);
    if (ep.length === 0 || ep.length > 256 || ep.includes('/')) return this.count('topic');
    if (payload.length === 0) {
      // an empty message on its own topic is the client's will: its session is lost
      if (this.registrations.has(ep)) this.asleep.add(ep);
      return;
    }
    const d = decodeMessage(payload, this.o.maxPayloadBytes);
    if (!d.ok) return this.count(d.reason);
    const m = d.message;
    if (m.result !== undefined) return this.onResult(ep, m);
    const op = m.operation!;
    if ((this.bootstrap ? SERVER_BS_OPS : SERVER_OPS).has(op)) return; // our own request, echoed
    this.asleep.delete(ep);
    if (op === Op.notify && !this.bootstrap) return this.onNotify(ep, m);
    if (!(this.bootstrap ? CLIENT_BS_OPS : CLIENT_OPS).has(op)) {
      this.count('operation');
      return this.answer(ep, m.token, 501);
    }
    void this.onRequest(ep, m);
  }

  private onResult(ep: string, m: MqttMessage): void {
    const token = m.token;
    if (token === undefined) return this.count('token');
    const echo = `${ep} ${token} ${m.result}`;
    const seen = this.echoes.get(echo);
    if (seen !== undefined) {
      if (seen <= 1) this.echoes.delete(echo);
      else this.echoes.set(echo, seen - 1);
      return;
    }
    const p = this.pending.get(token);
    if (!p || p.ep !== ep) return this.count('token');
    this.pending.delete(token);
    clearTimeout(p.timer);
    this.asleep.delete(ep);
    p.resolve(decodeResponse(m, p.op));
  }

  private onNotify(ep: string, m: MqttMessage): void {
    const token = m.token;
    const obs = token === undefined ? undefined : this.observations.get(token);
    if (!obs || obs.ep !== ep) {
      this.count('token');
      // the MQTT counterpart of a CoAP reset: cancel what the client still reports
      if (token !== undefined) this.publishMap(ep, [[Key.operation, Op.cancelObserve], [Key.token, token]]);
      return;
    }
    const cf = uintField(m, Key.contentFormat);
    const known = this.o.handler.handleNotification(this.peerOf(ep), {
      token: obs.token,
      code: '2.05',
      payload: bytesField(m, Key.payload) ?? new Uint8Array(0),
      ...(cf !== undefined && cf <= 65535 ? { contentFormat: cf } : {}),
    });
    if (!known) {
      this.observations.delete(token!);
      this.publishMap(ep, [[Key.operation, Op.cancelObserve], [Key.token, token!]]);
    }
  }

  private async onRequest(ep: string, m: MqttMessage): Promise<void> {
    const n = this.busy.get(ep) ?? 0;
    if (n >= (this.o.maxUplinksPerClient ?? 8)) return this.answer(ep, m.token, 503);
    this.busy.set(ep, n + 1);
    try {
      const mapped = this.bootstrap ? mapBootstrapUplink(m, ep) : mapUplink(m, ep, this.registrations);
      if ('answer' in mapped) return this.answer(ep, m.token, mapped.answer);
      const r = await this.o.handler.handleUplink(this.peerOf(ep), mapped.uplink);
      if (r.code === 'created') {
        this.registrations.delete(ep);
        this.registrations.set(ep, r.registrationId);
        // bounded: the oldest registrations (most likely expired since) are forgotten first
        if (this.registrations.size > MAX_REGISTRATIONS) this.registrations.delete(this.registrations.keys().next().value!);
      }
      if (mapped.uplink.kind === 'deregister' && r.code === 'deleted') this.registrations.delete(ep);
      const body: Array<readonly [number, unknown]> = [];
      if (r.code === 'content') {
        if (r.contentFormat !== undefined) body.push([Key.contentFormat, r.contentFormat]);
        body.push([Key.payload, r.payload]);
      }
      this.answer(ep, m.token, resultOf(r), body);
    } catch (e) {
      this.o.logger.warn('mqtt binding: uplink failed', { error: (e as Error).message });
      this.answer(ep, m.token, 500);
    } finally {
      const left = (this.busy.get(ep) ?? 1) - 1;
      if (left <= 0) this.busy.delete(ep);
      else this.busy.set(ep, left);
    }
  }

  private newToken(): TokenKey {
    for (;;) {
      const t = (this.nextToken++).toString();
      if (this.nextToken > 0xffffffffn) this.nextToken = 1n;
      if (!this.pending.has(t) && !this.observations.has(t)) return t;
    }
  }

  send(peer: Peer, req: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse> {
    const ep = peer.key;
    if (this.stopped) return Promise.reject(new TransportError('STOPPED', 'mqtt binding stopped'));
    if (this.asleep.has(ep)) return Promise.reject(new TransportError('TIMEOUT', 'the client lost its MQTT session (its will arrived)'));
    if (this.pending.size >= this.o.maxPending) return Promise.reject(new TransportError('UNREACHABLE', 'mqtt binding: too many requests in flight'));
    const observing = req.op === 'observe' || req.op === 'observeComposite' || req.op === 'cancelObserve' || req.op === 'cancelObserveComposite';
    const token = observing && req.token ? tokenOfBytes(req.token) : this.newToken();
    if (this.pending.has(token)) return Promise.reject(new TransportError('UNREACHABLE', 'mqtt binding: a request with this token is in flight'));
    let entries;
    try {
      entries = encodeDownlink(req, token);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (req.op === 'observe' || req.op === 'observeComposite') this.observations.set(token, { ep, token: req.token! });
    if (req.op === 'cancelObserve' || req.op === 'cancelObserveComposite') this.observations.delete(token);
    return new Promise<DownlinkResponse>((resolve, reject) => {
      const timeoutMs = options?.timeoutMs ?? this.o.defaultTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.pending.delete(token);
        if (req.op === 'observe' || req.op === 'observeComposite') this.observations.delete(token);
        reject(new TransportError('TIMEOUT', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, { ep, op: req.op, resolve, reject, timer });
      this.publishMap(ep, entries);
    }).then((r) => {
      if ((req.op === 'observe' || req.op === 'observeComposite') && r.observe === undefined) this.observations.delete(token);
      return r;
    });
  }

  forgetObservation(_peer: Peer, token: Uint8Array): void {
    this.observations.delete(tokenOfBytes(token));
  }

  restoreObservation(peer: Peer, request: DownlinkRequest): void {
    if (request.token && this.observations.size < this.o.maxPending * 100) this.observations.set(tokenOfBytes(request.token), { ep: peer.key, token: request.token });
  }

  /** Fails every pending downlink. */
  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new TransportError('STOPPED', 'mqtt binding stopped'));
    }
    this.pending.clear();
  }

  start(): void {
    this.stopped = false;
  }
}
