/**
 * Sends notifications over the oneM2M HTTP binding (TS-0009 clause 6.2 / TS-0004 clause
 * 7.5.1.2.3): a POST of `m2m:sgn` to each notification target with the CSE-ID as
 * X-M2M-Origin. A target is a URL or an AE-ID whose point of access is used. Sending is
 * bounded: a timeout per request and a cap on notifications in flight (past it they are
 * dropped and counted).
 */
import { randomBytes } from 'node:crypto';

export interface NotifierOptions {
  /** X-M2M-Origin of notifications: the CSE-ID */
  origin: string;
  /** ms before a notification target counts as unreachable */
  timeoutMs: number;
  /** notifications in flight at most */
  maxInFlight: number;
  /** the point of access of an AE by AE-ID (undefined: no such AE or no HTTP poa) */
  poaOf: (aeId: string) => string | undefined;
}

export interface NotifyResult {
  ok: boolean;
  rsc?: number;
}

export class Notifier {
  private readonly inFlight = new Set<AbortController>();
  dropped = 0;
  sent = 0;

  constructor(private readonly opts: NotifierOptions) {}

  /** The URL a notification target (nu entry) resolves to; undefined: none reachable over HTTP. */
  resolve(target: string): string | undefined {
    if (/^https?:\/\//i.test(target)) return target;
    return this.opts.poaOf(target.startsWith('/') ? target.slice(target.lastIndexOf('/') + 1) : target);
  }

  /** POSTs `body` to `target` and reports whether it answered 2000 (HTTP 200/204). */
  async send(target: string, body: unknown): Promise<NotifyResult> {
    const url = this.resolve(target);
    if (url === undefined || this.inFlight.size >= this.opts.maxInFlight) {
      this.dropped++;
      return { ok: false };
    }
    const ctl = new AbortController();
    this.inFlight.add(ctl);
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs);
    try {
      const res = await fetch(url, {
        method: 'POST',
        signal: ctl.signal,
        headers: {
          'content-type': 'application/json',
          'x-m2m-origin': this.opts.origin,
          'x-m2m-ri': `notif-${randomBytes(6).toString('hex')}`,
          'x-m2m-rvi': '3',
        },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer().catch(() => undefined);
      const rscHeader = res.headers.get('x-m2m-rsc');
      const rsc = rscHeader === null ? undefined : Number(rscHeader);
      const ok = (res.status === 200 || res.status === 204) && (rsc === undefined || rsc === 2000);
      if (ok) this.sent++;
      return rsc === undefined ? { ok } : { ok, rsc };
    } catch {
      return { ok: false };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(ctl);
    }
  }

  /** Aborts every notification in flight. */
  stop(): void {
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }
}
