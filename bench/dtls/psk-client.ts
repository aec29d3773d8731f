/**
 * A lean DTLS 1.2 PSK client for the benchmark's load generator: one full handshake
 * (ClientHello, HelloVerifyRequest, ClientHello with cookie, ServerHello + ServerHelloDone,
 * ClientKeyExchange + ChangeCipherSpec + Finished, the server's ChangeCipherSpec + Finished)
 * with the extended master secret, then application data. Suites
 * TLS_PSK_WITH_AES_128_CCM_8 (default) or TLS_PSK_WITH_AES_128_CBC_SHA256. No socket and no
 * timer here: the caller sends what `start` and `receive` return and re-sends `lastFlight`
 * when an answer is overdue. Built on the gateway's own DTLS primitives (records, handshake
 * messages, PRF, record protection), so it is a load generator, not an interop peer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EXT_EXTENDED_MASTER_SECRET, HandshakeType, handshakeMessage, parseHandshakeFragments } from '../../src/transport/dtls/handshake-message.js';
import { keyBlock, masterSecret, pskPremaster, sha256, verifyData, type KeyBlock } from '../../src/transport/dtls/prf.js';
import { TLS_PSK_WITH_AES_128_CCM_8, keyLengths, recordCipher, type RecordCipher } from '../../src/transport/dtls/record-cipher.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from '../../src/transport/dtls/record.js';

type Phase = 'hello' | 'cookieHello' | 'finished' | 'established' | 'failed';

export interface Step {
  /** a datagram to send now */
  send?: Buffer;
  /** the handshake just finished */
  established?: boolean;
  /** the handshake failed (alert, wrong suite, bad Finished) */
  failed?: string;
}

/** The record layer seen from the client: the key block's client and server halves swapped. */
function clientSide(k: KeyBlock): KeyBlock {
  return { clientMac: k.serverMac, serverMac: k.clientMac, clientKey: k.serverKey, serverKey: k.clientKey, clientIv: k.serverIv, serverIv: k.clientIv };
}

/** Server random, suite and whether it agreed to the extended master secret; undefined when malformed. */
function parseServerHello(b: Buffer): { random: Buffer; suite: number; ems: boolean } | undefined {
  if (b.length < 38) return undefined;
  const random = b.subarray(2, 34);
  let o = 35 + b[34]!;
  if (o + 3 > b.length) return undefined;
  const suite = b.readUInt16BE(o);
  o += 3;
  let ems = false;
  if (o + 2 <= b.length) {
    const end = Math.min(b.length, o + 2 + b.readUInt16BE(o));
    for (o += 2; o + 4 <= end; o += 4 + b.readUInt16BE(o + 2)) if (b.readUInt16BE(o) === EXT_EXTENDED_MASTER_SECRET) ems = true;
  }
  return { random, suite, ems };
}

export class PskClient {
  private phase: Phase = 'hello';
  private readonly random = randomBytes(32);
  private readonly transcript: Buffer[] = [];
  private writeSeq = 0;
  private appSeq = 1;
  private serverRandom: Buffer | undefined;
  private ems = false;
  private master: Buffer | undefined;
  private cipher: RecordCipher | undefined;
  /** the last flight sent: re-sent by the caller when the answer is late */
  lastFlight: Buffer | undefined;

  constructor(
    private readonly identity: Buffer,
    private readonly psk: Buffer,
    private readonly suite = TLS_PSK_WITH_AES_128_CCM_8,
  ) {}

  get established(): boolean {
    return this.phase === 'established';
  }

  /** The first ClientHello. */
  start(): Buffer {
    return this.flight([this.record(ContentType.handshake, this.clientHello(0, Buffer.alloc(0)))]);
  }

  private clientHello(messageSeq: number, cookie: Buffer): Buffer {
    const head = Buffer.alloc(2 + 32 + 1 + 1);
    head.writeUInt16BE(DTLS_1_2, 0);
    this.random.copy(head, 2);
    head[35] = cookie.length;
    const rest = Buffer.alloc(2 + 2 + 2 + 2 + 4);
    rest.writeUInt16BE(2, 0);
    rest.writeUInt16BE(this.suite, 2);
    rest.writeUInt16BE(0x0100, 4); // one compression method: null
    rest.writeUInt16BE(4, 6); // extensions: extended_master_secret, empty
    rest.writeUInt16BE(EXT_EXTENDED_MASTER_SECRET, 8);
    return handshakeMessage(HandshakeType.clientHello, messageSeq, Buffer.concat([head, cookie, rest]));
  }

  private record(type: number, fragment: Buffer, epoch = 0): Buffer {
    const seq = epoch === 0 ? this.writeSeq++ : 0;
    const f = epoch === 0 ? fragment : this.cipher!.seal(1, seq, type, DTLS_1_2, fragment);
    return serializeRecord({ type, version: DTLS_1_2, epoch, seq, fragment: f });
  }

  private flight(records: Buffer[]): Buffer {
    this.lastFlight = records.length === 1 ? records[0]! : Buffer.concat(records);
    return this.lastFlight;
  }

  private fail(reason: string): Step {
    this.phase = 'failed';
    return { failed: reason };
  }

  /** One datagram from the server during the handshake. */
  receive(datagram: Buffer): Step {
    for (const r of parseRecords(datagram)) {
      if (r.type === ContentType.alert && r.epoch === 0 && r.fragment[0] === 2) return this.fail(`fatal alert ${r.fragment[1]}`);
      if (r.type !== ContentType.handshake) continue;
      const body = r.epoch === 1 ? this.cipher?.open(1, r.seq, r.type, r.version, r.fragment) : r.fragment;
      if (!body) return this.fail('server Finished does not decrypt');
      for (const f of parseHandshakeFragments(body) ?? []) {
        // the benchmark's server never fragments its short flight
        if (f.fragmentOffset !== 0 || f.body.length !== f.length) return this.fail('fragmented handshake message');
        const step = this.onMessage(f.msgType, f.messageSeq, f.body);
        if (step) return step;
      }
    }
    return {};
  }

  private onMessage(type: number, seq: number, body: Buffer): Step | undefined {
    if (this.phase === 'hello' && type === HandshakeType.helloVerifyRequest) {
      if (body.length < 3 || body.length !== 3 + body[2]!) return this.fail('malformed HelloVerifyRequest');
      const ch = this.clientHello(1, body.subarray(3));
      this.transcript.push(ch);
      this.phase = 'cookieHello';
      return { send: this.flight([this.record(ContentType.handshake, ch)]) };
    }
    if (this.phase === 'cookieHello' && type === HandshakeType.serverHello) {
      const sh = parseServerHello(body);
      if (!sh || sh.suite !== this.suite) return this.fail('unexpected ServerHello');
      this.transcript.push(handshakeMessage(type, seq, body));
      this.serverRandom = Buffer.from(sh.random);
      this.ems = sh.ems;
      return undefined;
    }
    if (this.phase === 'cookieHello' && type === HandshakeType.serverHelloDone && this.serverRandom) {
      this.transcript.push(handshakeMessage(type, seq, body));
      return { send: this.keyExchange(this.serverRandom) };
    }
    if (this.phase === 'finished' && type === HandshakeType.finished) {
      const expected = verifyData(this.master!, 'server', Buffer.concat(this.transcript));
      if (body.length !== expected.length || !timingSafeEqual(body, expected)) return this.fail('server Finished does not verify');
      this.phase = 'established';
      this.transcript.length = 0;
      this.lastFlight = undefined;
      return { established: true };
    }
    return undefined; // a repeated or unexpected message: ignored
  }

  private keyExchange(serverRandom: Buffer): Buffer {
    const id = Buffer.alloc(2 + this.identity.length);
    id.writeUInt16BE(this.identity.length, 0);
    this.identity.copy(id, 2);
    const cke = handshakeMessage(HandshakeType.clientKeyExchange, 2, id);
    this.transcript.push(cke);
    const hash = this.ems ? sha256(Buffer.concat(this.transcript)) : undefined;
    this.master = masterSecret(pskPremaster(this.psk), this.random, serverRandom, hash);
    this.cipher = recordCipher(this.suite, clientSide(keyBlock(this.master, this.random, serverRandom, ...keyLengths(this.suite))));
    const fin = handshakeMessage(HandshakeType.finished, 3, verifyData(this.master, 'client', Buffer.concat(this.transcript)));
    this.transcript.push(fin);
    this.phase = 'finished';
    return this.flight([this.record(ContentType.handshake, cke), this.record(ContentType.changeCipherSpec, Buffer.from([1])), this.record(ContentType.handshake, fin, 1)]);
  }

  /** Application data as one record to send; after the handshake only. */
  seal(plaintext: Buffer): Buffer {
    if (this.phase !== 'established') throw new Error('dtls client: not established');
    const seq = this.appSeq++;
    return serializeRecord({ type: ContentType.applicationData, version: DTLS_1_2, epoch: 1, seq, fragment: this.cipher!.seal(1, seq, ContentType.applicationData, DTLS_1_2, plaintext) });
  }

  /** The application data of a datagram from the server (records that do not authenticate are dropped). */
  open(datagram: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (this.phase !== 'established') return out;
    for (const r of parseRecords(datagram)) {
      if (r.type !== ContentType.applicationData || r.epoch !== 1) continue;
      const p = this.cipher!.open(1, r.seq, r.type, r.version, r.fragment);
      if (p) out.push(p);
    }
    return out;
  }
}
