/**
 * DTLS 1.2 server sessions on one UDP socket, as a DatagramEndpoint: the CoAP message
 * layer above it sees the decrypted application data of established sessions, and what
 * it sends is encrypted for the peer's session. ClientHellos are answered statelessly
 * (cookie, RFC 6347 4.2.1) until the cookie comes back; half-open handshakes and sessions
 * are bounded, idle sessions expire.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { sameIdentity } from '../../lwm2m/transport.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { CoapLogger } from '../coap/context.js';
import type { DatagramEndpoint } from '../coap/datagram-endpoint.js';
import { bindListener, bindUdpSocket } from '../coap/udp-listen.js';
import { normalizeAddress, wireAddress } from '../coap/udp-peer.js';
import { CookieJar } from './cookie.js';
import { HandshakeType, helloVerifyRequest, handshakeMessage, parseClientHello, parseHandshakeFragments } from './handshake-message.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from './record.js';
import type { DtlsRecord } from './record.js';
import { AlertDescription, AlertLevel } from './record-channel.js';
import { DtlsSession, chooseSuite } from './session.js';
import type { PskLookup } from './session.js';
import type { ServerCredentials } from './server-credentials.js';

export const DTLS_TRANSPORT = 'dtls';

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
}

interface Entry {
  session: DtlsSession;
  peer: Peer;
}

function peerKey(address: string, port: number): string {
  return [DTLS_TRANSPORT, address, port].join(':');
}

export class DtlsDatagramEndpoint implements DatagramEndpoint {
  readonly name = DTLS_TRANSPORT;
  private socket: Socket | undefined;
  private family: 'udp4' | 'udp6' = 'udp6';
  private receive: (peer: Peer, datagram: Buffer) => void = () => {};
  private readonly sessions = new Map<string, Entry>();
  /** keys of the sessions still in their handshake */
  private readonly halfOpen = new Set<string>();
  private readonly cookies = new CookieJar();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: DtlsEndpointOptions) {}

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
    for (const e of [...this.sessions.values()]) e.session.close('stopping', true);
    this.sessions.clear();
    this.halfOpen.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** sessions kept (established or in handshake) */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const e of [...this.sessions.values()]) if (e.session.established && e.session.lastActivity < cutoff) e.session.close('idle', true);
  }

  /** Bad input (or a failing PSK lookup) never escapes into the socket's event handler. */
  private onMessage(buf: Buffer, address: string, port: number): void {
    try {
      this.handleDatagram(buf, address, port);
    } catch (err) {
      this.options.log.warn('dtls: datagram dropped', { peer: peerKey(address, port), error: String(err) });
    }
  }

  private handleDatagram(buf: Buffer, address: string, port: number): void {
    const key = peerKey(address, port);
    for (const r of parseRecords(buf)) {
      if (r.epoch === 0 && r.type === ContentType.handshake && r.fragment[0] === HandshakeType.clientHello) {
        this.onClientHello(r, key, address, port);
        continue;
      }
      this.sessions.get(key)?.session.handleRecord(r);
    }
  }

  private onClientHello(r: DtlsRecord, key: string, address: string, port: number): void {
    const frags = parseHandshakeFragments(r.fragment);
    // a ClientHello comes whole, alone in its record (a fragmented one is not reassembled)
    if (!frags || frags.length !== 1 || frags[0]!.fragmentOffset !== 0 || frags[0]!.body.length !== frags[0]!.length) return;
    const f = frags[0]!;
    const ch = parseClientHello(f.body);
    if (!ch) return;
    const existing = this.sessions.get(key);
    if (existing?.session.isRetransmittedHello(ch)) return existing.session.resendFlight();
    const reply = (type: number, fragment: Buffer): void =>
      this.sendRaw(address, port, serializeRecord({ type, version: DTLS_1_2, epoch: 0, seq: r.seq, fragment }));
    if (!this.cookies.verify(key, ch.cookieInput, ch.cookie)) {
      // echoes the ClientHello's record sequence number (RFC 6347 4.2.1)
      return reply(ContentType.handshake, handshakeMessage(HandshakeType.helloVerifyRequest, f.messageSeq, helloVerifyRequest(this.cookies.make(key, ch.cookieInput))));
    }
    if (chooseSuite(ch, this.options) === undefined) return reply(ContentType.alert, Buffer.from([AlertLevel.fatal, AlertDescription.handshakeFailure]));
    if (this.halfOpen.size >= (this.options.maxHandshakes ?? 1000) || (!existing && this.sessions.size >= (this.options.maxSessions ?? 100_000))) {
      this.options.log.debug('dtls: too many handshakes, ClientHello dropped', { peer: key });
      return;
    }
    // a client that starts again from a reachable address replaces its old session (RFC 6347 4.2.8)
    existing?.session.close('replaced by a new handshake');
    const peer: Peer = { transport: DTLS_TRANSPORT, key, address, port };
    const entry: Entry = { peer, session: undefined as unknown as DtlsSession };
    this.sessions.set(key, entry);
    this.halfOpen.add(key);
    entry.session = new DtlsSession(
      ch,
      f.body,
      r.seq + 1,
      f.messageSeq,
      {
        psk: this.options.psk,
        ...(this.options.server ? { server: this.options.server } : {}),
        ...(this.options.suites ? { suites: this.options.suites } : {}),
        ...(this.options.retransmitMs !== undefined ? { retransmitMs: this.options.retransmitMs } : {}),
      },
      {
        send: (d) => this.sendRaw(address, port, d),
        data: (plain) => this.receive(entry.peer, plain),
        established: (identity) => {
          if (this.sessions.get(key) === entry) this.halfOpen.delete(key);
          entry.peer = { ...peer, identity: identity.name, identityMode: identity.mode };
        },
        closed: (reason) => {
          if (this.sessions.get(key) !== entry) return;
          this.sessions.delete(key);
          this.halfOpen.delete(key);
          this.options.log.debug('dtls: session closed', { peer: key, reason });
        },
      },
    );
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

  /** The established session's Peer for this address, when its identity is still the one the core knows. */
  peerFor(peer: Peer): Peer | undefined {
    const e = this.sessions.get(peerKey(normalizeAddress(peer.address), peer.port));
    if (!e?.session.established) return undefined;
    if (peer.transport === DTLS_TRANSPORT && peer.identity !== undefined && !sameIdentity(peer, e.peer)) return undefined;
    return e.peer;
  }

  /** Encrypts for the peer's established session; dropped when there is none. */
  send(peer: Peer, datagram: Buffer): void {
    const e = this.sessions.get(peer.key);
    try {
      if (!e?.session.send(datagram)) this.options.log.debug('dtls: no session to send on', { peer: peer.key });
    } catch (err) {
      this.options.log.debug('dtls: send failed', { peer: peer.key, error: String(err) });
    }
  }
}
