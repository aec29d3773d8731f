/**
 * Remembers incoming message ids per peer for EXCHANGE_LIFETIME / NON_LIFETIME
 * (RFC 7252 section 4.5) with the reply sent, so a duplicate gets the same reply and a
 * duplicate of a request still being handled is not handled twice.
 */
export class DedupEntry {
  /**
   * The reply's bytes as latin1 text: a few dozen bytes of string rather than a Buffer with
   * an ArrayBuffer and backing store of its own, kept for the exchange lifetime.
   */
  private packed: string | undefined = undefined;

  constructor(readonly expiresAt: number) {}

  /** the datagram answered, once there is one (piggybacked response, empty ACK, RST) */
  get reply(): Buffer | undefined {
    return this.packed === undefined ? undefined : Buffer.from(this.packed, 'latin1');
  }

  set reply(datagram: Buffer | undefined) {
    this.packed = datagram?.toString('latin1');
  }
}

export class DedupCache {
  private readonly entries = new Map<string, DedupEntry>();
  /** no entry expires before this (the oldest's expiry when last swept): sweeping sooner finds nothing */
  private sweepAt = 0;

  constructor(private readonly maxEntries = 200_000) {}

  static key(peerKey: string, messageId: number): string {
    // joined, not concatenated: a flat string, not a chain holding its parts
    return [peerKey, messageId].join('#');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for this message, if it was seen before. */
  get(key: string, now: number): DedupEntry | undefined {
    this.sweep(now);
    const e = this.entries.get(key);
    if (e && e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Records a first sighting; the reply is set later. */
  begin(key: string, lifetimeMs: number, now: number): DedupEntry {
    const e = new DedupEntry(now + lifetimeMs);
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return e;
  }

  /** Drops expired entries from the oldest end (entries are added in time order). */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    for (const [k, e] of this.entries) {
      if (e.expiresAt > now) {
        this.sweepAt = e.expiresAt;
        return;
      }
      this.entries.delete(k);
    }
    this.sweepAt = 0;
  }

  clear(): void {
    this.entries.clear();
    this.sweepAt = 0;
  }
}
