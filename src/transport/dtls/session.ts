/**
 * One DTLS 1.2 server session with one peer, from the ClientHello that carried a valid
 * cookie to Finished and then application data: TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655)
 * or TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487), pre-shared keys (RFC 4279), the extended master secret (RFC 7627) when offered, no PSK identity hint,
 * flight retransmission with backoff (RFC 6347 4.2.4), alerts. A connection ID (RFC 9146)
 * when the client offers the extension; the abbreviated handshake (RFC 5246 7.3) when the
 * endpoint found a cached session to resume.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientHello } from './handshake-message.js';
import {
  EXT_EXTENDED_MASTER_SECRET,
  EXT_RENEGOTIATION_INFO,
  HandshakeType,
  SCSV_RENEGOTIATION,
  handshakeMessage,
  parseHandshakeFragments,
  parsePskClientKeyExchange,
  serverHello,
} from './handshake-message.js';
import { MAX_PEER_CID } from './cid-record.js';
import { keyBlock, masterSecret, pskPremaster, sha256, verifyData } from './prf.js';
import { Reassembler } from './reassembler.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_PSK_WITH_AES_128_CCM_8, keyLengths } from './record-cipher.js';
import { ContentType } from './record.js';
import type { DtlsRecord } from './record.js';
import { AlertDescription, AlertLevel, RecordChannel } from './record-channel.js';
import type { CachedSession } from './session-cache.js';
import { pskDigest } from './session-cache.js';


/** The key for a PSK identity, or undefined when the identity is unknown. */
export type PskLookup = (identity: Buffer) => Buffer | undefined;

export interface SessionEvents {
  /** puts one datagram on the wire to this session's peer */
  send(datagram: Buffer): void;
  /** a decrypted application data record */
  data(plaintext: Buffer, identity: string): void;
  /** the handshake finished */
  established(identity: string): void;
  /** the session ended (alert, failed handshake, retransmissions exhausted) */
  closed(reason: string): void;
}

export interface SessionOptions {
  psk: PskLookup;
  /** first retransmission delay, doubled each time (default 1000 ms, RFC 6347) */
  retransmitMs?: number;
  /** how many times a flight is re-sent before the handshake is given up (default 6) */
  maxRetransmits?: number;
  /** the connection ID this session issues when the client offers the extension (none: no CID) */
  connectionId?: Buffer;
  /** hand a session ID in the ServerHello, so the session can be cached and resumed */
  issueSessionId?: boolean;
  /** a cached session this ClientHello resumes: abbreviated handshake */
  resume?: CachedSession;
}

type State = 'keyExchange' | 'finished' | 'established' | 'closed';

/** The suite for this ClientHello (CCM_8 first, then CBC_SHA256); undefined when it offers neither, no null compression or no DTLS 1.2. */
export function chooseSuite(ch: ClientHello): number | undefined {
  // DTLS versions count down: 0xfeff is 1.0, 0xfefd is 1.2
  if (!ch.compressions.includes(0) || ch.version > 0xfefd) return undefined;
  if (ch.cipherSuites.includes(TLS_PSK_WITH_AES_128_CCM_8)) return TLS_PSK_WITH_AES_128_CCM_8;
  return ch.cipherSuites.includes(TLS_PSK_WITH_AES_128_CBC_SHA256) ? TLS_PSK_WITH_AES_128_CBC_SHA256 : undefined;
}

export class DtlsSession {
  private state: State = 'keyExchange';
  private readonly channel: RecordChannel;
  private readonly reassembler = new Reassembler();
  private readonly transcript: Buffer[] = [];
  private readonly serverRandom = randomBytes(32);
  private readonly ems: boolean;
  private readonly suite: number;
  private nextClientSeq: number;
  private readonly serverSeq: number;
  private master: Buffer | undefined;
  private peerIdentity: string | undefined;
  private keyDigest: Buffer | undefined;
  /** the session ID handed in the ServerHello (empty: none) */
  readonly sessionId: Buffer;
  /** ended by a fatal alert, sent or received: not to be resumed (RFC 5246 7.2.2) */
  fatal = false;
  private readonly ownCid: Buffer | undefined;
  private flight: (() => Buffer) | undefined;
  private lastFlight: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retransmits = 0;
  lastActivity = Date.now();

  /** Starts the handshake: the ClientHello (record `recordSeq`, message `messageSeq`) passed the cookie check. */
  constructor(
    readonly clientHello: ClientHello,
    clientHelloBody: Buffer,
    recordSeq: number,
    messageSeq: number,
    private readonly options: SessionOptions,
    private readonly events: SessionEvents,
  ) {
    this.channel = new RecordChannel(recordSeq);
    const resume = options.resume;
    this.suite = resume?.suite ?? chooseSuite(clientHello) ?? TLS_PSK_WITH_AES_128_CCM_8;
    this.ems = clientHello.extensions.includes(EXT_EXTENDED_MASTER_SECRET);
    this.sessionId = resume?.id ?? (options.issueSessionId && this.ems ? randomBytes(32) : Buffer.alloc(0));
    // a client ID longer than the bound: no CID for this session (the extension is not echoed)
    const peerCid = clientHello.connectionId;
    if (peerCid && peerCid.length <= MAX_PEER_CID && options.connectionId && options.connectionId.length > 0) {
      this.ownCid = options.connectionId;
      this.channel.setConnectionIds(this.ownCid, peerCid);
    }
    this.nextClientSeq = messageSeq + 1;
    this.serverSeq = messageSeq;
    this.transcript.push(handshakeMessage(HandshakeType.clientHello, messageSeq, clientHelloBody));
    const sh = handshakeMessage(
      HandshakeType.serverHello,
      this.serverSeq,
      serverHello({
        random: this.serverRandom,
        sessionId: this.sessionId,
        cipherSuite: this.suite,
        extendedMasterSecret: this.ems,
        renegotiationInfo: clientHello.extensions.includes(EXT_RENEGOTIATION_INFO) || clientHello.cipherSuites.includes(SCSV_RENEGOTIATION),
        ...(this.ownCid ? { connectionId: this.ownCid } : {}),
      }),
    );
    if (resume) {
      this.resumeFlight(resume, sh);
      return;
    }
    const done = handshakeMessage(HandshakeType.serverHelloDone, this.serverSeq + 1, Buffer.alloc(0));
    this.transcript.push(sh, done);
    this.startFlight(() => Buffer.concat([this.channel.seal(ContentType.handshake, sh), this.channel.seal(ContentType.handshake, done)]));
  }

  /** ServerHello, ChangeCipherSpec and Finished with the cached master secret; the client's Finished comes last. */
  private resumeFlight(resume: CachedSession, sh: Buffer): void {
    this.master = resume.master;
    this.peerIdentity = resume.identity;
    this.keyDigest = resume.pskDigest;
    const ch = this.clientHello;
    this.channel.setKeys(this.suite, keyBlock(this.master, ch.random, this.serverRandom, ...keyLengths(this.suite)));
    this.transcript.push(sh);
    const fin = handshakeMessage(HandshakeType.finished, this.serverSeq + 1, verifyData(this.master, 'server', Buffer.concat(this.transcript)));
    this.transcript.push(fin);
    this.channel.switchWriteEpoch();
    this.state = 'finished';
    this.startFlight(() =>
      Buffer.concat([this.channel.seal(ContentType.handshake, sh, 0), this.channel.seal(ContentType.changeCipherSpec, Buffer.from([1]), 0), this.channel.seal(ContentType.handshake, fin, 1)]),
    );
  }

  /** the connection ID the peer puts in its records, when one was negotiated */
  get connectionId(): Buffer | undefined {
    return this.ownCid;
  }

  /** true when this session resumed a cached one */
  get resumed(): boolean {
    return this.options.resume !== undefined;
  }

  /** What the session cache keeps once a full handshake with a session ID finished. */
  cacheEntry(): Omit<CachedSession, 'createdAt'> | undefined {
    if (this.state !== 'established' || this.resumed || this.sessionId.length === 0) return undefined;
    return { id: this.sessionId, master: this.master!, suite: this.suite, identity: this.peerIdentity!, pskDigest: this.keyDigest! };
  }

  get established(): boolean {
    return this.state === 'established';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** the authenticated PSK identity, once the handshake finished */
  get identity(): string | undefined {
    return this.state === 'established' ? this.peerIdentity : undefined;
  }

  /** the same client sending its ClientHello again: our flight did not arrive */
  isRetransmittedHello(ch: ClientHello): boolean {
    return this.state !== 'closed' && ch.random.equals(this.clientHello.random);
  }

  resendFlight(): void {
    if (this.flight && this.state !== 'established') this.events.send(this.flight());
    else if (this.lastFlight && this.state === 'established') this.events.send(this.lastFlight);
  }

  private startFlight(build: () => Buffer): void {
    this.flight = build;
    this.retransmits = 0;
    this.events.send(build());
    this.arm(this.options.retransmitMs ?? 1000);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.state === 'closed' || this.state === 'established') return;
      if (++this.retransmits > (this.options.maxRetransmits ?? 6)) return this.close('handshake timed out');
      this.resendFlight();
      this.arm(Math.min(ms * 2, 60_000));
    }, ms);
    this.timer.unref();
  }

  /**
   * One record from the peer; anything malformed, replayed or unexpected is dropped.
   * `onAccepted` hears of a record that authenticated, before it is acted on.
   */
  handleRecord(r: DtlsRecord, onAccepted?: (newest: boolean) => void): void {
    if (this.state === 'closed') return;
    // once established, plaintext (epoch 0) records are ignored: a spoofed alert must not end the
    // session nor a spoofed record keep it alive; a client missing our last flight repeats its Finished (epoch 1)
    if (this.state === 'established' && r.epoch === 0) return;
    const opened = this.channel.open(r);
    if (!opened) {
      // the client's Finished under keys from another PSK: the handshake cannot succeed (a tls12_cid
      // record is only dropped: anyone who saw the ID can send one from anywhere, RFC 9146 6)
      if (this.state === 'finished' && r.epoch === 1 && r.type === ContentType.handshake) this.fail(AlertDescription.decryptError, 'client Finished does not decrypt (wrong key)');
      return;
    }
    this.lastActivity = Date.now();
    onAccepted?.(opened.newest);
    const plain = opened.data;
    switch (opened.type) {
      case ContentType.handshake:
        return this.handleHandshake(plain, r.epoch);
      case ContentType.changeCipherSpec:
        return; // the epoch of each record says which keys apply; Finished checks the order
      case ContentType.alert:
        if (plain.length === 2 && plain[0] === AlertLevel.fatal) this.fatal = true;
        if (plain.length === 2 && (plain[0] === AlertLevel.fatal || plain[1] === AlertDescription.closeNotify)) this.close(`alert ${plain[1]} from peer`);
        return;
      case ContentType.applicationData:
        if (this.state === 'established' && r.epoch === 1) this.events.data(plain, this.peerIdentity!);
        return;
    }
  }

  private handleHandshake(plain: Buffer, epoch: number): void {
    const frags = parseHandshakeFragments(plain);
    if (!frags) return;
    for (const f of frags) {
      if (f.messageSeq < this.nextClientSeq) {
        // the peer repeats a flight: ours got lost; once per record is enough
        this.resendFlight();
        return;
      }
      if (f.messageSeq > this.nextClientSeq) continue;
      const m = this.reassembler.add(f);
      if (!m) continue;
      const whole = handshakeMessage(m.msgType, m.messageSeq, m.body);
      if (this.state === 'keyExchange' && epoch === 0 && m.msgType === HandshakeType.clientKeyExchange) this.keyExchange(m.body, whole);
      else if (this.state === 'finished' && epoch === 1 && m.msgType === HandshakeType.finished) this.finished(m.body, whole);
      else return this.fail(AlertDescription.unexpectedMessage, 'unexpected handshake message');
      if (this.isClosed) return;
    }
  }

  private keyExchange(body: Buffer, whole: Buffer): void {
    const id = parsePskClientKeyExchange(body);
    if (!id) return this.fail(AlertDescription.decodeError, 'malformed ClientKeyExchange');
    const name = id.toString('utf8');
    let psk: Buffer | undefined;
    try {
      psk = Buffer.from(name, 'utf8').equals(id) ? this.options.psk(id) : undefined;
    } catch {
      return this.fail(AlertDescription.internalError, 'PSK lookup failed');
    }
    if (!psk) return this.fail(AlertDescription.unknownPskIdentity, 'unknown PSK identity');
    this.transcript.push(whole);
    const ch = this.clientHello;
    const session = this.ems ? sha256(Buffer.concat(this.transcript)) : undefined;
    this.master = masterSecret(pskPremaster(psk), ch.random, this.serverRandom, session);
    this.channel.setKeys(this.suite, keyBlock(this.master, ch.random, this.serverRandom, ...keyLengths(this.suite)));
    this.peerIdentity = name;
    this.keyDigest = pskDigest(psk);
    this.nextClientSeq++;
    this.state = 'finished';
  }

  private finished(body: Buffer, whole: Buffer): void {
    const expected = verifyData(this.master!, 'client', Buffer.concat(this.transcript));
    if (body.length !== expected.length || !timingSafeEqual(body, expected)) return this.fail(AlertDescription.decryptError, 'client Finished does not verify');
    this.nextClientSeq++;
    if (this.resumed) return this.establish();
    this.transcript.push(whole);
    const fin = handshakeMessage(HandshakeType.finished, this.serverSeq + 2, verifyData(this.master!, 'server', Buffer.concat(this.transcript)));
    const ccs = this.channel.seal(ContentType.changeCipherSpec, Buffer.from([1]));
    this.channel.switchWriteEpoch();
    this.lastFlight = Buffer.concat([ccs, this.channel.seal(ContentType.handshake, fin)]);
    this.events.send(this.lastFlight);
    this.establish();
  }

  private establish(): void {
    this.state = 'established';
    this.transcript.length = 0;
    clearTimeout(this.timer);
    this.events.established(this.peerIdentity!);
  }

  /** Application data to the peer; false before the handshake finished. */
  send(plaintext: Buffer): boolean {
    if (this.state !== 'established') return false;
    this.events.send(this.channel.seal(ContentType.applicationData, plaintext));
    return true;
  }

  private fail(description: number, reason: string): void {
    this.fatal = true;
    this.events.send(this.channel.alert(AlertLevel.fatal, description));
    this.close(reason);
  }

  /** Ends the session (with close_notify when `notify` and established). */
  close(reason: string, notify = false): void {
    if (this.state === 'closed') return;
    if (notify && this.state === 'established') this.events.send(this.channel.alert(AlertLevel.warning, AlertDescription.closeNotify));
    this.state = 'closed';
    clearTimeout(this.timer);
    this.events.closed(reason);
  }
}
