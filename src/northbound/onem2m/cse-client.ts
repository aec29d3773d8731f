/**
 * The IPE's side of the oneM2M HTTP binding (TS-0009): one request to the CSE with
 * X-M2M-Origin, a fresh X-M2M-RI, X-M2M-RVI, `ty` in Content-Type on a create, JSON bodies
 * with short names; the answer's X-M2M-RSC and body. A CSE that cannot be reached (no
 * connection, timeout, 5xxx) is a CseUnreachable error: the caller retries later.
 */
import { randomBytes } from 'node:crypto';

export interface CseAnswer {
  rsc: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export class CseUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CseUnreachable';
  }
}

export interface CseClientOptions {
  /** http://host:port of the CSE */
  url: string;
  /** X-M2M-RVI */
  release: string;
  timeoutMs: number;
}

/** Largest answer body read from the CSE. */
const MAX_ANSWER = 1024 * 1024;

export class CseClient {
  private readonly inFlight = new Set<AbortController>();
  private seq = 0;
  private readonly prefix = randomBytes(3).toString('hex');

  constructor(private readonly opts: CseClientOptions) {}

  /** `path`: CSE-relative (/cse-in/ae/cnt); `ty` with a POST: a create. */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, origin: string, body?: unknown, ty?: number): Promise<CseAnswer> {
    const ctl = new AbortController();
    this.inFlight.add(ctl);
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-m2m-origin': origin,
      'x-m2m-ri': `ipe-${this.prefix}-${++this.seq}`,
      'x-m2m-rvi': this.opts.release,
    };
    if (body !== undefined) headers['content-type'] = ty !== undefined ? `application/json;ty=${ty}` : 'application/json';
    try {
      const res = await fetch(this.opts.url + path, { method, headers, signal: ctl.signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      const rsc = Number(res.headers.get('x-m2m-rsc') ?? (res.ok ? 2000 : 5000));
      if (rsc >= 5000 && rsc !== 5207) throw new CseUnreachable(`the CSE answered ${rsc}`);
      let parsed: unknown;
      if (text.length > 0 && text.length <= MAX_ANSWER) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      return { rsc, body: parsed };
    } catch (e) {
      if (e instanceof CseUnreachable) throw e;
      throw new CseUnreachable(e instanceof Error ? e.message.slice(0, 200) : 'request failed');
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(ctl);
    }
  }

  stop(): void {
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }
}
