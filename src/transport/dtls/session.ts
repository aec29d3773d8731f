/**
 * One DTLS 1.2 server session with one peer, from the ClientHello that carried a valid
 * cookie to Finished and then application data: TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655)
 * or TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487), pre-shared keys (RFC 4279), the extended master secret (RFC 7627) when offered, no PSK identity hint,
 * flight retransmission with backoff (RFC 6347 4.2.4), alerts. The key exchange itself is a
 * KeyExchange: PSK, or ECDHE_ECDSA (RFC 7251, RFC 5289) with a client certificate or raw
 * public key (ecdhe-key-exchange.ts), as suite-negotiation.ts agreed. A connection ID
 * (RFC 9146) when the client offers the extension; the abbreviated handshake (RFC 5246 7.3)
 * when the endpoint found a cached session to resume (PSK sessions only).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientHello } from './handshake-message.js';
import { EcdheKeyExchange } from './ecdhe-key-exchange.js';
import { flightDatagrams } from './flight.js';
import {
  EXT_EXTENDED_MASTER_SECRET,
  EXT_RENEGOTIATION_INFO,
  HandshakeType,
  SCSV_RENEGOTIATION,
  handshakeMessage,
  parseHandshakeFragments,
  serverHello,
} from './handshake-message.js';
import type { KeyExchange, PeerIdentity } from './key-exchange.js';
import { PskKeyExchange } from './psk-key-exchange.js';
import type { PskLookup } from './psk-key-exchange.js';
import { keyBlock, masterSecret, sha256, verifyData } from './prf.js';
import { MAX_PEER_CID } from './cid-record.js';
import { FlightRetransmitter } from './flight-retransmitter.js';
import { Reassembler } from './reassembler.js';
import { TLS_PSK_WITH_AES_128_CCM_8, keyLengths } from './record-cipher.js';
import { ContentType } from './record.js';
import type { DtlsRecord } from './record.js';
import { AlertDescription, AlertLevel, RecordChannel } from './record-channel.js';
import type { ServerCredentials } from './server-credentials.js';
import { negotiate } from './suite-negotiation.js';
import type { Negotiation } from './suite-negotiation.js';
import type { CachedSession } from './session-cache.js';

export type { PskLookup } from './psk-key-exchange.js';
export type { PeerIdentity } from './key-exchange.js';

export interface SessionEvents {
  /** puts one datagram on the wire to this session's peer */
  send(datagram: Buffer): void;
  /** a decrypted application data record */
  data(plaintext: Buffer, identity: PeerIdentity): void;
  /** the handshake finished */
  established(identity: PeerIdentity): void;
  /** the session ended (alert, failed handshake, retransmissions exhausted) */
  closed(reason: string): void;
}

export interface SessionOptions {
  psk: PskLookup;
  /** the server's key, certificates and trusted CAs; without them no ECDHE_ECDSA suite is chosen */
  server?: ServerCredentials;
  /** the suites allowed, in order of preference (default: DEFAULT_SUITES) */
  suites?: readonly number[];
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

/** The suite for this ClientHello (see suite-negotiation.ts); undefined when none can be agreed. */
export function chooseSuite(ch: ClientHello, options?: Pick<SessionOptions, 'server' | 'suites'>): number | undefined {
  return negotiate(ch, options?.server, options?.suites)?.suite;
}

export class DtlsSession {
  private state: State = 'keyExchange';
  private readonly channel: RecordChannel;
  /** room for a client Certificate message with a whole chain */
  private readonly reassembler = new Reassembler(16_384);
  private readonly transcript: Buffer[] = [];
  private readonly serverRandom = randomBytes(32);
  private readonly ems: boolean;
  private readonly suite: number;
  private nextClientSeq: number;
  private nextServerSeq: number;
  private readonly keyExchanger: KeyExchange;
  private master: Buffer | undefined;
  private peerIdentity: PeerIdentity | undefined;
  private keyDigest: Buffer | undefined;
  /** the session ID handed in the ServerHello (empty: none) */
  readonly sessionId: Buffer;
  /** ended by a fatal alert, sent or received: not to be resumed (RFC 5246 7.2.2) */
  fatal = false;
  private readonly ownCid: Buffer | undefined;
  private readonly flight: FlightRetransmitter;
  private lastFlight: Buffer | undefined;
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
    this.flight = new FlightRetransmitter((d) => events.send(d), {
      firstMs: options.retransmitMs ?? 1000,
      maxRetransmits: options.maxRetransmits ?? 6,
      onGiveUp: () => this.close('handshake timed out'),
    });
    const resume = options.resume;
    const agreed: Negotiation = resume
      ? { suite: resume.suite, serverHelloExtensions: [] }
      : (negotiate(clientHello, options.server, options.suites) ?? { suite: TLS_PSK_WITH_AES_128_CCM_8, serverHelloExtensions: [] });
    this.suite = agreed.suite;
    this.keyExchanger =
      agreed.certificates && options.server
        ? new EcdheKeyExchange(options.server, agreed.certificates, clientHello.random, this.serverRandom)
        : new PskKeyExchange(options.psk);
    this.ems = clientHello.extensions.includes(EXT_EXTENDED_MASTER_SECRET);
    // only PSK sessions are cached (a certificate session's checks are not repeated on resumption)
    this.sessionId = resume?.id ?? (options.issueSessionId && this.ems && !agreed.certificates ? randomBytes(32) : Buffer.alloc(0));
    // a client ID longer than the bound: no CID for this session (the extension is not echoed)
    const peerCid = clientHello.connectionId;
    if (peerCid && peerCid.length <= MAX_PEER_CID && options.connectionId && options.connectionId.length > 0) {
      this.ownCid = options.connectionId;
      this.channel.setConnectionIds(this.ownCid, peerCid);
    }
    this.nextClientSeq = messageSeq + 1;
    this.nextServerSeq = messageSeq;
    this.transcript.push(handshakeMessage(HandshakeType.clientHello, messageSeq, clientHelloBody));
    const sh = handshakeMessage(
      HandshakeType.serverHello,
      this.nextServerSeq++,
      serverHello({
        random: this.serverRandom,
        sessionId: this.sessionId,
        cipherSuite: this.suite,
        extendedMasterSecret: this.ems,
        renegotiationInfo: clientHello.extensions.includes(EXT_RENEGOTIATION_INFO) || clientHello.cipherSuites.includes(SCSV_RENEGOTIATION),
        more: agreed.serverHelloExtensions,
        ...(this.ownCid ? { connectionId: this.ownCid } : {}),
      }),
    );
    if (resume) {
      this.resumeFlight(resume, sh);
      return;
    }
    const middle = this.keyExchanger.serverMessages().map((m) => handshakeMessage(m.type, this.nextServerSeq++, m.body));
    const done = handshakeMessage(HandshakeType.serverHelloDone, this.nextServerSeq++, Buffer.alloc(0));
    const flight = [sh, ...middle, done];
    this.transcript.push(...flight);
    this.flight.start(() => flightDatagrams(flight, (m) => this.channel.seal(ContentType.handshake, m)));
  }

  /** ServerHello, ChangeCipherSpec and Finished with the cached master secret; the client's Finished comes last. */
  private resumeFlight(resume: CachedSession, sh: Buffer): void {
    this.master = resume.master;
    this.peerIdentity = { mode: 'psk', name: resume.identity };
    this.keyDigest = resume.pskDigest;
    const ch = this.clientHello;
    this.channel.setKeys(this.suite, keyBlock(this.master, ch.random, this.serverRandom, ...keyLengths(this.suite)));
    this.transcript.push(sh);
    const fin = handshakeMessage(HandshakeType.finished, this.nextServerSeq++, verifyData(this.master, 'server', Buffer.concat(this.transcript)));
    this.transcript.push(fin);
    this.channel.switchWriteEpoch();
    this.state = 'finished';
    this.flight.start(() => [
      Buffer.concat([this.channel.seal(ContentType.handshake, sh, 0), this.channel.seal(ContentType.changeCipherSpec, Buffer.from([1]), 0), this.channel.seal(ContentType.handshake, fin, 1)]),
    ]);
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
    if (this.peerIdentity?.mode !== 'psk' || !this.keyDigest) return undefined;
    return { id: this.sessionId, master: this.master!, suite: this.suite, identity: this.peerIdentity.name, pskDigest: this.keyDigest };
  }

  get established(): boolean {
    return this.state === 'established';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** the authenticated identity, once the handshake finished */
  get identity(): PeerIdentity | undefined {
    return this.state === 'established' ? this.peerIdentity : undefined;
  }

  /** the same client sending its ClientHello again: our flight did not arrive */
  isRetransmittedHello(ch: ClientHello): boolean {
    return this.state !== 'closed' && ch.random.equals(this.clientHello.random);
  }

  resendFlight(): void {
    if (this.state === 'established') {
      if (this.lastFlight) this.events.send(this.lastFlight);
    } else if (this.state !== 'closed') this.flight.resend();
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
      if (this.state === 'keyExchange' && epoch === 0) this.keyExchange(m.msgType, m.body, whole);
      else if (this.state === 'finished' && epoch === 1 && m.msgType === HandshakeType.finished) this.finished(m.body, whole);
      else return this.fail(AlertDescription.unexpectedMessage, 'unexpected handshake message');
      if (this.isClosed) return;
    }
  }

  /** One client message of the key exchange; keys once the premaster secret is known, Finished next after the last. */
  private keyExchange(msgType: number, body: Buffer, whole: Buffer): void {
    const step = this.keyExchanger.receive(msgType, body, () => Buffer.concat(this.transcript));
    if (!step.ok) return this.fail(step.alert, step.reason);
    this.transcript.push(whole);
    this.nextClientSeq++;
    if (step.premaster) {
      const ch = this.clientHello;
      // RFC 7627: the session hash covers the messages up to and including ClientKeyExchange
      const session = this.ems ? sha256(Buffer.concat(this.transcript)) : undefined;
      this.master = masterSecret(step.premaster, ch.random, this.serverRandom, session);
      this.channel.setKeys(this.suite, keyBlock(this.master, ch.random, this.serverRandom, ...keyLengths(this.suite)));
    }
    if (step.identity && this.master) {
      this.peerIdentity = step.identity;
      this.keyDigest = step.pskDigest;
      this.state = 'finished';
    }
  }

  private finished(body: Buffer, whole: Buffer): void {
    const expected = verifyData(this.master!, 'client', Buffer.concat(this.transcript));
    if (body.length !== expected.length || !timingSafeEqual(body, expected)) return this.fail(AlertDescription.decryptError, 'client Finished does not verify');
    this.nextClientSeq++;
    if (this.resumed) return this.establish();
    this.transcript.push(whole);
    const fin = handshakeMessage(HandshakeType.finished, this.nextServerSeq++, verifyData(this.master!, 'server', Buffer.concat(this.transcript)));
    const ccs = this.channel.seal(ContentType.changeCipherSpec, Buffer.from([1]));
    this.channel.switchWriteEpoch();
    this.lastFlight = Buffer.concat([ccs, this.channel.seal(ContentType.handshake, fin)]);
    this.events.send(this.lastFlight);
    this.establish();
  }

  private establish(): void {
    this.state = 'established';
    this.transcript.length = 0;
    this.flight.stop();
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
    this.flight.stop();
    this.events.closed(reason);
  }
}
