/**
 * The IPE's point of access: an HTTP server that takes the CSE's notifications (TS-0009
 * clause 6.2, TS-0004 clause 7.4.1.2.2). Its routes carry a random key drawn at start (the
 * subscriptions' notification URIs hold it, and are updated on restart), so that who can
 * reach the port cannot command devices without it. A verification request (vrq) is
 * accepted for the IPE's own routes; a notification of a new contentInstance in a command container is
 * handed to `onCommand`. Every answer carries X-M2M-RSC (and X-M2M-RI echoed); bodies are
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

const MAX_BODY = 64 * 1024;
const TOKEN = /^[\x21-\x7e]{1,256}$/;

function parseRoute(path: string, key: Buffer): Omit<CommandNotification, 'content'> | undefined {
  const m = /^\/([A-Za-z0-9_-]{22})\/cmd\/([A-Za-z0-9_-]{1,400})\/(\d{1,5})\/(\d{1,5})\/([A-Za-z][A-Za-z0-9_-]{0,31})$/.exec(path);
  if (!m) return undefined;
  const given = Buffer.from(m[1]!, 'base64url');
  if (given.length !== key.length || !timingSafeEqual(given, key)) return undefined;
  return { endpoint: Buffer.from(m[2]!, 'base64url').toString('utf8'), objectId: Number(m[3]), instanceId: Number(m[4]), command: m[5]! };
}

export class NotifyListener {
  private server: Server | undefined;
  private readonly key = randomBytes(16);
  received = 0;

  /** The route of a command container's notifications: /<key>/cmd/<endpoint, base64url>/<objectId>/<instanceId>/<command> */
  commandRoute(endpoint: string, objectId: number, instanceId: number, command: string): string {
    return `/${this.key.toString('base64url')}/cmd/${Buffer.from(endpoint).toString('base64url')}/${objectId}/${instanceId}/${command}`;
  }

  constructor(private readonly onCommand: (n: CommandNotification) => void) {}

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
      let sgn: { vrq?: unknown; nev?: { net?: unknown; rep?: Record<string, { con?: unknown }> } } | undefined;
      try {
        sgn = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { 'm2m:sgn'?: typeof sgn })['m2m:sgn'];
      } catch {
        return answer(4000, 400);
      }
      if (typeof sgn !== 'object' || sgn === null) return answer(4000, 400);
      answer(2000, 200);
      if (sgn.vrq === true) return;
      const cin = sgn.nev?.net === 3 ? sgn.nev.rep?.['m2m:cin'] : undefined;
      if (!cin || typeof cin !== 'object' || !('con' in cin)) return;
      this.received++;
      this.onCommand({ ...route, content: cin.con });
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
