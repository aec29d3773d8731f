/**
 * The HTTP binding's request handler: bounds the URL, query and body, authenticates the
 * client (http-auth.ts), hands Register/Update/De-register/Send/Bootstrap-Request to the
 * core (uplink-routes.ts) and serves the profile's downlink fetch:
 *
 *   GET /dm?wait=<s>     the next request held for the client (200 + Lwm2m-* headers,
 *                        downlink-wire.ts), or 204 when none came within `wait` seconds
 *                        (at most http.maxPollSeconds; 0 or absent: answer at once)
 *   POST /dm/<token>     the client's answer to that request -> 204; 404: no such request
 *                        of this client (answered already, timed out, or another's)
 *
 * Every refusal is an HTTP status with no text of the gateway's in the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import type { MessageTraceSink, UplinkHandler } from '../../lwm2m/transport.js';
import type { AuthOptions } from './http-auth.js';
import { authenticate } from './http-auth.js';
import { formatOfMediaType } from './http-codes.js';
import { fromWire, toWire } from './downlink-wire.js';
import type { HeldRequests } from './held-requests.js';
import { httpTraceRecord } from './http-trace.js';
import type { HttpAnswer } from './uplink-routes.js';
import { NOT_FOUND, toHttpAnswer, toUplink } from './uplink-routes.js';

const MAX_URL_CHARS = 4096;
const MAX_QUERY_ITEMS = 32;
const TOKEN = /^[0-9a-f]{16}$/;

export interface HttpServerOptions {
  core: UplinkHandler;
  held: HeldRequests;
  auth: AuthOptions;
  maxBodyBytes: number;
  maxPollSeconds: number;
  logger: Logger;
}

type Reply = (a: HttpAnswer) => void;

/** `send`, with the answer recorded for a traced peer */
function tracedReply(res: ServerResponse, sink: MessageTraceSink): Reply {
  return (a) => {
    sink(httpTraceRecord('out', { code: String(a.status), headers: a.headers ?? {}, body: a.body ?? new Uint8Array(0) }));
    send(res, a);
  };
}

type Refusal = 'malformed' | 'unauthorized' | 'tooLarge' | 'unsupportedMediaType' | 'notFound';

function send(res: ServerResponse, a: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const body = a.body ?? new Uint8Array(0);
  // every answer but 204 and 304 says its length: small clients need not read chunked bodies
  const noBody = a.status === 204 || a.status === 304;
  res.writeHead(a.status, { ...a.headers, ...(noBody ? {} : { 'content-length': String(body.length) }) });
  res.end(body.length > 0 ? body : undefined);
}

function decodeAll(items: string[]): string[] | undefined {
  try {
    return items.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Reads the body: 'tooLarge' once it grows past `max` bytes, 'aborted' when the connection goes first. */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | 'tooLarge' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: Uint8Array | 'tooLarge' | 'aborted'): void => {
      if (done) return;
      done = true;
      chunks.length = 0;
      resolve(r);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) finish('tooLarge');
      else chunks.push(c);
    });
    req.on('end', () => finish(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish('aborted'));
  });
}

/** whether a request body may still be on its way (then a refusal closes the connection rather than drain it) */
function bodyPending(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export class HttpRequestHandler {
  readonly refused: Record<Refusal, number> = { malformed: 0, unauthorized: 0, tooLarge: 0, unsupportedMediaType: 0, notFound: 0 };

  constructor(private readonly o: HttpServerOptions) {}

  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((e: unknown) => {
      this.o.logger.error('http binding: request failed', { error: e instanceof Error ? e.message : String(e) });
      send(res, { status: 500 });
    });
  };

  private refuse(to: ServerResponse | Reply, why: Refusal, a: HttpAnswer): void {
    this.refused[why]++;
    if (typeof to === 'function') to(a);
    else send(to, a);
  }

  /** A refusal before the body was read: the connection closes after it, the body unread. */
  private refuseEarly(req: IncomingMessage, res: ServerResponse, why: Refusal, a: HttpAnswer): void {
    if (!bodyPending(req)) return this.refuse(res, why, a);
    this.refuse(res, why, { ...a, headers: { ...a.headers, connection: 'close' } });
    res.on('finish', () => req.destroy());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.length > MAX_URL_CHARS) return this.refuseEarly(req, res, 'malformed', { status: 414 });
    const q = url.indexOf('?');
    const segments = decodeAll((q < 0 ? url : url.slice(0, q)).split('/').filter((s) => s.length > 0));
    const rawQuery = q < 0 ? [] : url.slice(q + 1).split('&').filter((s) => s.length > 0);
    const query = rawQuery.length <= MAX_QUERY_ITEMS ? decodeAll(rawQuery) : undefined;
    if (!segments || !query) return this.refuseEarly(req, res, 'malformed', { status: 400 });

    const who = authenticate(req, this.o.auth);
    if (!who.ok) {
      this.o.logger.debug('http binding: refused', { reason: who.reason, from: req.socket.remoteAddress });
      return this.refuseEarly(req, res, 'unauthorized', { status: 401, headers: this.o.auth.pskAuth ? { 'www-authenticate': 'Basic realm="lwm2m"' } : {} });
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (!Number.isFinite(length) || length > this.o.maxBodyBytes) return this.tooLarge(req, res);
    const body = await readBody(req, this.o.maxBodyBytes);
    if (body === 'aborted') return;
    if (body === 'tooLarge') return this.tooLarge(req, res);

    const sink = this.o.held.tracers.get(who.peer.key);
    if (sink) sink(httpTraceRecord('in', { code: req.method ?? '', target: url, headers: req.headers, body }));
    const reply = sink ? tracedReply(res, sink) : (a: HttpAnswer): void => send(res, a);

    if (segments[0] === 'dm') return this.downlink(req, reply, res, who.peer.key, segments, query, body);

    const ct = req.headers['content-type'];
    const contentFormat = formatOfMediaType(ct);
    if (contentFormat === null) return this.refuse(reply, 'unsupportedMediaType', { status: 415 });
    const uplink = toUplink({ method: req.method ?? '', segments, query, body, ...(contentFormat !== undefined ? { contentFormat } : {}) });
    if (!('kind' in uplink)) return this.refuse(reply, 'notFound', uplink);
    const result = await this.o.core.handleUplink(who.peer, uplink);
    // what was held for the registration that ended goes (the core sends anew after this turn)
    if ((result.code === 'created' && uplink.kind === 'register') || (result.code === 'deleted' && uplink.kind === 'deregister')) this.o.held.dropHeld(who.peer.key);
    reply(toHttpAnswer(result));
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    this.refused.tooLarge++;
    send(res, { status: 413, headers: { connection: 'close' } });
    res.on('finish', () => req.destroy());
  }

  private async downlink(req: IncomingMessage, reply: Reply, res: ServerResponse, peerKey: string, segments: string[], query: string[], body: Uint8Array): Promise<void> {
    const [, token, ...rest] = segments;
    if (rest.length > 0) return this.refuse(reply, 'notFound', NOT_FOUND);
    if (token === undefined) {
      if (req.method !== 'GET') return this.refuse(reply, 'notFound', { status: 405, headers: { allow: 'GET' } });
      const wait = query.find((s) => s.startsWith('wait='));
      const seconds = wait === undefined ? 0 : Number(wait.slice(5));
      if (!Number.isFinite(seconds) || seconds < 0) return this.refuse(reply, 'malformed', { status: 400 });
      const waitMs = Math.min(seconds, this.o.maxPollSeconds) * 1000;
      const held = await this.o.held.next(peerKey, waitMs, (onClose) => res.on('close', onClose));
      if (!held) return reply({ status: 204 });
      if (res.destroyed || res.headersSent) {
        this.o.held.undeliver(held);
        return;
      }
      const wire = toWire(held.token, held.request);
      return reply({ status: 200, headers: wire.headers, body: wire.body });
    }
    if (req.method !== 'POST') return this.refuse(reply, 'notFound', { status: 405, headers: { allow: 'POST' } });
    if (!TOKEN.test(token)) return this.refuse(reply, 'notFound', NOT_FOUND);
    const found = this.o.held.find(peerKey, token);
    if (!found) return this.refuse(reply, 'notFound', NOT_FOUND);
    const answer = fromWire(found.request.op, req.headers, body);
    if (!answer.ok) return this.refuse(reply, answer.status === 415 ? 'unsupportedMediaType' : 'malformed', { status: answer.status });
    this.o.held.take(peerKey, token)?.resolve(answer.response);
    reply({ status: 204 });
  }
}
