/**
 * The test client's message layer on one UDP socket: CON retransmission of its own
 * requests and notifications (RFC 7252 4.2), matching of ACK/RST and responses,
 * deduplication of the server's requests (4.5), RST for pings.
 */
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { CoapOpt, Msg } from './lwm2m-test-client-coap.js';
import { O, blockBytes, blockOpt, codeClass, decodeMsg, encodeMsg, getBlock, getUint, isRequestCode, opt, szxOf } from './lwm2m-test-client-coap.js';

export interface LinkTiming {
  /** first retransmission after this (no random factor: tests count on it) */
  ackTimeoutMs: number;
  maxRetransmit: number;
  /** wait for a separate response after an empty ACK, or a NON response */
  responseTimeoutMs: number;
}

export interface Remote {
  address: string;
  port: number;
}

interface Outgoing {
  msg: Msg;
  to: Remote;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  onAck: (m: Msg) => void;
  onReset: () => void;
  onGiveUp: () => void;
}

export type RequestListener = (m: Msg, from: Remote) => Msg | undefined;

export class ClientLink {
  private socket: Socket | undefined;
  private mid = Math.floor(Math.random() * 0xffff);
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly byToken = new Map<string, (m: Msg) => void>();
  private readonly dedup = new Map<string, Buffer | 'busy'>();
  /** messages this side sent more than once */
  retransmissions = 0;
  duplicatesReceived = 0;
  /** Block1 blocks sent for this side's own large requests */
  uplinkBlocks = 0;
  /** datagrams dropped while the client is asleep */
  dropped = 0;
  asleep = false;
  /** drop this many incoming datagrams (a lossy network) */
  dropNext = 0;
  /** datagrams dropped by dropNext */
  lost = 0;
  /** do not send this many answers to the server's requests (cached all the same: replayed on retransmission) */
  dropAnswers = 0;
  /** answer CON requests with an empty ACK first and the response this much later (separate response) */
  separateAfterMs: number | undefined;
  onRequest: RequestListener = () => undefined;
  /** RST or ACK for a message of ours nobody waits for (NON notifications) */
  onStrayReset: (mid: number) => void = () => {};

  constructor(private readonly timing: LinkTiming) {}

  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  async open(address: string): Promise<void> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo));
    socket.on('error', () => {});
    const old = this.socket;
    this.socket = socket;
    this.dedup.clear();
    if (old) await new Promise<void>((r) => old.close(() => r()));
  }

  async close(): Promise<void> {
    for (const o of this.outgoing.values()) {
      clearTimeout(o.timer);
      o.onGiveUp();
    }
    this.outgoing.clear();
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  nextMid(): number {
    this.mid = (this.mid + 1) & 0xffff;
    return this.mid;
  }

  newToken(): Buffer {
    return randomBytes(4);
  }

  sendRaw(buf: Buffer, to: Remote): void {
    this.socket?.send(buf, to.port, to.address);
  }

  send(m: Msg, to: Remote): void {
    this.sendRaw(encodeMsg(m), to);
  }

  /** Sends a CON with retransmission; resolves with its ACK (maybe a piggybacked response). */
  sendConfirmable(m: Msg, to: Remote): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      const o: Outgoing = {
        msg: m,
        to,
        attempts: 0,
        timer: undefined,
        onAck: resolve,
        onReset: () => reject(new Error('reset by peer')),
        onGiveUp: () => reject(new Error('no ACK')),
      };
      this.outgoing.set(m.mid, o);
      const fire = (): void => {
        if (!this.socket) return;
        if (o.attempts > this.timing.maxRetransmit) {
          this.outgoing.delete(m.mid);
          o.onGiveUp();
          return;
        }
        if (o.attempts > 0) this.retransmissions++;
        this.send(m, to);
        o.timer = setTimeout(fire, this.timing.ackTimeoutMs * 2 ** o.attempts);
        o.attempts++;
      };
      fire();
    });
  }

  /**
   * A request to `to`; resolves with the response (piggybacked or separate).
   * `duplicate`: the first transmission goes out twice, as if the network doubled it.
   */
  async request(m: Omit<Msg, 'mid' | 'token'> & { token?: Buffer }, to: Remote, duplicate = false): Promise<Msg> {
    const token = m.token ?? this.newToken();
    const msg: Msg = { ...m, token, mid: this.nextMid() };
    if (duplicate) this.send(msg, to);
    const key = token.toString('hex');
    let timer: NodeJS.Timeout | undefined;
    const separate = new Promise<Msg>((resolve, reject) => {
      this.byToken.set(key, resolve);
      if (msg.type !== 'CON') timer = setTimeout(() => reject(new Error('no response')), this.timing.responseTimeoutMs);
    });
    try {
      if (msg.type === 'CON') {
        const ack = await this.sendConfirmable(msg, to);
        if (ack.type === 'RST') throw new Error('reset by peer');
        if (ack.code !== '0.00') return ack;
        timer = setTimeout(() => this.byToken.get(key) && this.failToken(key), this.timing.responseTimeoutMs);
      } else this.send(msg, to);
      return await separate;
    } finally {
      clearTimeout(timer);
      this.byToken.delete(key);
    }
  }

  /** A request body larger than a block, in Block1 blocks (RFC 7959 2.5), shrinking on 4.13 or a smaller 2.31. */
  async requestInBlocks(code: string, options: CoapOpt[], body: Buffer, startSzx: number, to: Remote): Promise<Msg> {
    let szx = startSzx;
    let offset = 0;
    for (let restarts = 0; ; ) {
      const size = blockBytes(szx);
      const more = offset + size < body.length;
      const blockOptions = [...options, blockOpt(O.Block1, { num: offset / size, more, szx })];
      if (offset === 0) blockOptions.push(opt(O.Size1, body.length));
      const m = await this.request({ type: 'CON', code, options: blockOptions, payload: body.subarray(offset, offset + size) }, to);
      this.uplinkBlocks++;
      if (m.code === '4.13' && restarts < 3) {
        const asked = getBlock(m, O.Block1)?.szx ?? szxOf(getUint(m, O.Size1) ?? 16);
        if (asked >= szx) return m;
        szx = asked;
        offset = 0;
        restarts++;
        continue;
      }
      if (!more || m.code !== '2.31') return m;
      offset += size;
      const asked = getBlock(m, O.Block1);
      if (asked && asked.szx < szx) szx = asked.szx;
    }
  }

  private failToken(key: string): void {
    const f = this.byToken.get(key);
    this.byToken.delete(key);
    // a separate response never came: resolve with a synthetic 5.04 the caller can see
    f?.({ type: 'NON', code: '5.04', mid: 0, token: Buffer.from(key, 'hex'), options: [], payload: Buffer.from('timeout') });
  }

  private onDatagram(buf: Buffer, rinfo: RemoteInfo): void {
    if (this.asleep) {
      this.dropped++;
      return;
    }
    if (this.dropNext > 0) {
      this.dropNext--;
      this.lost++;
      return;
    }
    const m = decodeMsg(buf);
    if (!m) return;
    const from: Remote = { address: rinfo.address, port: rinfo.port };
    if (m.type === 'ACK' || m.type === 'RST') {
      const o = this.outgoing.get(m.mid);
      if (o) {
        clearTimeout(o.timer);
        this.outgoing.delete(m.mid);
        if (m.type === 'RST') o.onReset();
        else o.onAck(m);
      } else if (m.type === 'RST') this.onStrayReset(m.mid);
      return;
    }
    if (m.code === '0.00') {
      if (m.type === 'CON') this.send({ type: 'RST', code: '0.00', mid: m.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }, from);
      return;
    }
    if (isRequestCode(m.code)) {
      const key = `${from.address}|${from.port}|${m.mid}`;
      const seen = this.dedup.get(key);
      if (seen !== undefined) {
        this.duplicatesReceived++;
        if (seen !== 'busy') this.sendRaw(seen, from);
        return;
      }
      this.dedup.set(key, 'busy');
      if (this.dedup.size > 2000) this.dedup.delete(this.dedup.keys().next().value!);
      const response = this.onRequest(m, from);
      if (!response) {
        this.dedup.delete(key);
        return;
      }
      if (this.separateAfterMs !== undefined && m.type === 'CON') {
        const ack = encodeMsg({ type: 'ACK', code: '0.00', mid: m.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
        this.dedup.set(key, ack);
        this.sendRaw(ack, from);
        const later = { ...response, type: 'CON' as const, mid: this.nextMid() };
        setTimeout(() => void this.sendConfirmable(later, from).catch(() => {}), this.separateAfterMs);
        return;
      }
      const out = encodeMsg(response);
      this.dedup.set(key, out);
      if (this.dropAnswers > 0) {
        this.dropAnswers--;
        this.lost++;
        return;
      }
      this.sendRaw(out, from);
      return;
    }
    if (codeClass(m.code) >= 2) {
      const f = this.byToken.get(m.token.toString('hex'));
      if (m.type === 'CON') {
        const type = f ? 'ACK' : 'RST';
        this.send({ type, code: '0.00', mid: m.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }, from);
      }
      f?.(m);
    }
  }
}
