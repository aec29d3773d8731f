/**
 * Client side of one CoAP request/response exchange (RFC 7252 sections 4, 5.2): a CON
 * request, its piggybacked or separate response matched by peer and token, and at most
 * NSTART outstanding interactions per peer (4.7), further requests queued in order.
 */
import type { TimerHandle } from '../../lwm2m/clock.js';
import { randomPool } from '../../lwm2m/random-pool.js';
import { TransportError } from '../../lwm2m/transport.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { WireContext } from './context.js';
import type { CoapMessage } from './message.js';
import { CON, EMPTY_CODE } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, firstBadCriticalOption } from './options.js';
import type { ConHandle, ConOutcome, Retransmitter } from './retransmitter.js';

export interface RequestSpec {
  code: number;
  options: CoapOption[];
  payload: Buffer;
  /** the token to use; a fresh random one otherwise */
  token?: Buffer;
  /**
   * Observe deregistration: a separate response carrying Observe is a late
   * notification, not the answer to this request.
   */
  isObserveCancel?: boolean;
}

interface Exchange {
  peer: Peer;
  spec: RequestSpec;
  token: Buffer;
  tokenKey: string;
  started: boolean;
  holdsSlot: boolean;
  settled: boolean;
  deadlineTimer: TimerHandle | undefined;
  con: ConHandle | undefined;
  resolve: (m: CoapMessage) => void;
  reject: (e: TransportError) => void;
}

interface Slot {
  active: number;
  queue: Exchange[];
}

export function tokenKey(peerKey: string, token: Buffer): string {
  return `${peerKey}|${token.toString('hex')}`;
}

export class Requester {
  private readonly byToken = new Map<string, Exchange>();
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly ctx: WireContext,
    private readonly retransmitter: Retransmitter,
    /** tokens held elsewhere (observations) that a fresh token must not repeat */
    private readonly tokenTaken: (key: string) => boolean = () => false,
  ) {}

  /** A fresh random 8-byte token not in use towards this peer. */
  newToken(peer: Peer): Buffer {
    for (;;) {
      const t = randomPool.buffer(8);
      const k = tokenKey(peer.key, t);
      if (!this.byToken.has(k) && !this.tokenTaken(k)) return t;
    }
  }

  /** Sends one request and resolves with its response; rejects with a TransportError. */
  request(peer: Peer, spec: RequestSpec, deadline: number): Promise<CoapMessage> {
    return new Promise<CoapMessage>((resolve, reject) => {
      if (this.ctx.isStopped()) {
        reject(new TransportError('STOPPED', 'transport stopped'));
        return;
      }
      const token = spec.token ?? this.newToken(peer);
      const key = tokenKey(peer.key, token);
      const ex: Exchange = {
        peer,
        spec,
        token,
        tokenKey: key,
        started: false,
        holdsSlot: false,
        settled: false,
        deadlineTimer: undefined,
        con: undefined,
        resolve,
        reject,
      };
      const older = this.byToken.get(key);
      if (older) this.fail(older, new TransportError('STOPPED', 'superseded by a request with the same token'));
      this.byToken.set(key, ex);
      ex.deadlineTimer = this.ctx.setTimer(Math.max(0, deadline - this.ctx.now()), () =>
        this.fail(ex, new TransportError('TIMEOUT', 'no response in time')),
      );
      let slot = this.slots.get(peer.key);
      if (!slot) {
        slot = { active: 0, queue: [] };
        this.slots.set(peer.key, slot);
      }
      if (slot.active < this.ctx.timing.nstart) this.start(ex, slot);
      else slot.queue.push(ex);
    });
  }

  private start(ex: Exchange, slot: Slot): void {
    ex.started = true;
    ex.holdsSlot = true;
    slot.active++;
    const message: CoapMessage = {
      type: CON,
      code: ex.spec.code,
      messageId: this.ctx.nextMessageId(ex.peer),
      token: ex.token,
      options: ex.spec.options,
      payload: ex.spec.payload,
    };
    ex.con = this.retransmitter.send(ex.peer, message, (o) => this.onConOutcome(ex, o));
  }

  private onConOutcome(ex: Exchange, o: ConOutcome): void {
    ex.con = undefined;
    if (ex.settled) return;
    switch (o.kind) {
      case 'ack':
        this.releaseSlot(ex);
        // a piggybacked response carries the request's token (5.2.1); an empty ACK
        // promises a separate response (5.2.2)
        if (o.message.code !== EMPTY_CODE && o.message.token.equals(ex.token)) {
          if (firstBadCriticalOption(o.message.options) !== undefined) {
            // 5.4.1: such a response is rejected; nothing else will answer this request
            this.fail(ex, new TransportError('RESET', 'response with an unrecognized critical option'));
          } else this.complete(ex, o.message);
        }
        return;
      case 'rst':
        this.fail(ex, new TransportError('RESET', 'the device reset the request'));
        return;
      case 'timeout':
        this.fail(ex, new TransportError('TIMEOUT', 'no acknowledgement after the retransmissions'));
        return;
      case 'unsendable':
        this.fail(ex, new TransportError('TOO_LARGE', 'the request does not fit in a message'));
        return;
    }
  }

  /** A CON or NON response arrived; true when it answers a request in flight. */
  handleSeparateResponse(peer: Peer, message: CoapMessage): boolean {
    const ex = this.byToken.get(tokenKey(peer.key, message.token));
    if (!ex || !ex.started) return false;
    if (ex.spec.isObserveCancel && message.options.some((o) => o.number === Opt.Observe)) return false;
    this.complete(ex, message);
    return true;
  }

  private complete(ex: Exchange, message: CoapMessage): void {
    if (!this.settle(ex)) return;
    ex.resolve(message);
  }

  private fail(ex: Exchange, err: TransportError): void {
    if (!this.settle(ex)) return;
    ex.reject(err);
  }

  private settle(ex: Exchange): boolean {
    if (ex.settled) return false;
    ex.settled = true;
    ex.deadlineTimer?.cancel();
    ex.deadlineTimer = undefined;
    ex.con?.cancel();
    ex.con = undefined;
    if (this.byToken.get(ex.tokenKey) === ex) this.byToken.delete(ex.tokenKey);
    if (!ex.started) {
      const slot = this.slots.get(ex.peer.key);
      if (slot) slot.queue = slot.queue.filter((q) => q !== ex);
      this.dropSlotIfIdle(ex.peer.key);
    }
    this.releaseSlot(ex);
    return true;
  }

  private releaseSlot(ex: Exchange): void {
    if (!ex.holdsSlot) return;
    ex.holdsSlot = false;
    const slot = this.slots.get(ex.peer.key);
    if (!slot) return;
    slot.active--;
    while (slot.active < this.ctx.timing.nstart && slot.queue.length > 0 && !this.ctx.isStopped()) {
      this.start(slot.queue.shift()!, slot);
    }
    this.dropSlotIfIdle(ex.peer.key);
  }

  private dropSlotIfIdle(peerKey: string): void {
    const slot = this.slots.get(peerKey);
    if (slot && slot.active <= 0 && slot.queue.length === 0) this.slots.delete(peerKey);
  }

  /** Fails the request in flight with this token, if any (its response was rejected). */
  failByToken(peer: Peer, token: Buffer, err: TransportError): void {
    const ex = this.byToken.get(tokenKey(peer.key, token));
    if (ex && ex.started) this.fail(ex, err);
  }

  isTokenInUse(key: string): boolean {
    return this.byToken.has(key);
  }

  get inFlight(): number {
    return this.byToken.size;
  }

  /** Rejects every request in flight or queued. */
  rejectAll(err: TransportError): void {
    for (const slot of this.slots.values()) slot.queue.length = 0;
    for (const ex of [...this.byToken.values()]) {
      ex.started = true; // already dequeued above
      this.fail(ex, err);
    }
    this.slots.clear();
  }
}
