/**
 * A small DTLS 1.2 client for tests, written from the RFCs: TLS_PSK_WITH_AES_128_CCM_8
 * only, cookie exchange, extended master secret, the connection_id extension (RFC 9146)
 * and the abbreviated handshake (session resumption). Its record protection (nonce,
 * additional data, DTLSInnerPlaintext) is its own, over raw AES-CCM, so it checks the
 * server's instead of sharing it; the PRF and key derivation come from src. It can move to
 * a new socket (a NAT rebinding) keeping its session, and build records without sending
 * them (replays, forgeries).
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { ccm8Open, ccm8Seal } from '../../src/transport/dtls/aead-ccm8.js';
import { keyBlock, masterSecret, pskPremaster, sha256, verifyData } from '../../src/transport/dtls/prf.js';
import type { KeyBlock } from '../../src/transport/dtls/prf.js';

const CCM_8 = 0xc0a8;
const T = { ccs: 20, alert: 21, handshake: 22, appData: 23, cid: 25 } as const;
const H = { clientHello: 1, serverHello: 2, helloVerifyRequest: 3, serverHelloDone: 14, clientKeyExchange: 16, finished: 20 } as const;

export interface DtlsTestClientOptions {
  port: number;
  identity: string;
  psk: Buffer;
  /** offer connection_id with this ID (empty: the client wants none in the server's records) */
  connectionId?: Buffer;
  /** offer to resume this session */
  resume?: { id: Buffer; master: Buffer };
  /** split the ClientHello into fragments of this many bytes, one record each */
  helloFragment?: number;
  /** put those records in one datagram each (default: all in one datagram) */
  fragmentDatagrams?: boolean;
  /** the local port to send from (default: any) */
  localPort?: number;
  /** stop before the ClientKeyExchange; `finishHandshake()` goes on */
  pauseAtKeyExchange?: boolean;
  timeoutMs?: number;
}

interface Rec {
  type: number;
  epoch: number;
  seq: number;
  cid?: Buffer;
  body: Buffer;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function vec8(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function handshake(type: number, seq: number, body: Buffer, offset = 0, length = body.length): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUInt16BE(seq, 4);
  h.writeUIntBE(offset, 6, 3);
  h.writeUIntBE(length, 9, 3);
  return Buffer.concat([h, body.subarray(offset, offset + length)]);
}

function header(type: number, epoch: number, seq: number, cid: Buffer, length: number): Buffer {
  const h = Buffer.alloc(13 + cid.length);
  h[0] = type;
  h.writeUInt16BE(0xfefd, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  cid.copy(h, 11);
  h.writeUInt16BE(length, 11 + cid.length);
  return h;
}

/** RFC 9146 5.3 additional data, or RFC 5246 6.2.3.3 without a CID */
function aad(type: number, epoch: number, seq: number, cid: Buffer, length: number): Buffer {
  const es = Buffer.alloc(8);
  es.writeUInt16BE(epoch);
  es.writeUIntBE(seq, 2, 6);
  if (cid.length === 0) return Buffer.concat([es, Buffer.from([type, 0xfe, 0xfd]), u16(length)]);
  return Buffer.concat([Buffer.alloc(8, 0xff), Buffer.from([25, cid.length, 25, 0xfe, 0xfd]), es, cid, u16(length)]);
}

export class DtlsTestClient {
  socket: Socket | undefined;
  readonly received: Buffer[] = [];
  /** called with each application data record as it arrives */
  onData: ((data: Buffer) => void) | undefined;
  /** every datagram from the server, as it came */
  readonly raw: Buffer[] = [];
  readonly alerts: number[] = [];
  /** the CID the server issued (put in our records); empty when none */
  serverCid: Buffer = Buffer.alloc(0);
  sessionId: Buffer = Buffer.alloc(0);
  master: Buffer = Buffer.alloc(0);
  resumed = false;
  private keys: KeyBlock | undefined;
  private readonly seq = [0, 0];
  private inbox: Rec[] = [];
  /** protected records that came before the keys */
  private early: Rec[] = [];
  private wake: (() => void) | undefined;
  private readonly ownCid: Buffer;
  private paused: (() => Promise<void>) | undefined;

  constructor(readonly o: DtlsTestClientOptions) {
    this.ownCid = o.connectionId ?? Buffer.alloc(0);
  }

  static async connect(o: DtlsTestClientOptions): Promise<DtlsTestClient> {
    const c = new DtlsTestClient(o);
    await c.rebind(o.localPort);
    await c.handshake();
    return c;
  }

  get port(): number {
    return this.socket!.address().port;
  }

  /** A new socket (new source port) for the same session: what a NAT rebinding looks like to the server. */
  async rebind(localPort = 0): Promise<void> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(localPort, '127.0.0.1', () => r()));
    s.on('message', (d) => this.onDatagram(d));
    const old = this.socket;
    this.socket = s;
    if (old) await new Promise<void>((r) => old.close(() => r()));
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    return s ? new Promise<void>((r) => s.close(() => r())) : Promise.resolve();
  }

  sendRaw(datagram: Buffer): void {
    this.socket?.send(datagram, this.o.port, '127.0.0.1');
  }

  /** The next record of `type` (epoch 1, with the server's CID when it issued one), not sent. */
  seal(type: number, content: Buffer, cid = this.serverCid): Buffer {
    const seq = this.seq[1]!++;
    const nonce = Buffer.concat([this.keys!.clientIv, header(0, 1, seq, Buffer.alloc(0), 0).subarray(3, 11)]);
    const inner = cid.length > 0 ? Buffer.concat([content, Buffer.from([type])]) : content;
    const sealed = ccm8Seal(this.keys!.clientKey, nonce, aad(type, 1, seq, cid, inner.length), inner);
    const fragment = Buffer.concat([nonce.subarray(4), sealed]);
    return Buffer.concat([header(cid.length > 0 ? T.cid : type, 1, seq, cid, fragment.length), fragment]);
  }

  send(data: Buffer): void {
    this.sendRaw(this.seal(T.appData, data));
  }

  /** Resolves with the next application data received after this call. */
  async nextData(ms = this.o.timeoutMs ?? 5000): Promise<Buffer> {
    const n = this.received.length;
    await this.until(() => this.received.length > n, ms);
    return this.received[n]!;
  }

  private plain(type: number, epoch: number, body: Buffer): Buffer {
    return Buffer.concat([header(type, epoch, this.seq[epoch]!++, Buffer.alloc(0), body.length), body]);
  }

  private onDatagram(d: Buffer): void {
    this.raw.push(d);
    let o = 0;
    while (o + 13 <= d.length) {
      const type = d[o]!;
      const cid = type === T.cid ? d.subarray(o + 11, o + 11 + this.ownCid.length) : Buffer.alloc(0);
      const len = d.readUInt16BE(o + 11 + cid.length);
      const start = o + 13 + cid.length;
      const rec: Rec = { type, epoch: d.readUInt16BE(o + 3), seq: d.readUIntBE(o + 5, 6), body: d.subarray(start, start + len) };
      if (type === T.cid) rec.cid = cid;
      o = start + len;
      if (rec.epoch > 0 && !this.keys) this.early.push(rec);
      else this.accept(rec);
    }
    this.wake?.();
  }

  private accept(rec: Rec): void {
    const opened = rec.epoch === 0 ? rec : this.open(rec);
    if (!opened) return;
    if (opened.type === T.appData) {
      this.received.push(opened.body);
      this.onData?.(opened.body);
    }
    else if (opened.type === T.alert) this.alerts.push(opened.body[1]!);
    this.inbox.push(opened);
  }

  private setKeys(master: Buffer, cr: Buffer, sr: Buffer): void {
    this.master = master;
    this.keys = keyBlock(master, cr, sr, 0, 16, 4);
    for (const r of this.early.splice(0)) this.accept(r);
  }

  private open(r: Rec): Rec | undefined {
    if (!this.keys) return undefined;
    const cid = r.type === T.cid ? r.cid! : Buffer.alloc(0);
    const nonce = Buffer.concat([this.keys.serverIv, r.body.subarray(0, 8)]);
    const sealed = r.body.subarray(8);
    const out = ccm8Open(this.keys.serverKey, nonce, aad(r.type, r.epoch, r.seq, cid, sealed.length - 8), sealed);
    if (!out) return undefined;
    if (cid.length === 0) return { ...r, body: out };
    let i = out.length - 1;
    while (i >= 0 && out[i] === 0) i--;
    return { ...r, type: out[i]!, body: out.subarray(0, i) };
  }

  private async until(cond: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('dtls test client: timed out');
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 20);
      });
    }
  }

  /** The next handshake message of `type` (whole, as received: header and body). */
  private async message(type: number): Promise<Buffer> {
    let found: Buffer | undefined;
    await this.until(() => {
      const i = this.inbox.findIndex((r) => r.type === T.handshake && r.body[0] === type);
      if (i >= 0) found = this.inbox.splice(i, 1)[0]!.body;
      return found !== undefined || this.alerts.length > 0;
    }, this.o.timeoutMs ?? 5000);
    if (this.alerts.length > 0) throw new Error(`dtls test client: alert ${this.alerts[0]}`);
    return found!;
  }

  private helloBody(random: Buffer, cookie: Buffer): Buffer {
    const exts: Buffer[] = [Buffer.from([0, 0x17, 0, 0])];
    if (this.o.connectionId) exts.push(u16(54), u16(this.ownCid.length + 1), vec8(this.ownCid));
    const ext = Buffer.concat(exts);
    const sid = this.o.resume?.id ?? Buffer.alloc(0);
    return Buffer.concat([Buffer.from([0xfe, 0xfd]), random, vec8(sid), vec8(cookie), u16(2), u16(CCM_8), Buffer.from([1, 0]), u16(ext.length), ext]);
  }

  private sendHello(msgSeq: number, body: Buffer): void {
    const size = this.o.helloFragment ?? body.length;
    const records: Buffer[] = [];
    for (let off = 0; off < body.length; off += size) records.push(this.plain(T.handshake, 0, handshake(H.clientHello, msgSeq, body, off, Math.min(size, body.length - off))));
    if (this.o.fragmentDatagrams) for (const r of records) this.sendRaw(r);
    else this.sendRaw(Buffer.concat(records));
  }

  private async handshake(): Promise<void> {
    const cr = randomBytes(32);
    this.sendHello(0, this.helloBody(cr, Buffer.alloc(0)));
    const hvr = await this.message(H.helloVerifyRequest);
    const cookie = hvr.subarray(12 + 3, 12 + 3 + hvr[12 + 2]!);
    const ch = this.helloBody(cr, cookie);
    this.sendHello(1, ch);
    const sh = await this.message(H.serverHello);
    const shBody = sh.subarray(12);
    const sr = shBody.subarray(2, 34);
    this.sessionId = Buffer.from(shBody.subarray(35, 35 + shBody[34]!));
    let o = 35 + shBody[34]! + 3;
    const extEnd = o + 2 + (o + 2 <= shBody.length ? shBody.readUInt16BE(o) : 0);
    for (o += 2; o + 4 <= extEnd; ) {
      const t = shBody.readUInt16BE(o);
      const n = shBody.readUInt16BE(o + 2);
      if (t === 54) this.serverCid = Buffer.from(shBody.subarray(o + 5, o + 5 + shBody[o + 4]!));
      o += 4 + n;
    }
    const transcript = [handshakeMsg(ch, 1), sh];
    const resume = this.o.resume;
    if (resume && this.sessionId.equals(resume.id)) return this.abbreviated(resume.master, cr, sr, transcript);
    transcript.push(await this.message(H.serverHelloDone));
    if (!this.o.pauseAtKeyExchange) return this.keyExchange(cr, sr, transcript);
    this.paused = () => this.keyExchange(cr, sr, transcript);
  }

  /** Goes on with a handshake stopped by `pauseAtKeyExchange`. */
  finishHandshake(): Promise<void> {
    const go = this.paused;
    this.paused = undefined;
    if (!go) throw new Error('dtls test client: no paused handshake');
    return go();
  }

  private async keyExchange(cr: Buffer, sr: Buffer, transcript: Buffer[]): Promise<void> {
    const id = Buffer.from(this.o.identity);
    const cke = handshake(H.clientKeyExchange, 2, Buffer.concat([u16(id.length), id]));
    transcript.push(cke);
    this.setKeys(masterSecret(pskPremaster(this.o.psk), cr, sr, sha256(Buffer.concat(transcript))), cr, sr);
    const fin = handshake(H.finished, 3, verifyData(this.master, 'client', Buffer.concat(transcript)));
    transcript.push(fin);
    this.sendRaw(Buffer.concat([this.plain(T.handshake, 0, cke), this.plain(T.ccs, 0, Buffer.from([1])), this.seal(T.handshake, fin)]));
    const serverFin = await this.message(H.finished);
    if (!serverFin.subarray(12).equals(verifyData(this.master, 'server', Buffer.concat(transcript)))) throw new Error('dtls test client: server Finished does not verify');
  }

  private async abbreviated(master: Buffer, cr: Buffer, sr: Buffer, transcript: Buffer[]): Promise<void> {
    this.setKeys(master, cr, sr);
    this.resumed = true;
    const serverFin = await this.message(H.finished);
    if (!serverFin.subarray(12).equals(verifyData(master, 'server', Buffer.concat(transcript)))) throw new Error('dtls test client: server Finished does not verify');
    transcript.push(serverFin);
    const fin = handshake(H.finished, 2, verifyData(master, 'client', Buffer.concat(transcript)));
    this.sendRaw(Buffer.concat([this.plain(T.ccs, 0, Buffer.from([1])), this.seal(T.handshake, fin)]));
  }
}

/** The ClientHello as it enters the transcript: whole, one fragment. */
function handshakeMsg(body: Buffer, seq: number): Buffer {
  return handshake(H.clientHello, seq, body);
}
