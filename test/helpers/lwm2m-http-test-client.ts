/**
 * An LwM2M client over HTTP, written from the gateway's profile of the LwM2M 1.2 HTTP
 * binding (README "LwM2M over HTTP"), not from the gateway's code: Register, Update,
 * De-register and Send as HTTP requests on the CoAP binding's paths, and the server's
 * requests fetched with a long poll (GET /dm?wait=) and answered with POST /dm/<token>.
 * Speaks HTTP or HTTPS (optionally with a client certificate) and HTTP Basic PSK credentials.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';

export interface HttpClientOptions {
  port: number;
  host?: string;
  /** HTTPS: the CA that signed the gateway's certificate, and optionally this client's certificate */
  tls?: { ca: string; cert?: string; key?: string };
  /** HTTP Basic: PSK identity and key (hex) */
  psk?: { identity: string; keyHex: string };
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request of the server as the profile carries it. */
export interface ServerRequest {
  token: string;
  operation: string;
  method: string;
  path: string;
  /** query items, percent-decoded */
  query: string[];
  /** the Lwm2m-Query header as sent */
  rawQuery: string;
  contentType?: string;
  accept?: string;
  body: Buffer;
}

export interface ClientAnswer {
  /** "2.05", "205" or an HTTP status such as 200 */
  status: string;
  contentType?: string;
  body?: Buffer | string;
  location?: string;
}

export class Lwm2mHttpTestClient {
  /** the registration's Location, e.g. /rd/abc */
  location: string | undefined;
  private readonly tlsFiles: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined;

  constructor(private readonly o: HttpClientOptions) {
    this.tlsFiles = o.tls
      ? { ca: readFileSync(o.tls.ca), ...(o.tls.cert ? { cert: readFileSync(o.tls.cert) } : {}), ...(o.tls.key ? { key: readFileSync(o.tls.key) } : {}) }
      : undefined;
  }

  /** One HTTP request; resolves with status, headers and body (an error for a broken connection). */
  request(method: string, path: string, body?: Buffer | string, headers: OutgoingHttpHeaders = {}): Promise<HttpReply> {
    const h: OutgoingHttpHeaders = { ...headers };
    if (this.o.psk) h['authorization'] = 'Basic ' + Buffer.from(`${this.o.psk.identity}:${this.o.psk.keyHex}`).toString('base64');
    const data = body === undefined ? undefined : Buffer.from(body);
    if (data) h['content-length'] = String(data.length);
    const common = { host: this.o.host ?? '127.0.0.1', port: this.o.port, method, path, headers: h, agent: false as const };
    return new Promise((resolve, reject) => {
      const done = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      };
      const req = this.tlsFiles
        ? httpsRequest({ ...common, ...this.tlsFiles, servername: 'localhost', checkServerIdentity: () => undefined }, done)
        : httpRequest(common, done);
      req.on('error', reject);
      req.end(data);
    });
  }

  /** POST /rd?ep=...; remembers the Location. */
  async register(endpoint: string, opts: { lt?: number; version?: string; binding?: string; queue?: boolean; links?: string } = {}): Promise<HttpReply> {
    const q = [`ep=${encodeURIComponent(endpoint)}`, `lt=${opts.lt ?? 300}`, `lwm2m=${opts.version ?? '1.2'}`, `b=${opts.binding ?? 'H'}`];
    if (opts.queue) q.push('Q');
    const r = await this.request('POST', `/rd?${q.join('&')}`, opts.links ?? '</1/0>,</3/0>,</3303/0>', { 'content-type': 'application/link-format' });
    if (r.status === 201) this.location = String(r.headers.location);
    return r;
  }

  update(query: string[] = [], links?: string): Promise<HttpReply> {
    const path = `${this.registered()}${query.length > 0 ? '?' + query.join('&') : ''}`;
    return links === undefined ? this.request('POST', path) : this.request('POST', path, links, { 'content-type': 'application/link-format' });
  }

  deregister(): Promise<HttpReply> {
    return this.request('DELETE', this.registered());
  }

  /** POST /dp in SenML JSON by default. */
  send(payload: string | Buffer, contentType = 'application/senml+json'): Promise<HttpReply> {
    return this.request('POST', '/dp', payload, { 'content-type': contentType });
  }

  /** GET /dm?wait=: the next request of the server, or undefined (204). */
  async poll(waitSeconds = 5): Promise<ServerRequest | undefined> {
    const r = await this.request('GET', `/dm?wait=${waitSeconds}`);
    if (r.status === 204) return undefined;
    if (r.status !== 200) throw new Error(`poll answered ${r.status}`);
    const h = r.headers;
    const rawQuery = typeof h['lwm2m-query'] === 'string' ? h['lwm2m-query'] : '';
    const query = rawQuery === '' ? [] : rawQuery.split('&').map((item) => item.split('=').map(decodeURIComponent).join('='));
    return {
      token: String(h['lwm2m-token']),
      operation: String(h['lwm2m-operation']),
      method: String(h['lwm2m-method']),
      path: String(h['lwm2m-path']),
      query,
      rawQuery,
      ...(typeof h['content-type'] === 'string' ? { contentType: h['content-type'] } : {}),
      ...(typeof h['accept'] === 'string' ? { accept: h['accept'] } : {}),
      body: r.body,
    };
  }

  /** POST /dm/<token> with the answer. */
  answer(token: string, a: ClientAnswer): Promise<HttpReply> {
    const headers: OutgoingHttpHeaders = { 'lwm2m-status': a.status };
    if (a.contentType) headers['content-type'] = a.contentType;
    if (a.location) headers['location'] = a.location;
    return this.request('POST', `/dm/${token}`, a.body ?? Buffer.alloc(0), headers);
  }

  /** Polls until a request comes, answers it with `handle`'s answer, returns the request. */
  async serveOne(handle: (r: ServerRequest) => ClientAnswer, waitSeconds = 5): Promise<ServerRequest> {
    for (let i = 0; i < 10; i++) {
      const r = await this.poll(waitSeconds);
      if (!r) continue;
      const reply = await this.answer(r.token, handle(r));
      if (reply.status !== 204) throw new Error(`answer refused: ${reply.status}`);
      return r;
    }
    throw new Error('no request from the server');
  }

  private registered(): string {
    if (!this.location) throw new Error('not registered');
    return this.location;
  }
}
