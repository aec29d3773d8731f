/**
 * The southbound CoAP binding over UDP: one socket for requests from devices and for
 * downlinks to them, with its own message layer (RFC 7252), Observe (RFC 7641) and
 * block-wise transfers (RFC 7959).
 */
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../lwm2m/clock.js';
import { TransportError } from '../../lwm2m/transport.js';
import type { DeviceTransport, DownlinkRequest, DownlinkResponse, Peer, SendOptions, UplinkHandler } from '../../lwm2m/transport.js';
import { BlockClient } from './block-client.js';
import { szxFor } from './block.js';
import type { CoapLogger, WireContext } from './context.js';
import { noopLogger } from './context.js';
import { Dispatcher } from './dispatcher.js';
import { bindListener } from './listen.js';
import { buildRequest, toDownlinkResponse } from './downlink-map.js';
import type { CoapMessage } from './message.js';
import { codeClass, encodeMessage } from './message.js';
import { Observer } from './observer.js';
import { Opt, getUintOption } from './options.js';
import { TRANSPORT_NAME, isOwnPeer, normalizeAddress, peerKey, udpPeer, wireAddress } from './peer.js';
import { Requester, tokenKey } from './requester.js';
import type { RequestSpec } from './requester.js';
import { Retransmitter } from './retransmitter.js';
import { RequestServer } from './request-server.js';
import type { CoapTiming } from './timing.js';
import { resolveTiming } from './timing.js';

export interface CoapUdpTransportOptions {
  handler: UplinkHandler;
  /** default 5683; 0 picks a free port */
  port?: number;
  /** default '::' (IPv6 and IPv4); '0.0.0.0' or another IPv4 address listens on IPv4 only */
  address?: string;
  timing?: Partial<CoapTiming>;
  /** block size for block-wise transfers: 16..1024, a power of two (default 1024) */
  blockSize?: number;
  /** the largest datagram this side sends (default 1280) */
  maxMessageSize?: number;
  /** the largest body reassembled from blocks, either way (default 1 MiB) */
  maxBodySize?: number;
  /** a request handler still running after this long gets an empty ACK first (default 1000 ms) */
  separateResponseAfterMs?: number;
  /** a whole block-wise transfer must end within this (default 300 s) */
  blockTransferTimeoutMs?: number;
  /**
   * the socket's receive buffer in bytes (SO_RCVBUF; the kernel caps it, on Linux at
   * net.core.rmem_max): room for the datagrams that arrive while the event loop is busy.
   * Default 4 MiB; 0 keeps the system's default.
   */
  recvBufferSize?: number;
  /** downlink timeout when send() is given none (default EXCHANGE_LIFETIME) */
  requestTimeoutMs?: number;
  logger?: CoapLogger;
  /** time and timers: retransmission, deadlines, freshness, block transfers (default: the system's) */
  clock?: Clock;
}

const MAX_PEERS_WITH_MID = 100_000;
const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;
/** the longest delay a Node timer takes */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && v > 0 ? Math.min(v, MAX_TIMER_MS) : Math.min(fallback, MAX_TIMER_MS);
}

export class CoapUdpTransport implements DeviceTransport {
  readonly name = TRANSPORT_NAME;
  private readonly timing: CoapTiming;
  private readonly log: CoapLogger;
  private readonly ctx: WireContext;
  private readonly retransmitter: Retransmitter;
  private readonly requester: Requester;
  private readonly blocks: BlockClient;
  private readonly observer: Observer;
  private readonly server: RequestServer;
  private readonly dispatcher: Dispatcher;
  private readonly mids = new Map<string, number>();
  private readonly maxMessageSize: number;
  private readonly blockTransferTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private socket: Socket | undefined;
  private family: 'udp4' | 'udp6' = 'udp6';
  private stopped = false;

  constructor(private readonly options: CoapUdpTransportOptions) {
    this.timing = resolveTiming(options.timing);
    this.log = options.logger ?? noopLogger;
    const clock = options.clock ?? systemClock;
    const szx = szxFor(options.blockSize ?? 1024);
    this.maxMessageSize = Math.max(options.maxMessageSize ?? 1280, 64);
    const maxBodySize = options.maxBodySize ?? 1024 * 1024;
    this.blockTransferTimeoutMs = positive(options.blockTransferTimeoutMs, 300_000);
    this.requestTimeoutMs = positive(options.requestTimeoutMs, this.timing.exchangeLifetimeMs);
    this.ctx = {
      timing: this.timing,
      log: this.log,
      now: () => clock.now(),
      setTimer: (ms, fn) => clock.setTimer(ms, fn),
      send: (peer, m) => this.sendMessage(peer, m),
      sendRaw: (peer, d) => this.sendDatagram(peer, d),
      nextMessageId: (peer) => this.nextMessageId(peer),
      isStopped: () => this.stopped || !this.socket,
    };
    this.retransmitter = new Retransmitter(this.ctx);
    this.requester = new Requester(this.ctx, this.retransmitter, (k) => this.observer.has(k));
    this.blocks = new BlockClient(this.requester, { szx, maxBodySize });
    this.observer = new Observer(this.ctx, options.handler, this.blocks, {
      blockTransferTimeoutMs: this.blockTransferTimeoutMs,
    });
    this.server = new RequestServer(this.ctx, this.retransmitter, options.handler, {
      separateResponseAfterMs: positive(options.separateResponseAfterMs, 1000),
      szx,
      maxBodySize,
      blockTransferTimeoutMs: this.blockTransferTimeoutMs,
    });
    this.dispatcher = new Dispatcher(this.ctx, this.retransmitter, this.requester, this.observer, this.server);
  }

  /** Binds the socket. */
  async start(): Promise<{ port: number }> {
    if (this.socket) return { port: this.socket.address().port };
    this.stopped = false;
    const address = this.options.address ?? '::';
    const port = this.options.port ?? 5683;
    // a machine without IPv6 still serves IPv4 when "::" (the default) was asked for
    const socket = await bindListener((type, a) => this.bind(type, a, port), address, this.log);
    this.socket = socket;
    socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => this.onDatagram(buf, rinfo));
    socket.on('error', (err) => this.log.warn('coap: socket error', { error: String(err) }));
    return { port: socket.address().port };
  }

  private bind(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type, ipv6Only: false });
      const onError = (err: Error): void => {
        s.close();
        reject(err);
      };
      s.once('error', onError);
      s.bind({ port, address }, () => {
        s.off('error', onError);
        this.family = type;
        this.growReceiveBuffer(s);
        resolve(s);
      });
    });
  }

  /** The socket's receive buffer in bytes as the kernel reports it (while started). */
  receiveBufferSize(): number | undefined {
    return this.socket?.getRecvBufferSize();
  }

  private growReceiveBuffer(s: Socket): void {
    const want = this.options.recvBufferSize ?? DEFAULT_RECV_BUFFER;
    if (!(want > 0)) return;
    try {
      if (s.getRecvBufferSize() < want) s.setRecvBufferSize(want);
    } catch (err) {
      this.log.warn('coap: could not set the socket receive buffer', { bytes: want, error: String(err) });
    }
  }

  /** Closes the socket, clears every timer and rejects pending downlinks with STOPPED. */
  async stop(): Promise<void> {
    const socket = this.socket;
    this.stopped = true;
    this.requester.rejectAll(new TransportError('STOPPED', 'transport stopped'));
    this.retransmitter.clear();
    this.server.clear();
    this.observer.clear();
    this.dispatcher.clear();
    this.mids.clear();
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  address(): AddressInfo | undefined {
    try {
      return this.socket?.address();
    } catch {
      return undefined;
    }
  }

  async send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse> {
    if (this.stopped || !this.socket) throw new TransportError('STOPPED', 'transport not running');
    if (!isIP(normalizeAddress(peer.address)) || !Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) {
      throw new TransportError('UNREACHABLE', 'not a UDP address');
    }
    // the registration's own Peer when it is one of ours (no copy kept per observation)
    const target = isOwnPeer(peer) ? peer : udpPeer(peer.address, peer.port);
    const spec = buildRequest(request);
    const observing = request.op === 'observe' || request.op === 'observeComposite';
    if (observing && !spec.token) spec.token = this.requester.newToken(target);
    if (spec.isObserveCancel && spec.token) this.observer.forget(spec.token);
    const now = this.ctx.now();
    const asked = options?.timeoutMs;
    const timeoutMs = typeof asked === 'number' && asked > 0 ? Math.min(asked, MAX_TIMER_MS) : this.requestTimeoutMs;
    const onFirst = observing
      ? (m: CoapMessage): void => this.maybeRegister(target, spec, m)
      : undefined;
    const result = await this.blocks.transfer(target, spec, now + timeoutMs, now + this.blockTransferTimeoutMs, onFirst);
    return toDownlinkResponse(result.response, result.payload);
  }

  /** The device accepted an observation when its 2.xx answer carries Observe (RFC 7641 3.1). */
  private maybeRegister(peer: Peer, spec: RequestSpec, response: CoapMessage): void {
    const seq = getUintOption(response.options, Opt.Observe);
    if (codeClass(response.code) !== 2 || seq === undefined || !spec.token) return;
    const followUps: RequestSpec = {
      code: spec.code,
      options: spec.options.filter((o) => o.number !== Opt.Observe),
      payload: spec.payload,
    };
    this.observer.register(peer, spec.token, followUps, seq);
  }

  forgetObservation(_peer: Peer, token: Uint8Array): void {
    this.observer.forget(token);
  }

  /** Counts of live state, for tests and metrics. */
  diagnostics(): { inFlight: number; retransmitting: number; observations: number } {
    return { inFlight: this.requester.inFlight, retransmitting: this.retransmitter.size, observations: this.observer.size };
  }

  hasObservation(peer: Peer, token: Uint8Array): boolean {
    return this.observer.has(tokenKey(peerKey(peer), Buffer.from(token)));
  }

  private onDatagram(buf: Buffer, rinfo: RemoteInfo): void {
    if (this.stopped) return;
    try {
      this.dispatcher.onDatagram(udpPeer(rinfo.address, rinfo.port), buf);
    } catch (err) {
      // a bug must not take the listener down
      this.log.warn('coap: datagram handling failed', { peer: `${rinfo.address}:${rinfo.port}`, error: String(err) });
    }
  }

  private sendMessage(peer: Peer, m: CoapMessage): Buffer | undefined {
    let datagram: Buffer;
    try {
      datagram = encodeMessage(m, this.maxMessageSize);
    } catch (err) {
      this.log.warn('coap: message not sent', { peer: peer.key, error: String(err) });
      return undefined;
    }
    this.sendDatagram(peer, datagram);
    return datagram;
  }

  private sendDatagram(peer: Peer, datagram: Buffer): void {
    const socket = this.socket;
    if (!socket || this.stopped) return;
    try {
      socket.send(datagram, peer.port, wireAddress(peer.address, this.family), (err) => {
        if (err) this.log.debug('coap: send failed', { peer: peer.key, error: String(err) });
      });
    } catch (err) {
      this.log.debug('coap: send failed', { peer: peer.key, error: String(err) });
    }
  }

  private nextMessageId(peer: Peer): number {
    const last = this.mids.get(peer.key);
    const next = last === undefined ? Math.floor(Math.random() * 0x10000) : (last + 1) & 0xffff;
    if (last === undefined && this.mids.size >= MAX_PEERS_WITH_MID) {
      const oldest = this.mids.keys().next();
      if (!oldest.done) this.mids.delete(oldest.value);
    }
    this.mids.set(peer.key, next);
    return next;
  }
}
