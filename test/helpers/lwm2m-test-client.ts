/**
 * A simulated LwM2M client for integration tests, on real UDP: registers (1.0/1.1/1.2,
 * binding, queue mode, alternate path, ct list, object versions), answers device
 * management in every format the gateway may ask for, sends notifications, Send (/dp),
 * sleeps and wakes (queue mode), changes its source port (NAT). Every request it receives
 * is recorded for assertions.
 *
 * It shares no code with the gateway's CoAP layer or codecs: it is built on node:dgram,
 * coap-packet and cbor-x so that the two check each other.
 */
import type { Value } from '../../src/lwm2m/node.js';
import type { Block, CoapOpt, Msg } from './lwm2m-test-client-coap.js';
import { METHOD, O, blockBytes, getBlock, getStrings, getUint, opt, szxOf } from './lwm2m-test-client-coap.js';
import { CF, SUPPORTED, encodePayload, parsePath, pathText, senmlHistory } from './lwm2m-test-client-formats.js';
import { RequestHandler, lwm2mPathOf } from './lwm2m-test-client-handler.js';
import { ClientLink } from './lwm2m-test-client-link.js';
import { objectLinks, registerQuery } from './lwm2m-test-client-registration.js';
import type { LinkTiming, Remote } from './lwm2m-test-client-link.js';
import { ObjectStore } from './lwm2m-test-client-store.js';
import { Block1Receiver, Observers, sliceBlock2 } from './lwm2m-test-client-transfer.js';

export { CF } from './lwm2m-test-client-formats.js';
export { O, opt } from './lwm2m-test-client-coap.js';
export type { CoapOpt } from './lwm2m-test-client-coap.js';
export { ObjectStore, STANDARD_OBJECTS, STANDARD_VALUES } from './lwm2m-test-client-store.js';
export type { ObjectDef, ResourceDef, InstanceValues } from './lwm2m-test-client-store.js';

export type LwM2mVersion = '1.0' | '1.1' | '1.2';

export interface TestClientOptions {
  serverPort: number;
  serverAddress?: string;
  endpoint: string;
  version?: LwM2mVersion;
  /** seconds (default 300) */
  lifetime?: number;
  /** default "U" */
  binding?: string;
  /** queue mode: `Q` (1.1+) or `b=UQ` (1.0) */
  queueMode?: boolean;
  /** alternate path, e.g. "/lwm2m" */
  rootPath?: string;
  /** content formats announced with `ct` on the root link */
  contentFormats?: number[];
  /** formats this client understands (default: text, opaque, TLV, SenML JSON/CBOR, LwM2M CBOR) */
  formats?: number[];
  /** read format above resource level when no Accept (default: TLV for 1.0, SenML CBOR otherwise) */
  defaultFormat?: number;
  /**
   * answer 5.00 to a Read or Observe without Accept, as a client built without a default
   * format does (a format it lacks is a 4.06 either way: see `formats`)
   */
  requireAccept?: boolean;
  /** largest block this client serves (Block2) or accepts (Block1) (default 1024) */
  blockSize?: number;
  /** block size for the client's own large requests (Register, Update, Send) (default 1024) */
  uplinkBlockSize?: number;
  /** notifications as CON (default NON) */
  confirmableNotifications?: boolean;
  store?: ObjectStore;
  timing?: Partial<LinkTiming>;
  /** extra Register query parameters, e.g. ["pid=7"] */
  extraQuery?: string[];
}

export interface RecordedRequest {
  method: string;
  /** the LwM2M path after the alternate root, "" when outside it */
  path: string;
  uriPath: string[];
  query: string[];
  accept?: number;
  contentFormat?: number;
  observe?: number;
  block1?: Block;
  block2?: Block;
  token: Buffer;
  confirmable: boolean;
  payload: Buffer;
  from: Remote;
  /** the code this client answered */
  responseCode?: string;
  at: number;
}

export interface Response {
  code: string;
  options: CoapOpt[];
  payload: Buffer;
  contentFormat?: number;
  location: string[];
}

/** What the client is about to send back: an answer to a request, or a notification. */
export interface Outgoing {
  kind: 'answer' | 'notification';
  /** the request answered (kind 'answer') */
  request?: RecordedRequest;
  code: string;
  options: CoapOpt[];
  payload: Buffer;
}

export class Lwm2mTestClient {
  /** Rewrites what the client sends back (a misbehaving device); undefined: as computed. */
  tamper: ((out: Outgoing) => { code: string; options: CoapOpt[]; payload: Buffer }) | undefined;
  readonly store: ObjectStore;
  readonly received: RecordedRequest[] = [];
  readonly executed: { path: string; args: string }[] = [];
  /** notifications sent: token (hex), observe sequence, paths */
  readonly notificationsSent: { token: string; seq: number; confirmable: boolean }[] = [];
  readonly version: LwM2mVersion;
  location: string[] = [];
  private readonly link: ClientLink;
  private readonly handler: RequestHandler;
  private readonly observers: Observers;
  private readonly block1: Block1Receiver;
  private readonly szx: number;
  private readonly uplinkSzx: number;
  private readonly root: string[];
  private readonly server: Remote;
  private waiters: (() => void)[] = [];

  constructor(readonly options: TestClientOptions) {
    this.version = options.version ?? '1.1';
    this.store = options.store ?? new ObjectStore();
    this.server = { address: options.serverAddress ?? '127.0.0.1', port: options.serverPort };
    this.root = (options.rootPath ?? '').split('/').filter((s) => s.length > 0);
    this.szx = szxOf(options.blockSize ?? 1024);
    this.uplinkSzx = szxOf(options.uplinkBlockSize ?? 1024);
    this.link = new ClientLink({ ackTimeoutMs: 250, maxRetransmit: 4, responseTimeoutMs: 5000, ...options.timing });
    const formats = options.formats ?? [...SUPPORTED];
    this.handler = new RequestHandler({
      store: this.store,
      formats,
      defaultFormat: options.defaultFormat ?? (this.version === '1.0' ? CF.TLV : CF.SENML_CBOR),
      requireAccept: options.requireAccept ?? false,
      root: this.root,
      onExecute: (path, args) => this.executed.push({ path, args }),
    });
    this.observers = new Observers();
    this.block1 = new Block1Receiver(this.szx);
    this.link.onRequest = (m, from) => this.onRequest(m, from);
    this.link.onStrayReset = (mid) => this.observers.resetByMid(mid);
  }

  get port(): number {
    return this.link.port;
  }

  get registrationId(): string | undefined {
    return this.location[this.location.length - 1];
  }

  /** Block1 blocks this client sent for its own large requests */
  get uplinkBlocks(): number {
    return this.link.uplinkBlocks;
  }

  get retransmissions(): number {
    return this.link.retransmissions;
  }

  get duplicatesReceived(): number {
    return this.link.duplicatesReceived;
  }

  /** datagrams that arrived while asleep (and were ignored) */
  get droppedWhileAsleep(): number {
    return this.link.dropped;
  }

  get asleep(): boolean {
    return this.link.asleep;
  }

  /** observations this client holds: token (hex) -> paths */
  observations(): { token: string; paths: string[]; composite: boolean; format: number }[] {
    return this.observers.list();
  }

  async start(): Promise<this> {
    await this.link.open(this.server.address);
    return this;
  }

  async stop(): Promise<void> {
    this.observers.clear();
    await this.link.close();
    for (const w of this.waiters.splice(0)) w();
  }

  // ---- client-initiated requests ----

  /** Any request to the server (CON unless told). */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'iPATCH',
    uriPath: string[],
    o: {
      query?: string[];
      contentFormat?: number;
      accept?: number;
      payload?: Buffer;
      confirmable?: boolean;
      options?: CoapOpt[];
      /** send the first transmission twice (a doubled datagram) */
      duplicate?: boolean;
    } = {},
  ): Promise<Response> {
    const code = Object.entries(METHOD).find(([, v]) => v === method)![0];
    const options: CoapOpt[] = [...(o.options ?? [])];
    for (const s of uriPath) options.push(opt(O.UriPath, s));
    if (o.contentFormat !== undefined) options.push(opt(O.ContentFormat, o.contentFormat));
    for (const q of o.query ?? []) options.push(opt(O.UriQuery, q));
    if (o.accept !== undefined) options.push(opt(O.Accept, o.accept));
    const payload = o.payload ?? Buffer.alloc(0);
    const type = o.confirmable === false ? 'NON' : 'CON';
    const m =
      payload.length > blockBytes(this.uplinkSzx)
        ? await this.link.requestInBlocks(code, options, payload, this.uplinkSzx, this.server)
        : await this.link.request({ type, code, options, payload }, this.server, o.duplicate ?? false);
    return {
      code: m.code,
      options: m.options,
      payload: m.payload,
      contentFormat: getUint(m, O.ContentFormat),
      location: getStrings(m, O.LocationPath),
    };
  }

  /** The registration payload: root link, then object and instance links. */
  objectLinks(): string {
    return objectLinks(this.store, this.root, this.options.contentFormats);
  }

  registerQuery(): string[] {
    return registerQuery(this.options, this.version);
  }

  /** Register; on 2.01 keeps the Location-Path for Update and De-register. */
  async register(o: { query?: string[]; payload?: string; duplicate?: boolean } = {}): Promise<Response> {
    const r = await this.request('POST', ['rd'], {
      query: o.query ?? this.registerQuery(),
      contentFormat: CF.LINK,
      payload: Buffer.from(o.payload ?? this.objectLinks()),
      duplicate: o.duplicate ?? false,
    });
    if (r.code === '2.01') this.location = r.location;
    return r;
  }

  /** Update: no parameters = lifetime refresh; `objects` sends the object links again. */
  async update(o: { lifetime?: number; binding?: string; queueMode?: boolean; objects?: boolean; query?: string[] } = {}): Promise<Response> {
    const query = [...(o.query ?? [])];
    if (o.lifetime !== undefined) query.push(`lt=${o.lifetime}`);
    if (o.binding !== undefined) query.push(`b=${o.binding}`);
    if (o.queueMode) query.push('Q');
    return this.request('POST', this.location, {
      query,
      ...(o.objects ? { contentFormat: CF.LINK, payload: Buffer.from(this.objectLinks()) } : {}),
    });
  }

  async deregister(): Promise<Response> {
    const r = await this.request('DELETE', this.location);
    this.observers.clear();
    return r;
  }

  /** Send (/dp): the current values at `paths`, in SenML CBOR (default), SenML JSON or LwM2M CBOR. */
  async send(paths: string[], o: { format?: number; baseTime?: number; confirmable?: boolean } = {}): Promise<Response> {
    const format = o.format ?? CF.SENML_CBOR;
    const leaves = paths.flatMap((p) => this.store.leaves(parsePath(p)) ?? []);
    const payload = encodePayload(format, [], leaves, { baseTime: o.baseTime });
    if (!payload) throw new Error(`format ${format} cannot carry a Send`);
    return this.request('POST', ['dp'], { contentFormat: format, payload, confirmable: o.confirmable });
  }

  /** Send (/dp) of timestamped values (seconds since the epoch), oldest first, in SenML CBOR or JSON. */
  async sendHistory(entries: { path: string; time: number; value: Value }[], o: { format?: number } = {}): Promise<Response> {
    const format = o.format ?? CF.SENML_CBOR;
    const payload = senmlHistory(
      format,
      entries.map((e) => {
        const path = parsePath(e.path);
        return { leaf: { path, type: this.store.typeOf(path[0]!, path[2]!), value: e.value }, time: e.time };
      }),
    );
    if (!payload) throw new Error(`format ${format} cannot carry timestamps`);
    return this.request('POST', ['dp'], { contentFormat: format, payload });
  }

  // ---- queue mode and NAT ----

  /** Stops answering (every datagram is ignored) until wake(). */
  sleep(): void {
    this.link.asleep = true;
  }

  /** Answers again and sends an Update (the way a queue-mode client says it is awake). */
  async wake(o: { update?: boolean } = {}): Promise<Response | undefined> {
    this.link.asleep = false;
    return o.update === false ? undefined : this.update();
  }

  /** NAT rebinding: a new socket on another port (or, with `serverAddress`, another address family), then an Update from it. */
  async rebind(o: { update?: boolean; serverAddress?: string } = {}): Promise<Response | undefined> {
    const old = this.port;
    const family = this.server.address.includes(':');
    if (o.serverAddress !== undefined) this.server.address = o.serverAddress;
    do await this.link.open(this.server.address);
    while (this.port === old && family === this.server.address.includes(':'));
    return o.update === false ? undefined : this.update();
  }

  /** Talks to another server port from now on, from the same socket (a UDP load balancer that moved the client to another instance). */
  retarget(serverPort: number): void {
    const old = { ...this.server };
    this.server.port = serverPort;
    // its notifications too: the balancer's address is the same, the instance behind it is not
    this.observers.movePeer(old, { address: old.address, port: serverPort });
  }

  /** Loses the next `n` datagrams that reach this client (the server must retransmit). */
  loseNext(n: number): void {
    this.link.dropNext = n;
  }

  /** Loses this client's next `n` answers (the server retransmits, the client replays the answer). */
  loseNextAnswers(n: number): void {
    this.link.dropAnswers = n;
  }

  /** datagrams lost by loseNext or loseNextAnswers */
  get lost(): number {
    return this.link.lost;
  }

  /** Answers CON requests with an empty ACK, then the response `ms` later (undefined: piggybacked). */
  separateResponses(ms: number | undefined): void {
    this.link.separateAfterMs = ms;
  }

  // ---- values and notifications ----

  /** Sets a value and notifies the observations that cover it. */
  set(path: string, value: Value, o: { confirmable?: boolean } = {}): Promise<void> {
    this.store.set(path, value);
    return this.notifyChanged([path], o.confirmable);
  }

  /** Sends a notification to every observation covering one of `paths` (or all of them). */
  async notifyChanged(paths: string[] | undefined, confirmable = this.options.confirmableNotifications ?? false): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const ob of this.observers.covering(paths)) {
      const reply = ob.composite ? this.handler.compositeReadReply(ob.paths, ob.format) : this.handler.readReply(ob.paths[0]!, ob.format);
      if (reply.code !== '2.05') continue;
      const seq = this.observers.nextSeq(ob);
      const sliced = sliceBlock2(reply.payload, { num: 0, more: false, szx: this.szx }, this.szx);
      const options = [opt(O.Observe, seq), ...reply.options, ...(sliced?.options ?? [])];
      const out = { code: '2.05', options, payload: sliced?.payload ?? reply.payload };
      const sent = this.tamper ? this.tamper({ kind: 'notification', ...out }) : out;
      const m: Msg = { type: confirmable ? 'CON' : 'NON', mid: this.link.nextMid(), token: ob.token, ...sent };
      this.notificationsSent.push({ token: ob.token.toString('hex'), seq, confirmable });
      this.observers.sentWithMid(m.mid, ob);
      if (confirmable) {
        sends.push(
          this.link.sendConfirmable(m, ob.peer).then(
            () => undefined,
            () => this.observers.remove(ob),
          ),
        );
      } else this.link.send(m, ob.peer);
    }
    await Promise.all(sends);
  }

  // ---- requests from the server ----

  private onRequest(m: Msg, from: Remote): Msg {
    const lwPath = lwm2mPathOf(m, this.root);
    const rec: RecordedRequest = {
      method: METHOD[m.code] ?? m.code,
      path: lwPath ? pathText(lwPath) : '',
      uriPath: getStrings(m, O.UriPath),
      query: getStrings(m, O.UriQuery),
      accept: getUint(m, O.Accept),
      contentFormat: getUint(m, O.ContentFormat),
      observe: getUint(m, O.Observe),
      block1: getBlock(m, O.Block1),
      block2: getBlock(m, O.Block2),
      token: m.token,
      confirmable: m.type === 'CON',
      payload: m.payload,
      from,
      at: Date.now(),
    };
    this.received.push(rec);
    const answered = this.answer(m, from, rec);
    const r = this.tamper ? this.tamper({ kind: 'answer', request: rec, ...answered }) : answered;
    rec.responseCode = r.code;
    for (const w of this.waiters.splice(0)) w();
    const type = m.type === 'CON' ? 'ACK' : 'NON';
    return { type, code: r.code, mid: m.type === 'CON' ? m.mid : this.link.nextMid(), token: m.token, options: r.options, payload: r.payload };
  }

  private answer(m: Msg, from: Remote, rec: RecordedRequest): { code: string; options: CoapOpt[]; payload: Buffer } {
    let payload = m.payload;
    let block1Echo: CoapOpt[] = [];
    if (rec.block1) {
      const step = this.block1.receive(m, rec.block1);
      if (step.reply) return step.reply;
      payload = step.body!;
      block1Echo = step.options;
    }
    const h = this.handler.handle(m, payload);
    const reply = { ...h.reply, options: [...h.reply.options, ...block1Echo] };
    if (h.observe && h.observe.kind === 'observe') {
      const ob = this.observers.add(m.token, h.observe, from);
      reply.options.unshift(opt(O.Observe, this.observers.nextSeq(ob)));
    } else if (h.observe) this.observers.removeToken(m.token);
    if (reply.code === '2.05') {
      const sliced = sliceBlock2(reply.payload, rec.block2 ?? { num: 0, more: false, szx: this.szx }, this.szx);
      if (sliced === null) return { code: '4.02', options: [], payload: Buffer.alloc(0) };
      if (sliced) {
        reply.options.push(...sliced.options);
        reply.payload = sliced.payload;
      }
    }
    if (h.changed.length > 0) setImmediate(() => void this.notifyChanged(h.changed).catch(() => {}));
    return reply;
  }

  // ---- assertions ----

  /** Resolves with the first recorded request (from index `from`) that matches. */
  async waitForRequest(pred: (r: RecordedRequest) => boolean, o: { from?: number; timeoutMs?: number } = {}): Promise<RecordedRequest> {
    const end = Date.now() + (o.timeoutMs ?? 5000);
    for (;;) {
      const hit = this.received.slice(o.from ?? 0).find(pred);
      if (hit) return hit;
      const left = end - Date.now();
      if (left <= 0) throw new Error('no matching request in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The value stored at a path, for assertions after writes. */
  value(path: string): Value | undefined {
    return this.store.get(path);
  }
}
