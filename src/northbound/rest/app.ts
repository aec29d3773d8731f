/**
 * The express application: CORS, authentication, body parsing, the routes (specific
 * ones before the generic path routes), the fallback (400 bad path / 405 / 404) and the
 * error handler that writes every failure as problem+json.
 */
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import type { MetricsSource, ReadinessPart } from '../face.js';
import { bearerAuth, cors, type TokenConfig } from './auth.js';
import { ProblemError, sendProblem } from './errors.js';
import type { RestContext } from './context.js';
import type { EventHub } from './events.js';
import { openApiDocument } from './openapi.js';
import { consoleRoutes } from './console-static.js';
import { gatewayRoutes } from './routes-gateway.js';
import { modelRoutes } from './routes-models.js';
import { actionRoutes } from './routes-actions.js';
import { deviceRoutes } from './routes-devices.js';
import { readHandler, resourceRoutes } from './routes-resources.js';
import { readShortcut } from './read-shortcut.js';
import { securityRoutes } from './routes-security.js';
import { traceRoutes } from './routes-trace.js';
import { bootstrapRoutes } from './routes-bootstrap.js';
import { firmwareDownloadRoute, firmwareRoutes } from './routes-firmware.js';
import { campaignRoutes } from './routes-campaigns.js';
import type { FirmwareApi } from '../../firmware/index.js';

export interface AppOptions {
  tokens: readonly TokenConfig[];
  corsOrigins: readonly string[];
  hub: EventHub;
  /** the mapping set in force, asked on every request for the OpenAPI document (its mapped routes) */
  mappings?: () => CompiledMappings;
  /** extra routes (mapped endpoints), added after the generic API */
  extraRoutes?: (app: Express) => void;
  /** the gateway's version (GET /api/gateway) */
  version?: string;
  /** serve the web console at `/` from this folder (dir undefined: not built, `/` says so); absent or null: no console */
  console?: { dir: string | undefined } | null;
  /** largest JSON body (default 1 MiB) */
  bodyLimit?: string;
  /** the gateway's parts and whether each is ready, for /readyz (none: this API alone) */
  readiness?: () => ReadinessPart[];
  /** Prometheus metrics on /metrics (none: no such route) */
  metrics?: MetricsSource;
  /** firmware updates and campaigns (none: their routes answer FIRMWARE_OFF) */
  firmware?: FirmwareApi;
}

export interface RouteInfo {
  method: string;
  path: string;
}

/** The routes registered on an express app (method in upper case, express path syntax). */
export function registeredRoutes(app: Express): RouteInfo[] {
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  const out: RouteInfo[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m.toUpperCase(), path: layer.route.path });
  }
  return out;
}

function routeRegExp(path: string): RegExp {
  return new RegExp('^' + path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '/?$');
}

const ACTIONS = new Set(['discover', 'attributes', 'observe']);

/** The answer when no route took the request. */
function fallback(routes: () => { method: string; re: RegExp }[]) {
  return (req: Request, res: Response): void => {
    const allowed = [...new Set(routes().filter((r) => r.re.test(req.path)).map((r) => r.method))];
    if (allowed.length > 0) {
      res.setHeader('allow', allowed.join(', '));
      sendProblem(res, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here (allowed: ${allowed.join(', ')})`);
      return;
    }
    const m = /^\/api\/devices\/[^/]+\/(.+?)\/?$/.exec(req.path);
    if (m) {
      const segs = m[1]!.split('/');
      const action = segs.length > 1 && ACTIONS.has(segs[segs.length - 1]!) ? segs.pop() : undefined;
      const ids = segs.length <= 4 && segs.every((s) => /^\d{1,5}$/.test(s));
      const detail = ids && action ? `${action} is not available on a path of ${segs.length} ids` : `"/${m[1]}" is not an LwM2M path (/object[/instance[/resource[/resource-instance]]])`;
      sendProblem(res, 'BAD_PATH', detail);
      return;
    }
    sendProblem(res, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
  };
}

/** At most 200 characters of `s`, for a detail that quotes the request. */
function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

function errorHandler(log: RestContext['log']) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ProblemError) {
      sendProblem(res, err.code, err.message, err.extra);
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    // the router could not decode a route parameter (`/api/devices/%ZZ`): a bad path, not a bad body
    if (err instanceof URIError) sendProblem(res, 'BAD_PATH_ENCODING', `"${truncate(req.path)}" has a segment that is not valid percent-encoded UTF-8`);
    else if (e.type === 'entity.parse.failed') sendProblem(res, 'BAD_JSON', `the body is not valid JSON: ${e.message ?? ''}`.trim());
    else if (e.type === 'entity.too.large') sendProblem(res, 'PAYLOAD_TOO_LARGE');
    else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) sendProblem(res, 'BAD_BODY', e.message);
    else {
      log.error('rest: request failed', { method: req.method, path: req.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      sendProblem(res, 'INTERNAL', 'the request failed inside the gateway');
    }
  };
}

export function buildApp(rc: RestContext, o: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const start = performance.now();
    res.on('finish', () => {
      const ms = performance.now() - start;
      rc.log.debug('rest', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  });
  app.use(cors(o.corsOrigins));
  const apiAuth = bearerAuth(o.tokens);
  // a device read goes straight to its handler once authenticated (no route below takes its paths but the read)
  const read = readHandler(rc);
  app.use(readShortcut(read, apiAuth));
  // the web console's page and files: open (they hold no data; the page asks for a token)
  if (o.console) consoleRoutes(app, o.console.dir);
  const metrics = o.metrics;
  if (metrics) {
    // the API's tokens, or the metrics token alone (a scraper needs no access to the devices)
    const auth = bearerAuth(metrics.token ? [...o.tokens, { token: metrics.token, scope: 'read' }] : o.tokens);
    app.get('/metrics', auth, (_req, res, next) => {
      metrics.text().then((text) => res.type(metrics.contentType).send(text), next);
    });
  }
  // a device downloading its image has no API token: the per-job token in the path is its right
  firmwareDownloadRoute(app, o.firmware);
  app.use(apiAuth);
  const limit = o.bodyLimit ?? '1mb';
  app.use(express.json({ limit, strict: false, type: ['application/json', 'application/*+json'] }));
  app.use(express.text({ limit, type: 'text/plain' }));

  // probes for orchestrators (container HEALTHCHECK, Kubernetes): public, nothing sensitive
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  app.get('/readyz', (_req, res) => {
    const parts = o.readiness?.() ?? [{ name: 'rest', ready: true }];
    const ready = parts.every((p) => p.ready);
    res.status(ready ? 200 : 503).json({ ready, parts });
  });
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', devices: rc.server.registrations().length });
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(JSON.stringify(openApiDocument(o.mappings?.(), { metrics: metrics !== undefined })));
  });
  app.get('/api/events', (req, res) => o.hub.subscribe(req, res));
  deviceRoutes(app, rc);
  modelRoutes(app, rc);
  gatewayRoutes(app, rc, { tokens: o.tokens.length > 0, ...(o.version !== undefined ? { version: o.version } : {}), ...(o.readiness ? { readiness: o.readiness } : {}), ...(o.mappings ? { mappings: o.mappings } : {}) });
  securityRoutes(app, rc);
  traceRoutes(app, rc);
  bootstrapRoutes(app, rc);
  firmwareRoutes(app, o.firmware);
  campaignRoutes(app, o.firmware);
  actionRoutes(app, rc);
  resourceRoutes(app, rc, read);
  o.extraRoutes?.(app);

  let compiled: { method: string; re: RegExp }[] | undefined;
  const routes = (): { method: string; re: RegExp }[] => (compiled ??= registeredRoutes(app).map((r) => ({ method: r.method, re: routeRegExp(r.path) })));
  app.use(fallback(routes));
  app.use(errorHandler(rc.log));
  return app;
}
