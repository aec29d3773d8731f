/**
 * Sessions a client may resume with an abbreviated handshake (RFC 5246 7.3, RFC 6347):
 * the master secret, suite, PSK identity and a digest of the PSK, by session ID. Bounded in
 * count (the least recently used goes first) and in lifetime. Only sessions with the
 * extended master secret are kept, and only a ClientHello that offers it again resumes one
 * (RFC 7627 5.3): a session without it is never resumed, so the legacy case cannot arise.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ClientHello } from './handshake-message.js';
import { EXT_EXTENDED_MASTER_SECRET } from './handshake-message.js';
import { sha256 } from './prf.js';
import type { PskLookup } from './session.js';

export interface CachedSession {
  id: Buffer;
  master: Buffer;
  suite: number;
  identity: string;
  /** sha256 of the PSK the session was made with: a changed key refuses resumption */
  pskDigest: Buffer;
  createdAt: number;
}

export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();

  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  store(s: Omit<CachedSession, 'createdAt'>): void {
    if (this.maxEntries <= 0) return;
    const key = s.id.toString('hex');
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...s, createdAt: this.now() });
  }

  /** The live session with this ID (now the most recently used); undefined when unknown or expired. */
  find(id: Buffer): CachedSession | undefined {
    if (id.length === 0) return undefined;
    const key = id.toString('hex');
    const s = this.entries.get(key);
    if (!s) return undefined;
    this.entries.delete(key);
    if (this.now() - s.createdAt >= this.lifetimeMs) return undefined;
    this.entries.set(key, s);
    return s;
  }

  delete(id: Buffer): void {
    this.entries.delete(id.toString('hex'));
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The digest kept in place of the PSK itself. */
export function pskDigest(psk: Buffer): Buffer {
  return sha256(psk);
}

/**
 * The cached session this ClientHello may resume: known ID, still alive, its suite offered,
 * the extended master secret offered again, and the identity's key in the credentials
 * unchanged (a deleted or changed key forgets the session). Undefined: full handshake.
 */
export function resumableSession(cache: SessionCache, ch: ClientHello, psk: PskLookup): CachedSession | undefined {
  const s = cache.find(ch.sessionId);
  if (!s || !ch.cipherSuites.includes(s.suite) || !ch.extensions.includes(EXT_EXTENDED_MASTER_SECRET)) return undefined;
  let key: Buffer | undefined;
  try {
    key = psk(Buffer.from(s.identity, 'utf8'));
  } catch {
    return undefined;
  }
  const digest = key ? pskDigest(key) : undefined;
  if (!digest || !timingSafeEqual(digest, s.pskDigest)) {
    cache.delete(s.id);
    return undefined;
  }
  return s;
}
