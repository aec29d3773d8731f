/**
 * Server side for requests from devices (RFC 7252 sections 5.2, 5.4, 5.7): critical
 * option checks, Block1 reassembly, the request handler (uplink-map.ts: the LwM2M core) with
 * a separate response when it is slow, Block2 for large answers. Duplicates never reach this class (see dispatcher).
 */
import type { TimerHandle } from '../../lwm2m/clock.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { BlockValue } from './block.js';
import { blockOption, blockSize, getBlock } from './block.js';
import type { Block1Result } from './block1-assembler.js';
import { Block1Assembler } from './block1-assembler.js';
import type { WireContext } from './context.js';
import type { DedupEntry } from './dedup.js';
import type { CoapMessage } from './message.js';
import { ACK, CON, NON, RST, code, emptyMessage, methodName } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, firstBadCriticalOption, getUintOption, uintOption } from './options.js';
import type { Retransmitter } from './retransmitter.js';
import type { CoapRequestHandler, ResponseParts } from './coap-request.js';
import { hasBadStringOption, toCoapRequest, toResponseParts, uriKey } from './coap-request.js';
import { Block2Store } from './block2-store.js';

const C = {
  continue: code(2, 31),
  badRequest: code(4, 0),
  badOption: code(4, 2),
  methodNotAllowed: code(4, 5),
  incomplete: code(4, 8),
  tooLarge: code(4, 13),
  internal: code(5, 0),
  proxyingNotSupported: code(5, 5),
} as const;

const REQUEST_TAG = 292;

export interface ServerOptions {
  /** a handler still running after this long gets an empty ACK and a separate response */
  separateResponseAfterMs: number;
  /** preferred block size (SZX) for Block2 answers and for Block1 requests */
  szx: number;
  maxBodySize: number;
  blockTransferTimeoutMs: number;
}

interface Exchange {
  peer: Peer;
  request: CoapMessage;
  entry: DedupEntry;
  /** an empty ACK went out: the response follows as a CON of its own */
  separate: boolean;
  timer: TimerHandle | undefined;
}

function parts(c: number, options: CoapOption[] = [], payload: Buffer = Buffer.alloc(0)): ResponseParts {
  return { code: c, options, payload };
}

export class RequestServer {
  private readonly assembler: Block1Assembler;
  private readonly bodies: Block2Store;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly ctx: WireContext,
    private readonly retransmitter: Retransmitter,
    private readonly handler: CoapRequestHandler,
    private readonly opts: ServerOptions,
  ) {
    this.assembler = new Block1Assembler({
      maxBodySize: opts.maxBodySize,
      szx: opts.szx,
      transferTimeoutMs: opts.blockTransferTimeoutMs,
      timers: ctx,
    });
    this.bodies = new Block2Store(opts.blockTransferTimeoutMs, 1000, ctx);
  }

  /** A CON or NON request seen for the first time; `entry` records the reply for duplicates. */
  handle(peer: Peer, request: CoapMessage, entry: DedupEntry): void {
    const ex: Exchange = { peer, request, entry, separate: false, timer: undefined };
    const opts = request.options;
    if (opts.some((o) => o.number === Opt.ProxyUri || o.number === Opt.ProxyScheme)) {
      this.respond(ex, parts(C.proxyingNotSupported));
      return;
    }
    if (firstBadCriticalOption(opts) !== undefined) {
      // 5.4.1: 4.02 for a CON request; a NON one is rejected
      if (request.type === CON) this.respond(ex, parts(C.badOption));
      else this.reset(ex);
      return;
    }
    if (!methodName(request.code)) {
      this.respond(ex, parts(C.methodNotAllowed));
      return;
    }
    if (hasBadStringOption(opts)) {
      // 3.2: string options are UTF-8; bytes that are not would be guessed into U+FFFD
      this.ctx.log.debug('coap: Uri-Path or Uri-Query not valid UTF-8', { peer: peer.key });
      this.respond(ex, parts(C.badRequest));
      return;
    }
    const hasB1 = opts.some((o) => o.number === Opt.Block1);
    const hasB2 = opts.some((o) => o.number === Opt.Block2);
    const b1 = getBlock(opts, Opt.Block1);
    const b2 = getBlock(opts, Opt.Block2);
    if ((hasB1 && !b1) || (hasB2 && !b2)) {
      this.respond(ex, parts(C.badRequest));
      return;
    }
    const target = `${peer.key}|${uriKey(request)}`;
    if (b2 && b2.num > 0) {
      const stored = this.bodies.get(target);
      if (stored) {
        this.respond(ex, this.slice(stored, b2, target));
        return;
      }
    }
    let payload = request.payload;
    let b1Echo: BlockValue | undefined;
    if (b1) {
      // bodies sent with different Request-Tags are different bodies (RFC 9175 3)
      const tags = opts.filter((o) => o.number === REQUEST_TAG).map((o) => o.value.toString('hex'));
      const key = tags.length > 0 ? `${target}|${tags.join(',')}` : target;
      const r: Block1Result = this.assembler.accept(key, b1, request.payload, getUintOption(opts, Opt.Size1));
      switch (r.kind) {
        case 'continue':
          this.respond(ex, parts(C.continue, [blockOption(Opt.Block1, r.block)]));
          return;
        case 'incomplete':
          this.respond(ex, parts(C.incomplete));
          return;
        case 'tooLarge':
          this.respond(ex, parts(C.tooLarge, [uintOption(Opt.Size1, this.opts.maxBodySize)]));
          return;
        case 'complete':
          payload = r.payload;
          b1Echo = r.block;
      }
    } else if (payload.length > this.opts.maxBodySize) {
      this.respond(ex, parts(C.tooLarge, [uintOption(Opt.Size1, this.opts.maxBodySize)]));
      return;
    }
    this.callHandler(ex, payload, b1Echo, b2, target);
  }

  private callHandler(ex: Exchange, payload: Buffer, b1Echo: BlockValue | undefined, b2: BlockValue | undefined, target: string): void {
    const request = toCoapRequest(ex.request, payload);
    if (!request) {
      this.respond(ex, parts(C.methodNotAllowed));
      return;
    }
    if (ex.request.type === CON) {
      ex.timer = this.ctx.setTimer(this.opts.separateResponseAfterMs, () => this.sendEmptyAck(ex));
      this.timers.add(ex.timer);
    }
    const finish = (p: ResponseParts): void => {
      if (ex.timer) {
        ex.timer.cancel();
        this.timers.delete(ex.timer);
        ex.timer = undefined;
      }
      if (this.ctx.isStopped()) return;
      if (b1Echo) p.options.push(blockOption(Opt.Block1, b1Echo));
      const wanted = b2 ?? { num: 0, more: false, szx: this.opts.szx };
      const szx = Math.min(wanted.szx, this.opts.szx);
      if (p.payload.length > blockSize(szx)) {
        this.bodies.set(target, { ...p, options: p.options.filter((o) => o.number !== Opt.Block1) });
        p = this.slice(p, { ...wanted, szx }, target);
      }
      this.respond(ex, p);
    };
    let pending: Promise<unknown>;
    try {
      pending = this.handler.handleRequest(ex.peer, request);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (resp) => {
        const p = resp && typeof resp === 'object' ? toResponseParts(resp as Parameters<typeof toResponseParts>[0]) : undefined;
        if (!p) this.ctx.log.warn('coap: handler returned an invalid response', { peer: ex.peer.key });
        finish(p ?? parts(C.internal));
      },
      (err: unknown) => {
        // never tell the device what broke inside (5.00 with an empty payload)
        this.ctx.log.warn('coap: request handler failed', { peer: ex.peer.key, error: String(err) });
        finish(parts(C.internal));
      },
    );
  }

  /** One block of a stored large response (RFC 7959 2.4), with Size2 for the whole. */
  private slice(p: ResponseParts, want: BlockValue, target: string): ResponseParts {
    const size = blockSize(want.szx);
    const start = want.num * size;
    if (start >= p.payload.length && !(start === 0 && p.payload.length === 0)) return parts(C.badOption);
    const more = start + size < p.payload.length;
    if (!more) this.bodies.delete(target);
    return parts(
      p.code,
      [
        ...p.options,
        blockOption(Opt.Block2, { num: want.num, more, szx: want.szx }),
        uintOption(Opt.Size2, p.payload.length),
      ],
      p.payload.subarray(start, start + size),
    );
  }

  private sendEmptyAck(ex: Exchange): void {
    if (ex.timer) this.timers.delete(ex.timer);
    ex.timer = undefined;
    if (this.ctx.isStopped()) return;
    ex.separate = true;
    const ack = this.ctx.send(ex.peer, emptyMessage(ACK, ex.request.messageId));
    if (ack) ex.entry.reply = ack;
  }

  private reset(ex: Exchange): void {
    const rst = this.ctx.send(ex.peer, emptyMessage(RST, ex.request.messageId));
    if (rst) ex.entry.reply = rst;
  }

  private respond(ex: Exchange, p: ResponseParts): void {
    if (this.ctx.isStopped()) return;
    const { request } = ex;
    const build = (q: ResponseParts): CoapMessage => {
      if (request.type === CON && !ex.separate) {
        return { type: ACK, code: q.code, messageId: request.messageId, token: request.token, options: q.options, payload: q.payload };
      }
      const type = request.type === CON ? CON : NON;
      return { type, code: q.code, messageId: this.ctx.nextMessageId(ex.peer), token: request.token, options: q.options, payload: q.payload };
    };
    let message = build(p);
    if (message.type === CON) {
      this.retransmitter.send(ex.peer, message, (o) => {
        if (o.kind === 'unsendable') this.retransmitter.send(ex.peer, build(parts(C.internal)), () => {});
        else if (o.kind !== 'ack') this.ctx.log.debug('coap: separate response not acknowledged', { peer: ex.peer.key, outcome: o.kind });
      });
      return;
    }
    let datagram = this.ctx.send(ex.peer, message);
    if (!datagram) {
      this.ctx.log.warn('coap: response does not fit in a message', { peer: ex.peer.key });
      if (message.type === NON) message = build(parts(C.internal));
      else message = { ...message, code: C.internal, options: [], payload: Buffer.alloc(0) };
      datagram = this.ctx.send(ex.peer, message);
    }
    if (datagram && message.type === ACK) ex.entry.reply = datagram;
    else if (datagram && request.type === NON) ex.entry.reply = datagram;
  }

  clear(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.assembler.clear();
    this.bodies.clear();
  }
}
