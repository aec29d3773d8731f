/**
 * The REST northbound: an HTTP server (express) over the LwM2M server core. start()
 * listens on `rest.host`/`rest.port`; stop() closes the listener and every open
 * connection, keep-alive and event streams included.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { GatewayConfig } from '../../config/schema.js';
import type { MetricsSource, ReadinessPart } from '../face.js';
import { silentLogger, type Logger } from '../../log.js';
import { FaceStartError } from '../face.js';
import type { ModelProvider } from '../../lwm2m/model/types.js';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import { buildApp } from './app.js';
import type { RestContext } from './context.js';
import type { BootstrapApi } from '../../lwm2m/bootstrap/index.js';
import type { FirmwareApi } from '../../firmware/index.js';
import { EventHub } from './events.js';
import { RequestStore, type RequestStoreOptions } from './request-store.js';
import { mappedRoutes } from './routes-mapped.js';
import { builtConsoleDir } from './console-static.js';

/** The HTTP port could not be opened; the message is one line for the operator. */
export class RestStartError extends FaceStartError {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RestStartError';
  }
}

export interface RestNorthboundOptions {
  server: CoreApi;
  models: ModelProvider;
  config: Pick<GatewayConfig['rest'], 'port' | 'host' | 'tokens' | 'corsOrigins'>;
  logger?: Logger;
  /** compiled mapping files (their `rest` sections); a function is asked on every request (hot reload) */
  mappings?: CompiledMappings | (() => CompiledMappings);
  /** SSE heartbeat comment interval, ms (default 15 s; 0: none) */
  heartbeatMs?: number;
  /** retention of finished queued requests */
  requests?: RequestStoreOptions;
  /** the gateway's parts and whether each is ready, for /readyz */
  readiness?: () => ReadinessPart[];
  /** Prometheus metrics on /metrics */
  metrics?: MetricsSource;
  /** the gateway's version (GET /api/gateway) */
  version?: string;
  /** the web console at `/`: the folder of its files (undefined: the built one); absent: no console */
  console?: { dir?: string };
  /** serve HTTPS with this certificate (chain) and key, PEM */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** the Bootstrap Server (routes /api/bootstrap/..., `bootstrap` events); without it those routes answer 404 */
  bootstrap?: BootstrapApi;
  /** firmware updates and campaigns (routes /api/firmware, /api/campaigns, /fw; `fota` and `campaign` events) */
  firmware?: FirmwareApi;
}

export class RestNorthbound {
  readonly app: Express;
  readonly requests: RequestStore;
  private readonly hub: EventHub;
  private readonly log: Logger;
  private http: Server | undefined;
  private readonly sleepers = new Map<string, Set<() => void>>();
  private readonly onSleeping = (reg: Registration): void => {
    for (const fn of [...(this.sleepers.get(reg.endpoint) ?? [])]) fn();
  };
  private boundPort: number | undefined;

  constructor(private readonly options: RestNorthboundOptions) {
    this.log = options.logger ?? silentLogger;
    this.requests = new RequestStore(options.requests);
    const lastSeen = new Map<string, number>();
    const sleepers = this.sleepers;
    const rc: RestContext = {
      sleepers,
      server: options.server,
      ctx: { models: options.models },
      requests: this.requests,
      log: this.log,
      lastSeen,
      ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    };
    this.hub = new EventHub(options.server, options.heartbeatMs ?? 15_000, (endpoint) => {
      lastSeen.set(endpoint, options.server.clock.now());
      this.requests.markSent(endpoint);
    }, options.bootstrap, options.firmware);
    const mappings = options.mappings;
    const current = typeof mappings === 'function' ? mappings : mappings ? () => mappings : undefined;
    this.app = buildApp(rc, {
      tokens: options.config.tokens,
      corsOrigins: options.config.corsOrigins,
      hub: this.hub,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.console ? { console: { dir: this.consoleDir(options.console.dir) } } : {}),
      ...(options.readiness ? { readiness: options.readiness } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.firmware ? { firmware: options.firmware } : {}),
      ...(current ? { mappings: current, extraRoutes: (app: Express) => mappedRoutes(app, rc, current) } : {}),
    });
  }

  /** The console's folder (the built one unless given); a warning when it holds no console. */
  private consoleDir(given: string | undefined): string | undefined {
    const dir = given ?? builtConsoleDir();
    if (!dir || !existsSync(join(dir, 'index.html'))) this.log.warn('rest: the web console is not built (npm run build): / answers 404', { dir: dir ?? 'dist/console' });
    return dir;
  }

  /** The port listened on (after start). */
  get port(): number | undefined {
    return this.boundPort;
  }

  async start(): Promise<{ port: number }> {
    if (this.http) return { port: this.boundPort! };
    const { port } = this.options.config;
    // the face decides where an API without tokens may listen (config/exposure.ts); alone, loopback
    const host = this.options.config.host ?? '127.0.0.1';
    const tls = this.options.tls;
    const http: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, this.app) : createServer(this.app);
    http.keepAliveTimeout = 5_000;
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const where = `${host} port ${port}`;
      if (err.code === 'EADDRINUSE') throw new RestStartError(`${tls ? 'HTTPS' : 'HTTP'} ${where} is already in use: set another port with the config key rest.port (or LWM2MGW_REST__PORT)`, err.code);
      if (err.code === 'EACCES') throw new RestStartError(`HTTP ${where}: permission denied: choose a port above 1023 with rest.port`, err.code);
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new RestStartError(`HTTP ${where}: no such local address: check rest.host`, err.code);
      throw e;
    }
    http.on('error', (e) => this.log.error('rest: HTTP server error', { error: String(e) }));
    this.http = http;
    this.hub.open();
    this.options.server.on('sleeping', this.onSleeping);
    this.boundPort = (http.address() as AddressInfo).port;
    if (tls) http.on('tlsClientError', (e: Error) => this.log.debug('rest: TLS handshake failed', { error: e.message }));
    this.log.info('REST API listening', { host, port: this.boundPort, https: tls !== undefined });
    return { port: this.boundPort };
  }

  /** Takes no new connections; open ones (requests waiting for a device) go on until stop(). */
  stopAccepting(): void {
    if (this.http?.listening) this.http.close();
    this.http?.closeIdleConnections();
  }

  async stop(): Promise<void> {
    const http = this.http;
    if (!http) return;
    this.http = undefined;
    this.hub.close();
    this.options.server.off('sleeping', this.onSleeping);
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    await closed;
  }
}
