/**
 * A ClientHello sent in several handshake fragments (RFC 6347 4.2.3), in one record or
 * several, in one datagram or several, is put together before the cookie check. The
 * address is not verified yet, so what is held for it is small and bounded: at most
 * `maxPending` partial hellos at once (the oldest is dropped for a new one, and one per
 * address), each at most `maxLength` bytes, forgotten after `ttlMs`. A hello that comes
 * whole holds nothing (its record bounds it). A client whose partial
 * hello was pushed out sends it again on its retransmission timer.
 */
import type { HandshakeFragment } from './handshake-message.js';
import { Reassembler } from './reassembler.js';

interface Pending {
  reassembler: Reassembler;
  messageSeq: number;
  expires: number;
}

export class ClientHelloAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly maxPending = 64,
    private readonly maxLength = 4096,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** The whole ClientHello body once the last fragment from this address arrived; undefined meanwhile or when refused. */
  add(peerKey: string, f: HandshakeFragment): Buffer | undefined {
    if (f.fragmentOffset === 0 && f.body.length === f.length) {
      this.pending.delete(peerKey);
      return f.body;
    }
    if (f.length > this.maxLength) return undefined;
    const t = this.now();
    let p = this.pending.get(peerKey);
    if (p && (p.expires <= t || p.messageSeq !== f.messageSeq)) {
      this.pending.delete(peerKey);
      p = undefined;
    }
    if (!p) {
      this.evict(t);
      p = { reassembler: new Reassembler(this.maxLength), messageSeq: f.messageSeq, expires: t + this.ttlMs };
      this.pending.set(peerKey, p);
    }
    const m = p.reassembler.add(f);
    if (!m) return undefined;
    this.pending.delete(peerKey);
    return m.body;
  }

  private evict(t: number): void {
    for (const [k, p] of this.pending) if (p.expires <= t) this.pending.delete(k);
    while (this.pending.size >= this.maxPending && this.pending.size > 0) this.pending.delete(this.pending.keys().next().value!);
  }

  clear(): void {
    this.pending.clear();
  }
}
