/**
 * The `http` binding: LwM2M 1.2 over HTTP (Transport section 7), server side, configured
 * by the `http` section (src/config/http-binding-config.ts; off by default). HTTPS with
 * the server's certificate, client certificates checked against `http.tls.ca`; plain HTTP
 * only with `http.allowPlaintext`. Peers carry `transport: 'http'`.
 *
 * What the code follows. Transport TS 1.2 section 7 ("HTTP Transport Binding") maps the
 * LwM2M operations onto HTTP methods the way the CoAP binding maps them onto CoAP's, for
 * both directions, as if each side were an HTTP server too (so OMA_LwM2M_for_Developers
 * issue 520, "HTTP binding in LwM2M 1.2 seems to be broken", open, which describes that
 * section; the section's own text was not at hand, so the notes' "(check)" lines were
 * checked against that issue only). Here:
 * - client to server: the Registration and Reporting interfaces on the CoAP binding's
 *   paths and query parameters (POST /rd, POST and DELETE /rd/<id>, POST /dp, POST /bs);
 * - CoAP codes as HTTP statuses by RFC 8075 section 7 (the HTTP-CoAP mapping), content
 *   formats as their media types in the IANA CoAP Content-Formats registry (http-codes.ts);
 * - no Observe (the client reports with Send);
 * - server to client: since a device is rarely reachable as an HTTP server, the flow is
 *   reversed as the issue suggests: requests held for the client and fetched with a long
 *   poll (http-server.ts, downlink-wire.ts), the gateway's documented profile (README
 *   "LwM2M over HTTP").
 */
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HttpBindingConfig } from '../../config/http-binding-config.js';
import { TlsFilesError, readTlsFiles } from '../../config/tls-files.js';
import type { TlsMaterial } from '../../config/tls-files.js';
import type { Binding, BindingContext, BindingStats, ListenAddress } from '../binding.js';
import { BindingStartError } from '../binding.js';
import { HeldRequests } from './held-requests.js';
import { HttpRequestHandler } from './http-server.js';

const HEADERS_TIMEOUT_MS = 10_000;
/** a request must arrive whole within this (the long poll's wait is the response's, not counted) */
const REQUEST_TIMEOUT_MS = 30_000;

function listenFailure(e: unknown, c: HttpBindingConfig): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return e;
  const where = `TCP ${c.address} port ${c.port}`;
  if (code === 'EADDRINUSE') return new BindingStartError('http.port', `${where} is already in use: set another port with the config key http.port`);
  if (code === 'EACCES') return new BindingStartError('http.port', `${where}: permission denied: choose a port above 1023 with http.port`);
  return new BindingStartError('http.address', `${where}: cannot listen (${code}): check http.address`);
}

class HttpBinding implements Binding {
  readonly scheme = 'http';
  readonly transport: HeldRequests;
  private readonly handler: HttpRequestHandler;
  private server: Server | undefined;
  private tls: TlsMaterial | undefined;
  private failure: BindingStartError | undefined;

  private readonly logger: BindingContext['logger'];

  constructor(
    private readonly config: HttpBindingConfig,
    ctx: BindingContext,
  ) {
    this.logger = ctx.logger;
    this.transport = new HeldRequests({ maxHeld: config.maxHeldPerClient, maxPolls: config.maxPollsPerClient });
    this.handler = new HttpRequestHandler({
      core: ctx.handler,
      held: this.transport,
      auth: { allowAnonymous: config.allowAnonymous, pskAuth: config.pskAuth, psk: ctx.credentials },
      maxBodyBytes: config.maxBodyBytes,
      maxPollSeconds: config.maxPollSeconds,
      logger: ctx.logger,
    });
    try {
      this.tls = readTlsFiles(config.tls, process.cwd(), 'http.tls');
    } catch (e) {
      if (!(e instanceof TlsFilesError)) throw e;
      this.failure = new BindingStartError(e.key, e.message);
    }
    if (!this.failure && !this.tls && !config.allowPlaintext) {
      this.failure = new BindingStartError('http.tls.cert', 'http.enabled needs http.tls.cert and http.tls.key (HTTPS); set http.allowPlaintext: true to serve plain HTTP');
    }
    if (!this.failure && !this.tls && config.tls.ca !== null) {
      this.failure = new BindingStartError('http.tls.ca', 'http.tls.ca (client certificates) needs http.tls.cert and http.tls.key');
    }
  }

  async start(): Promise<ListenAddress> {
    if (this.failure) throw this.failure;
    const tls = this.tls;
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}) }, this.handler.listener)
      : createHttpServer(this.handler.listener);
    server.maxConnections = this.config.maxConnections;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.transport.restart();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.address, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((e: unknown) => {
      throw listenFailure(e, this.config);
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    if (!tls) this.logger.warn('http binding: plain HTTP (http.allowPlaintext): credentials travel in clear', { address: this.config.address, port });
    if (this.config.allowAnonymous) this.logger.warn('http binding: clients without credentials accepted (http.allowAnonymous)', { address: this.config.address, port });
    return { scheme: this.scheme, transport: tls ? 'lwm2m+https' : 'lwm2m+http', address: this.config.address, port };
  }

  async stop(): Promise<void> {
    this.transport.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  stats(): BindingStats {
    return { refused: { ...this.handler.refused } };
  }
}

/** The binding when `http.enabled`; PSKs (HTTP Basic) checked against the credentials store. */
export function httpBinding(ctx: BindingContext): Binding | undefined {
  const c = ctx.config.http;
  if (!c.enabled) return undefined;
  return new HttpBinding(c, ctx);
}
