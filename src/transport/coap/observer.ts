/**
 * The server as an observer (RFC 7641): observations it started, by token (tokens are
 * random and unique across peers, so a notification from a device whose NAT binding
 * changed still matches, and the observation follows it to the new address);
 * notifications checked for freshness (3.4) and handed to the core; block-wise
 * notifications completed with plain requests first (RFC 7959 2.6).
 */
import type { Notification, Peer } from '../../lwm2m/transport.js';
import type { CoapRequestHandler } from './coap-request.js';
import type { BlockClient } from './block-client.js';
import { getBlock } from './block.js';
import type { WireContext } from './context.js';
import type { CoapMessage } from './message.js';
import { codeClass, codeText } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, getUintOption } from './options.js';
import type { RequestSpec } from './requester.js';

/** Observations are keyed by token alone; accepts a token or a requester token key ("peer|hex"). */
function obsKey(token: Uint8Array | string): string {
  if (typeof token === 'string') return token.slice(token.lastIndexOf('|') + 1);
  // a received token is a Buffer already (a view of the datagram): no wrapper made for it
  return (Buffer.isBuffer(token) ? token : Buffer.from(token.buffer, token.byteOffset, token.byteLength)).toString('hex');
}

const SEQ_HALF = 2 ** 23;
const FRESHNESS_WINDOW_MS = 128_000;

/**
 * RFC 7641 section 3.4: is a notification numbered v2, received at t2 (ms), newer than
 * the last one, v1 received at t1? Observe numbers are 24-bit and wrap.
 */
export function isFresh(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < SEQ_HALF) || (v1 > v2 && v1 - v2 > SEQ_HALF) || t2 > t1 + FRESHNESS_WINDOW_MS;
}

/**
 * Options as one latin1 string: per option its number and value length (two 16-bit
 * characters each, as two latin1 characters) and the value bytes. A string of a few dozen
 * characters instead of an array of objects each pinning a Buffer.
 */
export function packOptions(options: readonly CoapOption[]): string {
  let s = '';
  for (const o of options) {
    const n = o.number;
    const l = o.value.length;
    s += String.fromCharCode(n >> 8, n & 0xff, l >> 8, l & 0xff) + o.value.toString('latin1');
  }
  // a flat copy, not a chain of the parts
  return s.length > 0 ? Buffer.from(s, 'latin1').toString('latin1') : '';
}

export function unpackOptions(packed: string): CoapOption[] {
  const out: CoapOption[] = [];
  let i = 0;
  while (i + 4 <= packed.length) {
    const n = (packed.charCodeAt(i) << 8) | packed.charCodeAt(i + 1);
    const l = (packed.charCodeAt(i + 2) << 8) | packed.charCodeAt(i + 3);
    i += 4;
    out.push({ number: n, value: Buffer.from(packed.slice(i, i + l), 'latin1') });
    i += l;
  }
  return out;
}

/** One observation, in a fixed shape holding only what block-wise follow-ups need. */
class Observation {
  /** the request that started it (without Observe), rebuilt to fetch further blocks */
  private readonly code: number;
  private readonly options: string;
  private readonly payload: string;
  lastTime: number;
  /** counts fresh notifications; a reassembled one is handed on only if none newer was */
  generation = 0;
  delivered = 0;

  constructor(
    public peer: Peer,
    /** the token as hex (also the map key) */
    readonly token: string,
    spec: RequestSpec,
    public lastSeq: number | undefined,
    now: number,
  ) {
    this.code = spec.code;
    this.options = packOptions(spec.options);
    this.payload = spec.payload.length > 0 ? spec.payload.toString('latin1') : '';
    this.lastTime = now;
  }

  followUpSpec(): RequestSpec {
    return {
      code: this.code,
      options: unpackOptions(this.options),
      payload: this.payload.length > 0 ? Buffer.from(this.payload, 'latin1') : Buffer.alloc(0),
    };
  }
}

export type NotificationVerdict = 'ack' | 'rst';

export interface ObserverOptions {
  blockTransferTimeoutMs: number;
}

export class Observer {
  private readonly observations = new Map<string, Observation>();

  constructor(
    private readonly ctx: WireContext,
    private readonly handler: Pick<CoapRequestHandler, 'handleNotification'>,
    private readonly blocks: BlockClient,
    private readonly opts: ObserverOptions,
  ) {}

  register(peer: Peer, token: Buffer, spec: RequestSpec, seq: number | undefined): void {
    const key = obsKey(token);
    this.observations.set(key, new Observation(peer, key, spec, seq, this.ctx.now()));
  }

  forget(token: Uint8Array): boolean {
    return this.observations.delete(obsKey(token));
  }

  /** `key`: a token key as the requester builds it ("peer|hex"), or the hex token */
  has(key: string): boolean {
    return this.observations.has(obsKey(key));
  }

  get size(): number {
    return this.observations.size;
  }

  /** A CON or NON response that no request in flight claimed. */
  handle(peer: Peer, message: CoapMessage): NotificationVerdict {
    const key = obsKey(message.token);
    const obs = this.observations.get(key);
    if (!obs) return 'rst';
    if (obs.peer.key !== peer.key) {
      // the device's address changed (NAT rebinding): later block fetches go to the new one
      this.ctx.log.debug('coap: observation moved', { from: obs.peer.key, to: peer.key });
      obs.peer = peer;
    }
    const seq = getUintOption(message.options, Opt.Observe);
    const success = codeClass(message.code) === 2;
    if (seq !== undefined && success) {
      const now = this.ctx.now();
      if (obs.lastSeq !== undefined && !isFresh(obs.lastSeq, obs.lastTime, seq, now)) {
        this.ctx.log.debug('coap: stale notification dropped', { peer: peer.key, seq, last: obs.lastSeq });
        return 'ack';
      }
      obs.lastSeq = seq;
      obs.lastTime = now;
    } else {
      // an error or a response without Observe ends the observation (RFC 7641 3.2)
      this.observations.delete(key);
    }
    const generation = ++obs.generation;
    const b2 = success ? getBlock(message.options, Opt.Block2) : undefined;
    if (b2 && b2.more && b2.num === 0) {
      this.completeBlocks(obs, message, generation);
      return 'ack';
    }
    obs.delivered = generation;
    return this.deliver(obs, message, message.payload) ? 'ack' : 'rst';
  }

  private completeBlocks(obs: Observation, first: CoapMessage, generation: number): void {
    const deadline = this.ctx.now() + this.opts.blockTransferTimeoutMs;
    // started after the caller has acknowledged block 0
    Promise.resolve()
      .then(() => this.blocks.followBlock2(obs.peer, obs.followUpSpec(), first, deadline, false))
      .then(
      ({ payload }) => {
        if (this.ctx.isStopped() || generation <= obs.delivered) return;
        obs.delivered = generation;
        this.deliver(obs, first, payload);
      },
      (err: unknown) => {
        this.ctx.log.debug('coap: block-wise notification incomplete', { peer: obs.peer.key, error: String(err) });
      },
    );
  }

  /** Hands the notification to the core; false when the core does not know it. */
  private deliver(obs: Observation, message: CoapMessage, payload: Buffer): boolean {
    const seq = getUintOption(message.options, Opt.Observe);
    const cf = getUintOption(message.options, Opt.ContentFormat);
    let accepted: boolean;
    // the token as a view of the message's (looked up, never kept: no hex parsing, no copy); the
    // payload copied into memory of its own (a decoded value may keep it: not a pool slab's view)
    const n: Notification = { token: new Uint8Array(message.token.buffer, message.token.byteOffset, message.token.byteLength), code: codeText(message.code), payload: new Uint8Array(payload) };
    if (cf !== undefined) n.contentFormat = cf;
    if (seq !== undefined) n.observe = seq;
    try {
      accepted = this.handler.handleNotification(obs.peer, n);
    } catch (err) {
      this.ctx.log.warn('coap: notification handler failed', { peer: obs.peer.key, error: String(err) });
      return true;
    }
    const key = obs.token;
    if (!accepted && this.observations.get(key) === obs) this.observations.delete(key);
    return accepted;
  }

  clear(): void {
    this.observations.clear();
  }
}
