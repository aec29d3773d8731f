/**
 * Bounds on what devices can make the server hold: registrations in total, Registers per
 * source address, links and bytes of an object list. A refusal is a CoAP error for the
 * device, a count in `RefusalCounts`, and a WARN line at most once a minute per reason.
 * Also the rate limit of the WARN lines about registrations changing address.
 *
 * Codes, as Leshan and Wakaama answer (and their clients understand):
 * - too many object links: 4.00 Bad Request (the object list is refused as invalid);
 * - payload over the limit: 4.13 Request Entity Too Large (RFC 7252 5.9.2.9);
 * - registrations full: 5.03 Service Unavailable with Max-Age (RFC 7252 5.9.3.4): the
 *   server, not the client, is the limit, and any client may retry after Max-Age;
 * - no credentials, or another endpoint's (security.ts): 4.03 Forbidden;
 * - Registers from one address too fast: 4.29 Too Many Requests with Max-Age (RFC 8516):
 *   this very client (or its NAT) must slow down, and Max-Age says when to retry.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../../log.js';

export interface RegistrationLimits {
  /** object and instance links in the object list of a Register or Update (4.00 beyond) */
  maxLinks: number;
  /** bytes of a Register or Update payload (4.13 beyond) */
  maxPayload: number;
  /** registrations held at once (5.03 beyond); a Register that replaces one of its endpoint always passes */
  maxRegistrations: number;
  /** Registers per second from one source address, in bursts up to the same number (4.29 beyond); 0: no limit */
  registerRatePerAddress: number;
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  maxLinks: 1000,
  maxPayload: 65_536,
  maxRegistrations: 250_000,
  registerRatePerAddress: 100,
};

/** Why a Register or Update was refused, as counted. */
export type RefusalKind = 'endpointName' | 'links' | 'payload' | 'registrations' | 'rate' | 'credentials';

export type RefusalCounts = Record<RefusalKind, number>;

/** Max-Age (s) of a 5.03 when the registrations are full: a while, the fleet is not going to shrink at once. */
export const FULL_RETRY_SECONDS = 60;

const MINUTE = 60_000;

/**
 * At most one event per key per interval: `hit` says whether to log now and how many
 * events of the key were held back since the last line. Bounded in keys (oldest dropped).
 */
export class KeyedRateLimit {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** undefined: hold this one back; a number: log now, with that many held back before it. */
  hit(key: string, now: number): number | undefined {
    const e = this.last.get(key);
    if (e && now - e.at < this.intervalMs) {
      e.held++;
      return undefined;
    }
    const held = e?.held ?? 0;
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) this.last.delete(this.last.keys().next().value!);
    this.last.set(key, { at: now, held: 0 });
    return held;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}

/**
 * Token buckets per source address: `rate` tokens a second, at most `rate` kept. Buckets
 * full again are swept once a second, so the map holds only the addresses active in the
 * last second or so.
 */
export class AddressRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt = 0;

  constructor(private readonly rate: number) {}

  /** true: one more Register from `address` may pass now. */
  take(address: string, now: number): boolean {
    if (!(this.rate > 0)) return true;
    if (now - this.sweptAt >= 1000) this.sweep(now);
    const b = this.buckets.get(address);
    if (!b) {
      this.buckets.set(address, { tokens: this.rate - 1, at: now });
      return true;
    }
    b.tokens = Math.min(this.rate, b.tokens + ((now - b.at) * this.rate) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** whole seconds until `address` has a token again (at least 1) */
  retryAfter(address: string): number {
    const b = this.buckets.get(address);
    const missing = b ? 1 - b.tokens : 0;
    return Math.max(1, Math.ceil(missing / this.rate));
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.rate) this.buckets.delete(k);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** The limits in force, the per-address limiter, and the refusal counts with their log. */
export class RegisterGuard {
  readonly limits: RegistrationLimits;
  readonly rate: AddressRateLimiter;
  private readonly counts: RefusalCounts = { endpointName: 0, links: 0, payload: 0, registrations: 0, rate: 0, credentials: 0 };
  private readonly refusalLog = new KeyedRateLimit(MINUTE, 16);
  private readonly addressLog = new KeyedRateLimit(MINUTE);

  constructor(
    limits: Partial<RegistrationLimits> | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    const l = { ...DEFAULT_REGISTRATION_LIMITS, ...limits };
    const positive = (v: number, d: number): number => (Number.isFinite(v) && v > 0 ? Math.floor(v) : d);
    this.limits = {
      maxLinks: positive(l.maxLinks, DEFAULT_REGISTRATION_LIMITS.maxLinks),
      maxPayload: positive(l.maxPayload, DEFAULT_REGISTRATION_LIMITS.maxPayload),
      maxRegistrations: positive(l.maxRegistrations, DEFAULT_REGISTRATION_LIMITS.maxRegistrations),
      registerRatePerAddress: Number.isFinite(l.registerRatePerAddress) && l.registerRatePerAddress > 0 ? l.registerRatePerAddress : 0,
    };
    this.rate = new AddressRateLimiter(this.limits.registerRatePerAddress);
  }

  /** Counts a refusal and logs it, at most one line a minute per kind (with how many were not logged). */
  refused(kind: RefusalKind, what: 'register' | 'update', fields: { code: string; peer: string; reason: string; endpoint?: string }): void {
    this.counts[kind]++;
    const held = this.refusalLog.hit(kind, this.clock.now());
    if (held === undefined) return;
    this.log.warn(`lwm2m: ${what} refused`, {
      kind,
      ...fields,
      ...(held > 0 ? { notLogged: held } : {}),
      total: this.counts[kind],
    });
  }

  /** A registration moved to another address: a WARN line, at most one a minute per registration. */
  addressChanged(id: string, endpoint: string, from: string, to: string, cause: string): void {
    const held = this.addressLog.hit(id, this.clock.now());
    if (held === undefined) return;
    // the id is the device's secret (it alone allows Update and De-register): never logged here
    this.log.warn('lwm2m: registration changed address', { endpoint, from, to, cause, ...(held > 0 ? { notLogged: held } : {}) });
  }

  forgetRegistration(id: string): void {
    this.addressLog.forget(id);
  }

  /** Refusals since the server was made, by kind. */
  refusals(): RefusalCounts {
    return { ...this.counts };
  }
}
