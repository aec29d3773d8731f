/**
 * The IPE's point of access: an HTTP server that takes the CSE's notifications (TS-0009
 * clause 6.2, TS-0004 clause 7.4.1.2.2). Its routes carry a random key drawn at start (the
 * subscriptions' notification URIs hold it, and are updated on restart), so that who can
 * reach the port cannot command devices without it. A verification request (vrq) is
 * accepted for the IPE's own routes; a notification of a new contentInstance in a command container is
 * handed to `onCommand`, one of a subscription created or deleted on a value holder (the
 * watch route, per LwM2M path) to `onWatch`. Every answer carries X-M2M-RSC (and X-M2M-RI echoed); bodies are
 * bounded; nothing from the body reaches a log line.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CommandNotification {
  endpoint: string;
  objectId: number;
  instanceId: number;
  command: string;
  /** the contentInstance's con */
  content: unknown;
}

/** An application's subscription created (net 3) or deleted (net 4) on the value holder of `path`. */
export interface WatchNotification {
  endpoint: string;
  /** the LwM2M path the value holder stands for: /o/i or /o/i/r */
  path: string;
  event: 'created' | 'deleted';
  /** the subscription's resource name */
  rn: string;
}

type Route = ({ kind: 'cmd' } & Omit<CommandNotification, 'content'>) | { kind: 'watch'; endpoint: string; path: string };

const MAX_BODY = 64 * 1024;
const RN = /^[A-Za-z0-9._~-]{1,64}$/;
const TOKEN = /^[\x21-\x7e]{1,256}$/;

function parseRoute(path: string, key: Buffer): Route | undefined {
  const m = /^\/([A-Za-z0-9_-]{22})\/(cmd|watch)\/([A-Za-z0-9_-]{1,400})\/(\d{1,5})\/(\d{1,5})\/([A-Za-z0-9][A-Za-z0-9_-]{0,31})$/.exec(path);
  if (!m) return undefined;
  const given = Buffer.from(m[1]!, 'base64url');
  if (given.length !== key.length || !timingSafeEqual(given, key)) return undefined;
  const endpoint = Buffer.from(m[3]!, 'base64url').toString('utf8');
  const [o, i, last] = [Number(m[4]), Number(m[5]), m[6]!];
  if (m[2] === 'cmd') return /^[A-Za-z]/.test(last) ? { kind: 'cmd', endpoint, objectId: o, instanceId: i, command: last } : undefined;
  // watch: /o/i/<r>, or /o/i/i for the instance itself
  if (last !== 'i' && !/^\d{1,5}$/.test(last)) return undefined;
  return { kind: 'watch', endpoint, path: last === 'i' ? `/${o}/${i}` : `/${o}/${i}/${Number(last)}` };
}

/**
 * The event of a notification as a notificationEventType: `net` (release 2 and later), or
 * the release 1 `rss` (resourceStatus: 1 child created, 2 child deleted, 3 updated, 4
 * deleted) that CSEs of that generation (Eclipse OM2M 1.x) send instead.
 */
function eventType(nev: { net?: unknown; rss?: unknown } | undefined): number | undefined {
  if (typeof nev?.net === 'number') return nev.net;
  const rss = nev?.rss;
  return rss === 1 ? 3 : rss === 2 ? 4 : rss === 3 ? 1 : rss === 4 ? 2 : undefined;
}

export class NotifyListener {
  private server: Server | undefined;
  private readonly key = randomBytes(16);
  received = 0;

  /** The route of a command container's notifications: /<key>/cmd/<endpoint, base64url>/<objectId>/<instanceId>/<command> */
  commandRoute(endpoint: string, objectId: number, instanceId: number, command: string): string {
    return `/${this.key.toString('base64url')}/cmd/${Buffer.from(endpoint).toString('base64url')}/${objectId}/${instanceId}/${command}`;
  }

  /** The route of a value holder's watch subscription: /<key>/watch/<endpoint, base64url>/<o>/<i>/<r, or i for the instance> */
  watchRoute(endpoint: string, lwm2mPath: string): string {
    const [o, i, r] = lwm2mPath.split('/').filter((x) => x !== '');
    return `/${this.key.toString('base64url')}/watch/${Buffer.from(endpoint).toString('base64url')}/${o}/${i}/${r ?? 'i'}`;
  }

  constructor(
    private readonly onCommand: (n: CommandNotification) => void,
    private readonly onWatch: (n: WatchNotification) => void = () => undefined,
  ) {}

  async start(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const ri = req.headers['x-m2m-ri'];
    const answer = (rsc: number, status: number): void => {
      if (typeof ri === 'string' && TOKEN.test(ri)) res.setHeader('x-m2m-ri', ri);
      res.setHeader('x-m2m-rsc', String(rsc));
      res.statusCode = status;
      res.end();
    };
    const route = req.method === 'POST' ? parseRoute(new URL(req.url ?? '/', 'http://ipe').pathname, this.key) : undefined;
    if (!route) return answer(4004, 404);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return answer(4000, 400);
      let sgn: { vrq?: unknown; nev?: { net?: unknown; rss?: unknown; rep?: Record<string, { con?: unknown }> } } | undefined;
      try {
        sgn = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { 'm2m:sgn'?: typeof sgn })['m2m:sgn'];
      } catch {
        return answer(4000, 400);
      }
      if (typeof sgn !== 'object' || sgn === null) return answer(4000, 400);
      answer(2000, 200);
      if (sgn.vrq === true) return;
      const net = eventType(sgn.nev);
      if (route.kind === 'watch') {
        const sub = net === 3 || net === 4 ? (sgn.nev?.rep?.['m2m:sub'] as { rn?: unknown } | undefined) : undefined;
        if (!sub || typeof sub !== 'object' || typeof sub.rn !== 'string' || !RN.test(sub.rn)) return;
        this.received++;
        this.onWatch({ endpoint: route.endpoint, path: route.path, event: net === 3 ? 'created' : 'deleted', rn: sub.rn });
        return;
      }
      const cin = net === 3 ? sgn.nev?.rep?.['m2m:cin'] : undefined;
      if (!cin || typeof cin !== 'object' || !('con' in cin)) return;
      this.received++;
      const { kind: _kind, ...command } = route;
      this.onCommand({ ...command, content: cin.con });
    });
    req.on('error', () => answer(4000, 400));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
