/**
 * A device made of a bare UDP socket and coap-packet: every byte it sends is chosen by the
 * test, every datagram it receives is kept in an inbox to be awaited. Nothing answers on
 * its own, so conformance tests see exactly what the gateway sends and when.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { O, decodeMsg, encodeMsg, getStrings, getUint, opt } from '../../helpers/lwm2m-test-client-coap.js';
import type { CoapOpt, Msg, MsgType } from '../../helpers/lwm2m-test-client-coap.js';

export { O, opt, getUint, getStrings, getOpt, readUint } from '../../helpers/lwm2m-test-client-coap.js';
export type { CoapOpt, Msg } from '../../helpers/lwm2m-test-client-coap.js';

export const CODE = { GET: '0.01', POST: '0.02', PUT: '0.03', DELETE: '0.04', FETCH: '0.05', IPATCH: '0.07' } as const;

export interface Received {
  msg: Msg;
  raw: Buffer;
  at: number;
}

export interface RawRequest {
  code: string;
  path?: string[];
  query?: string[];
  contentFormat?: number;
  payload?: Buffer | string;
  options?: CoapOpt[];
  type?: MsgType;
  mid?: number;
  token?: Buffer;
}

let nextMid = 1 + Math.floor(Math.random() * 40_000);

export class RawDevice {
  readonly inbox: Received[] = [];
  /** every message received, in arrival order (never consumed) */
  readonly log: Received[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly sock: dgram.Socket,
    readonly serverPort: number,
    readonly serverAddress: string,
  ) {
    sock.on('message', (raw) => {
      const msg = decodeMsg(raw);
      if (!msg) return;
      const r = { msg, raw, at: Date.now() };
      this.inbox.push(r);
      this.log.push(r);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(serverPort: number, serverAddress = '127.0.0.1'): Promise<RawDevice> {
    const sock = dgram.createSocket(serverAddress.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => sock.bind(0, serverAddress, resolve));
    return new RawDevice(sock, serverPort, serverAddress);
  }

  get port(): number {
    return this.sock.address().port;
  }

  static mid(): number {
    nextMid = (nextMid + 1) & 0xffff;
    return nextMid;
  }

  sendBytes(b: Buffer): void {
    this.sock.send(b, this.serverPort, this.serverAddress);
  }

  send(m: Msg): void {
    this.sendBytes(encodeMsg(m));
  }

  /** Builds a request message (CON by default, fresh MID and 4-byte token). */
  build(r: RawRequest): Msg {
    const options: CoapOpt[] = [...(r.options ?? [])];
    for (const s of r.path ?? []) options.push(opt(O.UriPath, s));
    if (r.contentFormat !== undefined) options.push(opt(O.ContentFormat, r.contentFormat));
    for (const q of r.query ?? []) options.push(opt(O.UriQuery, q));
    const payload = typeof r.payload === 'string' ? Buffer.from(r.payload) : (r.payload ?? Buffer.alloc(0));
    return { type: r.type ?? 'CON', code: r.code, mid: r.mid ?? RawDevice.mid(), token: r.token ?? randomBytes(4), options, payload };
  }

  /** The next received message satisfying `pred`, taken out of the inbox (it stays in `log`). */
  async next(pred: (m: Msg) => boolean = () => true, timeoutMs = 3000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((r) => pred(r.msg));
      if (i >= 0) return this.inbox.splice(i, 1)[0]!.msg;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves undefined if nothing matching comes within `ms`. */
  async none(pred: (m: Msg) => boolean = () => true, ms = 500): Promise<Msg | undefined> {
    try {
      return await this.next(pred, ms);
    } catch {
      return undefined;
    }
  }

  /** Sends a request and waits for its response (piggybacked, or separate after an empty ACK). */
  async request(r: RawRequest, timeoutMs = 3000): Promise<Msg> {
    const m = this.build(r);
    this.send(m);
    return this.responseTo(m, timeoutMs);
  }

  async responseTo(m: Msg, timeoutMs = 3000): Promise<Msg> {
    const res = await this.next(
      (x) =>
        (x.type === 'RST' && x.mid === m.mid) ||
        (x.type === 'ACK' && x.mid === m.mid) ||
        (x.code !== '0.00' && !x.code.startsWith('0.') && x.token.equals(m.token)),
      timeoutMs,
    );
    if (res.type === 'ACK' && res.code === '0.00') {
      const sep = await this.next((x) => !x.code.startsWith('0.') && x.token.equals(m.token), timeoutMs);
      if (sep.type === 'CON') this.send({ type: 'ACK', code: '0.00', mid: sep.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
      return sep;
    }
    return res;
  }

  /** Register and return the registration id (throws unless 2.01). */
  async register(query: string[], links: string, o: Partial<RawRequest> = {}): Promise<string> {
    const res = await this.request({ code: CODE.POST, path: ['rd'], query, contentFormat: 40, payload: links, ...o });
    if (res.code !== '2.01') throw new Error(`register answered ${res.code}`);
    const loc = getStrings(res, O.LocationPath);
    return loc[1]!;
  }

  /** The next request the gateway sends to this device. */
  nextRequest(pred: (m: Msg) => boolean = () => true, timeoutMs = 3000): Promise<Msg> {
    return this.next((m) => (m.type === 'CON' || m.type === 'NON') && m.code.startsWith('0.') && m.code !== '0.00' && pred(m), timeoutMs);
  }

  /** Piggybacked answer to a request from the gateway. */
  answer(req: Msg, code: string, o: { payload?: Buffer | string; contentFormat?: number; options?: CoapOpt[] } = {}): void {
    const options = [...(o.options ?? [])];
    if (o.contentFormat !== undefined) options.push(opt(O.ContentFormat, o.contentFormat));
    const payload = typeof o.payload === 'string' ? Buffer.from(o.payload) : (o.payload ?? Buffer.alloc(0));
    this.send({ type: 'ACK', code, mid: req.mid, token: req.token, options, payload });
  }

  /**
   * Behaves like a client built without a default read format: a GET (not Discover, not a
   * cancel) without Accept is answered 5.00. Returns true when it answered.
   */
  refuseWithoutAccept(req: Msg): boolean {
    if (req.code !== CODE.GET || getUint(req, O.Accept) !== undefined || getUint(req, O.Observe) === 1) return false;
    this.answer(req, '5.00');
    return true;
  }

  /** A notification for the observation started by `req`. */
  notify(
    req: Msg,
    seq: number,
    o: { payload?: Buffer | string; contentFormat?: number; type?: MsgType; code?: string; observe?: boolean; mid?: number } = {},
  ): Msg {
    const options: CoapOpt[] = [];
    if (o.observe !== false) options.push(opt(O.Observe, seq));
    if (o.contentFormat !== undefined) options.push(opt(O.ContentFormat, o.contentFormat));
    const payload = typeof o.payload === 'string' ? Buffer.from(o.payload) : (o.payload ?? Buffer.alloc(0));
    const m: Msg = { type: o.type ?? 'NON', code: o.code ?? '2.05', mid: o.mid ?? RawDevice.mid(), token: req.token, options, payload };
    this.send(m);
    return m;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }
}

export const uriPath = (m: Msg): string => '/' + getStrings(m, O.UriPath).join('/');
export const observeOf = (m: Msg): number | undefined => getUint(m, O.Observe);
export const LINKS = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>';

const cborEncoder = new Encoder({ useTag259ForMaps: false } as ConstructorParameters<typeof Encoder>[0]);
/** CBOR as devices send it: Maps with integer keys as plain CBOR maps (no tag 259). */
export const cbor = (v: unknown): Buffer => cborEncoder.encode(v);
/** SenML CBOR records: name (label 0) and numeric value (label 2). */
export const senmlCbor = (records: [string, number][]): Buffer => cbor(records.map(([n, v]) => new Map<number, unknown>([[0, n], [2, v]])));
