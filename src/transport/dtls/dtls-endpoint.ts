/**
 * DTLS 1.2 server sessions on one UDP socket, as a DatagramEndpoint: the CoAP message
 * layer above it sees the decrypted application data of established sessions, and what
 * it sends is encrypted for the peer's session. ClientHellos are answered statelessly
 * (cookie, RFC 6347 4.2.1) until the cookie comes back; half-open handshakes and sessions
 * are bounded, idle sessions expire.
 *
 * Sessions are found as session-table.ts says: by connection ID for tls12_cid records
 * (RFC 9146), a session then following its client to a new address once a record from
 * there authenticated and is the newest yet (RFC 9146 6); its Peer carries the new address
 * up. This endpoint does no return routability check of its own: it only answers what
 * arrives, so a moved session sends no more than it did before. A new handshake from the
 * address of an established session replaces it only once it completes (a client that
 * rebooted, or a spoofed but cookie-verified hello, leaves the old session working).
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { sameIdentity } from '../../lwm2m/transport.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { CoapLogger } from '../coap/context.js';
import type { DatagramEndpoint } from '../coap/datagram-endpoint.js';
import { bindListener, bindUdpSocket } from '../coap/udp-listen.js';
import { normalizeAddress, wireAddress } from '../coap/udp-peer.js';
import { ClientHelloAssembler } from './client-hello-assembler.js';
import { CookieJar } from './cookie.js';
import { HandshakeType, helloVerifyRequest, handshakeMessage, parseClientHello, parseHandshakeFragments } from './handshake-message.js';
import type { ClientHello } from './handshake-message.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from './record.js';
import type { DtlsRecord } from './record.js';
import { AlertDescription, AlertLevel } from './record-channel.js';
import { DtlsSession, chooseSuite } from './session.js';
import type { PeerIdentity, PskLookup } from './session.js';
import type { ServerCredentials } from './server-credentials.js';
import { SessionCache, resumableSession } from './session-cache.js';
import { DTLS_TRANSPORT, SessionTable, peerKey } from './session-table.js';
import type { Entry } from './session-table.js';

export { DTLS_TRANSPORT };

export interface DtlsEndpointOptions {
  psk: PskLookup;
  /** the server's key, certificates and trusted CAs for the ECDHE_ECDSA suites */
  server?: ServerCredentials;
  /** the suites allowed, in order of preference (default: PSK then ECDHE_ECDSA, CCM_8 before CBC) */
  suites?: readonly number[];
  /** default 5684; 0 picks a free port */
  port?: number;
  /** default '::' */
  address?: string;
  log: CoapLogger;
  /** handshakes in progress at once (default 1000); further ClientHellos are dropped */
  maxHandshakes?: number;
  /** sessions at once (default 100 000) */
  maxSessions?: number;
  /** an established session without a record from its peer for this long ends (default 24 h) */
  idleTimeoutMs?: number;
  /** first flight retransmission delay (default 1000 ms) */
  retransmitMs?: number;
  /** bytes of the connection IDs issued to clients that offer the extension (RFC 9146): 0 (none) or 4..20 (default 6) */
  connectionIdLength?: number;
  /** sessions kept for resumption (default 10 000; 0: no session IDs, no resumption) */
  sessionCacheSize?: number;
  /** how long after its full handshake a session can be resumed (default 24 h) */
  sessionLifetimeMs?: number;
}

export class DtlsDatagramEndpoint implements DatagramEndpoint {
  readonly name = DTLS_TRANSPORT;
  private socket: Socket | undefined;
  private family: 'udp4' | 'udp6' = 'udp6';
  private receive: (peer: Peer, datagram: Buffer) => void = () => {};
  private readonly table: SessionTable;
  private readonly cookies = new CookieJar();
  private readonly cache: SessionCache;
  private readonly hellos = new ClientHelloAssembler();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: DtlsEndpointOptions) {
    this.table = new SessionTable(options.connectionIdLength ?? 6);
    this.cache = new SessionCache(options.sessionCacheSize ?? 10_000, options.sessionLifetimeMs ?? 86_400_000);
  }

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  onDatagram(receive: (peer: Peer, datagram: Buffer) => void): void {
    this.receive = receive;
  }

  async open(): Promise<{ port: number }> {
    if (this.socket) return { port: this.socket.address().port };
    const port = this.options.port ?? 5684;
    const socket = await bindListener((type, a) => this.bind(type, a, port), this.options.address ?? '::', this.options.log);
    this.socket = socket;
    socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => this.onMessage(buf, normalizeAddress(rinfo.address), rinfo.port));
    socket.on('error', (err) => this.options.log.warn('dtls: socket error', { error: String(err) }));
    const idle = this.options.idleTimeoutMs ?? 86_400_000;
    this.sweeper = setInterval(() => this.sweep(idle), Math.min(Math.max(idle / 4, 10), 30_000));
    this.sweeper.unref();
    return { port: socket.address().port };
  }

  private async bind(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
    const s = await bindUdpSocket(type, address, port);
    this.family = type;
    return s;
  }


  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const e of this.table.all()) e.session.close('stopping', true);
    this.table.clear();
    this.hellos.clear();
    this.cache.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** sessions kept (established or in handshake) */
  /** handshakes completed and failed, and records or ClientHellos dropped by reason, since start (for /metrics) */
  readonly counters = { handshakesCompleted: 0, handshakesFailed: 0, refused: { handshakeLimit: 0, unknownConnectionId: 0, noSession: 0, error: 0 } };
  private readonly everEstablished = new WeakSet<Entry>();

  get sessionCount(): number {
    return this.table.size;
  }

  /** sessions that can be resumed */
  get cachedSessions(): number {
    return this.cache.size;
  }

  private sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const e of this.table.all()) if (e.session.established && e.session.lastActivity < cutoff) e.session.close('idle', true);
  }

  /** Bad input (or a failing PSK lookup) never escapes into the socket's event handler. */
  private onMessage(buf: Buffer, address: string, port: number): void {
    try {
      this.handleDatagram(buf, address, port);
    } catch (err) {
      this.counters.refused.error++;
      this.options.log.warn('dtls: datagram dropped', { peer: peerKey(address, port), error: String(err) });
    }
  }

  private handleDatagram(buf: Buffer, address: string, port: number): void {
    const key = peerKey(address, port);
    for (const r of parseRecords(buf, 16, this.table.cids.length)) {
      if (r.epoch === 0 && r.type === ContentType.handshake && r.fragment[0] === HandshakeType.clientHello) this.onClientHelloRecord(r, key, address, port);
      else if (r.type === ContentType.tls12Cid) this.onCidRecord(r, address, port);
      else {
        const e = this.table.route(key, r.epoch, r.type, ContentType.handshake);
        if (e) e.session.handleRecord(r);
        else this.counters.refused.noSession++;
      }
    }
  }

  /** A record with a connection ID: its session, wherever it came from; an unknown ID is dropped. */
  private onCidRecord(r: DtlsRecord, address: string, port: number): void {
    const e = this.table.byCid(r.cid!);
    if (!e) {
      this.counters.refused.unknownConnectionId++;
      return;
    }
    e.session.handleRecord(r, (newest) => {
      const moved = e.peer.address !== address || e.peer.port !== port;
      if (!moved || !newest || r.epoch !== 1 || !e.session.established) return;
      const from = e.at;
      this.table.move(e, address, port)?.session.close('its address now belongs to another session');
      this.options.log.debug('dtls: session moved (connection ID)', { from, to: e.at });
    });
  }

  /** Handshake fragments of a ClientHello, put together first (client-hello-assembler.ts). */
  private onClientHelloRecord(r: DtlsRecord, key: string, address: string, port: number): void {
    const frags = parseHandshakeFragments(r.fragment);
    if (!frags) return;
    for (const f of frags) {
      if (f.msgType !== HandshakeType.clientHello) return;
      const body = this.hellos.add(key, f);
      if (body) this.onClientHello(body, f.messageSeq, r.seq, key, address, port);
    }
  }

  private onClientHello(body: Buffer, messageSeq: number, recordSeq: number, key: string, address: string, port: number): void {
    const ch = parseClientHello(body);
    if (!ch) return;
    const existing = this.table.at(key);
    const pending = this.table.waiting(key);
    for (const e of [existing, pending]) if (e?.session.isRetransmittedHello(ch)) return e.session.resendFlight();
    const reply = (type: number, fragment: Buffer): void =>
      this.sendRaw(address, port, serializeRecord({ type, version: DTLS_1_2, epoch: 0, seq: recordSeq, fragment }));
    if (!this.cookies.verify(key, ch.cookieInput, ch.cookie)) {
      // echoes the ClientHello's record sequence number (RFC 6347 4.2.1)
      return reply(ContentType.handshake, handshakeMessage(HandshakeType.helloVerifyRequest, messageSeq, helloVerifyRequest(this.cookies.make(key, ch.cookieInput))));
    }
    if (chooseSuite(ch, this.options) === undefined) return reply(ContentType.alert, Buffer.from([AlertLevel.fatal, AlertDescription.handshakeFailure]));
    if (this.table.handshakes >= (this.options.maxHandshakes ?? 1000) || (!existing && this.table.serving >= (this.options.maxSessions ?? 100_000))) {
      this.counters.refused.handshakeLimit++;
      this.options.log.debug('dtls: too many handshakes, ClientHello dropped', { peer: key });
      return;
    }
    pending?.session.close('replaced by a newer handshake');
    // a client that starts again from a reachable address replaces its old session (RFC 6347 4.2.8),
    // an established one only once the new handshake completes
    const keepOld = existing?.session.established === true;
    if (!keepOld) existing?.session.close('replaced by a new handshake');
    this.table.add(this.startSession(ch, body, recordSeq, messageSeq, { transport: DTLS_TRANSPORT, key, address, port }), keepOld);
  }

  private startSession(ch: ClientHello, body: Buffer, recordSeq: number, messageSeq: number, peer: Peer): Entry {
    const entry: Entry = { peer, at: peer.key, session: undefined as unknown as DtlsSession };
    const resume = ch.sessionId.length > 0 ? resumableSession(this.cache, ch, this.options.psk) : undefined;
    const connectionId = this.table.cids.issue();
    entry.session = new DtlsSession(
      ch,
      body,
      recordSeq + 1,
      messageSeq,
      {
        psk: this.options.psk,
        ...(this.options.server ? { server: this.options.server } : {}),
        ...(this.options.suites ? { suites: this.options.suites } : {}),
        ...(this.options.retransmitMs !== undefined ? { retransmitMs: this.options.retransmitMs } : {}),
        ...(connectionId ? { connectionId } : {}),
        ...(resume ? { resume } : {}),
        issueSessionId: (this.options.sessionCacheSize ?? 10_000) > 0,
      },
      {
        send: (d) => this.sendRaw(entry.peer.address, entry.peer.port, d),
        data: (plain) => this.receive(entry.peer, plain),
        established: (identity) => this.onEstablished(entry, identity),
        closed: (reason) => this.onClosed(entry, reason),
      },
    );
    return entry;
  }

  private onEstablished(entry: Entry, identity: PeerIdentity): void {
    entry.peer = { ...entry.peer, identity: identity.name, identityMode: identity.mode };
    this.counters.handshakesCompleted++;
    this.everEstablished.add(entry);
    this.table.established(entry)?.session.close('replaced by a new handshake');
    const cached = entry.session.cacheEntry();
    if (cached) this.cache.store(cached);
  }

  private onClosed(entry: Entry, reason: string): void {
    if (!this.everEstablished.has(entry)) this.counters.handshakesFailed++;
    this.table.closed(entry);
    if (entry.session.fatal) this.cache.delete(entry.session.sessionId);
    this.options.log.debug('dtls: session closed', { peer: entry.at, reason });
  }

  private sendRaw(address: string, port: number, datagram: Buffer): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.send(datagram, port, wireAddress(address, this.family), (err) => {
        if (err) this.options.log.debug('dtls: send failed', { error: String(err) });
      });
    } catch (err) {
      this.options.log.debug('dtls: send failed', { error: String(err) });
    }
  }

  /** The established session's Peer for this one (by key, else by address), when its identity is still the one the core knows. */
  peerFor(peer: Peer): Peer | undefined {
    const e = this.table.byPeerKey(peer.key) ?? this.table.at(peerKey(normalizeAddress(peer.address), peer.port));
    if (!e?.session.established) return undefined;
    if (peer.transport === DTLS_TRANSPORT && peer.identity !== undefined && !sameIdentity(peer, e.peer)) return undefined;
    return e.peer;
  }

  /** Encrypts for the peer's established session; dropped when there is none. */
  send(peer: Peer, datagram: Buffer): void {
    const e = this.table.byPeerKey(peer.key);
    try {
      if (!e?.session.send(datagram)) this.options.log.debug('dtls: no session to send on', { peer: peer.key });
    } catch (err) {
      this.options.log.debug('dtls: send failed', { peer: peer.key, error: String(err) });
    }
  }
}
