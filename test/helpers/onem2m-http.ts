/**
 * A small oneM2M HTTP-binding client for tests (TS-0009 headers), and a notification
 * receiver: an HTTP server on port 0 that records every POST and answers 2000 (or refuses).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface M2mResponse {
  status: number;
  rsc: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface M2mRequestOptions {
  origin?: string | null;
  ty?: number;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  rvi?: string | null;
  ri?: string | null;
}

let counter = 0;

export async function m2m(base: string, method: string, path: string, o: M2mRequestOptions = {}): Promise<M2mResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.origin !== null) headers['x-m2m-origin'] = o.origin ?? 'CAdmin';
  if (o.ri !== null) headers['x-m2m-ri'] = o.ri ?? `req-${++counter}`;
  if (o.rvi !== null) headers['x-m2m-rvi'] = o.rvi ?? '3';
  const hasBody = o.body !== undefined || o.rawBody !== undefined;
  if (hasBody) headers['content-type'] = o.contentType ?? (o.ty !== undefined ? `application/json;ty=${o.ty}` : 'application/json');
  const res = await fetch(base + path, { method, headers, ...(hasBody ? { body: o.rawBody ?? JSON.stringify(o.body) } : {}) });
  const text = await res.text();
  return { status: res.status, rsc: Number(res.headers.get('x-m2m-rsc')), headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export class NotificationReceiver {
  readonly received: ReceivedNotification[] = [];
  /** answer verification requests (vrq) with 4101 instead of 2000 */
  refuse = false;
  private server: Server | undefined;
  private waiters: (() => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        this.received.push({ headers: req.headers, body });
        for (const w of this.waiters.splice(0)) w();
        res.setHeader('x-m2m-rsc', this.refuse ? '4101' : '2000');
        if (req.headers['x-m2m-ri']) res.setHeader('x-m2m-ri', req.headers['x-m2m-ri']);
        res.statusCode = this.refuse ? 403 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
  }

  /** Waits until `pred` holds for a received notification (rejects after `ms`). */
  async waitFor(pred: (n: ReceivedNotification) => boolean, ms = 5000): Promise<ReceivedNotification> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('notification not received');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
