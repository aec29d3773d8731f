/**
 * The CoAP message layer (RFC 7252) with Observe (RFC 7641) and block-wise transfers
 * (RFC 7959), over any datagram endpoint: UDP today, a DTLS session layer tomorrow. It is
 * the DeviceTransport the core sends downlinks through; requests and notifications from
 * devices go to its CoapRequestHandler.
 */
import { systemClock, type Clock } from '../../lwm2m/clock.js';
import { TransportError } from '../../lwm2m/transport.js';
import type { DeviceTransport, DownlinkRequest, DownlinkResponse, MessageTraceSink, Peer, SendOptions } from '../../lwm2m/transport.js';
import { BlockClient } from './block-client.js';
import { szxFor } from './block.js';
import type { CoapRequestHandler } from './coap-request.js';
import type { CoapLogger, WireContext } from './context.js';
import { noopLogger } from './context.js';
import type { DatagramEndpoint } from './datagram-endpoint.js';
import { Dispatcher } from './dispatcher.js';
import { traceRecord } from './message-trace.js';
import { buildRequest, toDownlinkResponse } from './downlink-map.js';
import type { CoapMessage } from './message.js';
import { codeClass, encodeMessage } from './message.js';
import { Observer } from './observer.js';
import { Opt, getUintOption } from './options.js';
import { Requester, tokenKey } from './requester.js';
import type { RequestSpec } from './requester.js';
import { Retransmitter } from './retransmitter.js';
import { RequestServer } from './request-server.js';
import type { CoapTiming } from './timing.js';
import { resolveTiming } from './timing.js';

export interface CoapMessageLayerOptions {
  /** where requests and notifications from devices go */
  handler: CoapRequestHandler;
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
  /** downlink timeout when send() is given none (default EXCHANGE_LIFETIME) */
  requestTimeoutMs?: number;
  logger?: CoapLogger;
  /** time and timers: retransmission, deadlines, freshness, block transfers (default: the system's) */
  clock?: Clock;
}

const MAX_PEERS_WITH_MID = 100_000;
/** the longest delay a Node timer takes */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && v > 0 ? Math.min(v, MAX_TIMER_MS) : Math.min(fallback, MAX_TIMER_MS);
}

/** The observe request without Observe: what fetches further blocks of a notification. */
function followUpSpec(spec: RequestSpec): RequestSpec {
  return { code: spec.code, options: spec.options.filter((o) => o.number !== Opt.Observe), payload: spec.payload };
}

export class CoapMessageLayer implements DeviceTransport {
  readonly name: string;
  protected readonly log: CoapLogger;
  private readonly timing: CoapTiming;
  private readonly ctx: WireContext;
  private readonly retransmitter: Retransmitter;
  private readonly requester: Requester;
  private readonly blocks: BlockClient;
  private readonly observer: Observer;
  private readonly server: RequestServer;
  private readonly dispatcher: Dispatcher;
  private readonly mids = new Map<string, number>();
  /** the traced peers by key, and where their messages go (empty: nothing traced) */
  private readonly traces = new Map<string, MessageTraceSink>();
  private readonly maxMessageSize: number;
  private readonly blockTransferTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private stopped = false;

  constructor(
    private readonly endpoint: DatagramEndpoint,
    options: CoapMessageLayerOptions,
  ) {
    this.name = endpoint.name;
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
      isStopped: () => this.stopped || !endpoint.isOpen,
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
    endpoint.onDatagram((peer, datagram) => this.receive(peer, datagram));
  }

  /** Accepts datagrams again after stopMessages(). */
  protected resumeMessages(): void {
    this.stopped = false;
  }

  /** Clears every timer and exchange; pending downlinks reject with STOPPED. */
  protected stopMessages(): void {
    this.stopped = true;
    this.requester.rejectAll(new TransportError('STOPPED', 'transport stopped'));
    this.retransmitter.clear();
    this.server.clear();
    this.observer.clear();
    this.dispatcher.clear();
    this.mids.clear();
  }

  async send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse> {
    if (this.stopped || !this.endpoint.isOpen) throw new TransportError('STOPPED', 'transport not running');
    const target = this.endpoint.peerFor(peer);
    if (!target) throw new TransportError('UNREACHABLE', `not a ${this.name.toUpperCase()} address`);
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
    this.observer.register(peer, spec.token, followUpSpec(spec), seq);
  }

  forgetObservation(_peer: Peer, token: Uint8Array): void {
    this.observer.forget(token);
  }

  /** An observation from before a restart: its notifications are taken again (no sequence number known yet). */
  restoreObservation(peer: Peer, request: DownlinkRequest): void {
    if (!request.token || request.token.length === 0) return;
    const spec = buildRequest(request);
    if (!spec.token) return;
    // no session yet (DTLS after a restart): the first notification tells where the device is
    const target = this.endpoint.peerFor(peer) ?? peer;
    this.observer.register(target, spec.token, followUpSpec(spec), undefined);
  }

  /** Counts of live state, for tests and metrics. */
  diagnostics(): { inFlight: number; retransmitting: number; observations: number } {
    return { inFlight: this.requester.inFlight, retransmitting: this.retransmitter.size, observations: this.observer.size };
  }

  hasObservation(peer: Peer, token: Uint8Array): boolean {
    const own = this.endpoint.peerFor(peer);
    return own !== undefined && this.observer.has(tokenKey(own.key, Buffer.from(token)));
  }

  /** datagrams refused since start, by reason */
  refusedDatagrams(): Readonly<Record<string, number>> {
    return { ...this.dispatcher.refused };
  }

  /** Traces every datagram to and from `peer` (one map lookup per datagram while any peer is traced); undefined: stop. */
  tracePeer(peer: Peer, sink: MessageTraceSink | undefined): void {
    const key = this.endpoint.peerFor(peer)?.key ?? peer.key;
    if (sink) this.traces.set(key, sink);
    else this.traces.delete(key);
  }

  private trace(peer: Peer, direction: 'in' | 'out', datagram: Buffer): void {
    const sink = this.traces.get(peer.key);
    if (!sink) return;
    try {
      sink(traceRecord(direction, datagram));
    } catch (err) {
      this.log.warn('coap: trace failed', { peer: peer.key, error: String(err) });
    }
  }

  private receive(peer: Peer, datagram: Buffer): void {
    if (this.stopped) return;
    if (this.traces.size !== 0) this.trace(peer, 'in', datagram);
    try {
      this.dispatcher.onDatagram(peer, datagram);
    } catch (err) {
      // a bug must not take the listener down
      this.log.warn('coap: datagram handling failed', { peer: `${peer.address}:${peer.port}`, error: String(err) });
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
    if (this.stopped) return;
    if (this.traces.size !== 0) this.trace(peer, 'out', datagram);
    this.endpoint.send(peer, datagram);
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
