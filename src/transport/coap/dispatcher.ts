/**
 * Sorts incoming datagrams (RFC 7252 sections 4.2-4.5): malformed ones answered or
 * dropped, ACK/RST to the retransmitter, pings reset, duplicates answered from the
 * deduplication cache, requests to the server part, separate responses and
 * notifications to the requester and the observer.
 */
import { TransportError } from '../../lwm2m/transport.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { WireContext } from './context.js';
import { DedupCache } from './dedup.js';
import type { BrokenHeader, CoapMessage } from './message.js';
import { ACK, CON, EMPTY_CODE, RST, code, emptyMessage, isRequestCode, isResponseCode, parseMessage } from './message.js';
import type { Observer } from './observer.js';
import { firstBadCriticalOption } from './options.js';
import type { Requester } from './requester.js';
import type { Retransmitter } from './retransmitter.js';
import type { RequestServer } from './request-server.js';

const BAD_REQUEST = code(4, 0);

export class Dispatcher {
  private readonly dedup = new DedupCache();
  /** datagrams refused since start, by reason (for /metrics) */
  readonly refused = { malformed: 0, reservedCode: 0 };

  constructor(
    private readonly ctx: WireContext,
    private readonly retransmitter: Retransmitter,
    private readonly requester: Requester,
    private readonly observer: Observer,
    private readonly server: RequestServer,
  ) {}

  onDatagram(peer: Peer, datagram: Buffer): void {
    const parsed = parseMessage(datagram);
    if (!parsed.ok) {
      this.onMalformed(peer, parsed.reason, parsed.header);
      return;
    }
    const m = parsed.message;
    if (m.type === ACK || m.type === RST) {
      if (!this.retransmitter.handleReply(peer, m, m.type === RST)) {
        this.ctx.log.debug('coap: unmatched ACK/RST', { peer: peer.key, mid: m.messageId });
      }
      return;
    }
    if (m.code === EMPTY_CODE) {
      // a CON ping is answered with a RST (4.3); an empty NON means nothing
      if (m.type === CON) this.ctx.send(peer, emptyMessage(RST, m.messageId));
      return;
    }
    const now = this.ctx.now();
    const key = DedupCache.key(peer.key, m.messageId);
    const seen = this.dedup.get(key, now);
    if (seen) {
      // 4.5: a duplicate gets the reply the original got, or nothing while it is in progress
      if (seen.reply) this.ctx.sendRaw(peer, seen.reply);
      return;
    }
    const lifetime = m.type === CON ? this.ctx.timing.exchangeLifetimeMs : this.ctx.timing.nonLifetimeMs;
    const entry = this.dedup.begin(key, lifetime, now);
    if (isRequestCode(m.code)) {
      this.server.handle(peer, m, entry);
      return;
    }
    if (isResponseCode(m.code)) {
      const reply = this.onResponse(peer, m);
      if (reply) entry.reply = reply;
      return;
    }
    // reserved code classes 1, 6, 7: reject a CON, ignore a NON
    this.refused.reservedCode++;
    if (m.type === CON) {
      const rst = this.ctx.send(peer, emptyMessage(RST, m.messageId));
      if (rst) entry.reply = rst;
    }
  }

  /** A separate response or a notification; returns the datagram sent back, if any. */
  private onResponse(peer: Peer, m: CoapMessage): Buffer | undefined {
    if (firstBadCriticalOption(m.options) !== undefined) {
      // 5.4.1: a response with an unrecognized critical option is rejected
      this.requester.failByToken(peer, m.token, new TransportError('RESET', 'response with an unrecognized critical option'));
      return m.type === CON ? this.ctx.send(peer, emptyMessage(RST, m.messageId)) : undefined;
    }
    if (this.requester.handleSeparateResponse(peer, m)) {
      return m.type === CON ? this.ctx.send(peer, emptyMessage(ACK, m.messageId)) : undefined;
    }
    const verdict = this.observer.handle(peer, m);
    if (verdict === 'rst') return this.ctx.send(peer, emptyMessage(RST, m.messageId));
    return m.type === CON ? this.ctx.send(peer, emptyMessage(ACK, m.messageId)) : undefined;
  }

  private onMalformed(peer: Peer, reason: string, header: BrokenHeader | undefined): void {
    this.refused.malformed++;
    this.ctx.log.debug('coap: malformed datagram', { peer: peer.key, reason });
    if (!header || header.type !== CON) return; // NON, ACK and RST with format errors are dropped (4.2, 4.3)
    if (isRequestCode(header.code) && header.token) {
      this.ctx.send(peer, {
        type: ACK,
        code: BAD_REQUEST,
        messageId: header.messageId,
        token: header.token,
        options: [],
        payload: Buffer.alloc(0),
      });
      return;
    }
    this.ctx.send(peer, emptyMessage(RST, header.messageId));
  }

  clear(): void {
    this.dedup.clear();
  }
}
