/**
 * The Bootstrap Server's configs and sessions:
 *
 *   PUT    /api/bootstrap/{endpoint}            { servers, objects, delete, ... } (write scope)
 *   GET    /api/bootstrap/{endpoint}            the config, never a key
 *   DELETE /api/bootstrap/{endpoint}            (write scope)
 *   GET    /api/bootstrap/{endpoint}/sessions   the last sessions with their steps
 *   PUT|GET|DELETE /api/bootstrap-default       the config of endpoints without their own
 *   PUT|GET|DELETE /api/bootstrap/{endpoint}/security   the bootstrap credentials (write scope)
 *   POST   /api/bootstrap/{endpoint}/trigger?instance=  server-initiated bootstrap of a registered
 *                                               device: Execute of /1/x/9 (write scope)
 */
import type { IRouter, Request, Response } from 'express';
import { DEFAULT_CONFIG_KEY, bootstrapTriggerPath, configView, type BootstrapApi, type SessionView } from '../../lwm2m/bootstrap/index.js';
import { endpointNameProblem } from '../../lwm2m/server/index.js';
import { dispatch, registrationOf, type RestContext } from './context.js';
import { ProblemError } from './errors.js';
import type { Json } from './json.js';
import { bodyObject, queryString, timeoutOf } from './params.js';
import { endpointOf, json, securityRoutes, writeScope } from './routes-security.js';

export const BOOTSTRAP_ROUTE = '/api/bootstrap/:endpoint';
export const BOOTSTRAP_DEFAULT_ROUTE = '/api/bootstrap-default';

function api(rc: RestContext): BootstrapApi {
  if (!rc.bootstrap) throw new ProblemError('BOOTSTRAP_OFF');
  return rc.bootstrap;
}

/** The store key of the request: the endpoint, or the default's key on the default route. */
function keyOf(req: Request, isDefault: boolean): string {
  if (isDefault) return DEFAULT_CONFIG_KEY;
  const endpoint = endpointOf(req);
  const bad = endpointNameProblem(endpoint);
  if (bad) throw new ProblemError('BAD_BOOTSTRAP_CONFIG', bad);
  return endpoint;
}

function sessionJson(s: SessionView): Record<string, Json> {
  return {
    id: s.id,
    endpoint: s.endpoint,
    peer: s.peer,
    state: s.state,
    startedAt: new Date(s.startedAt).toISOString(),
    ...(s.endedAt !== undefined ? { endedAt: new Date(s.endedAt).toISOString() } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.contentFormat !== undefined ? { contentFormat: s.contentFormat } : {}),
    steps: s.steps.map((t) => ({
      step: t.step,
      path: t.path,
      ok: t.ok,
      at: new Date(t.at).toISOString(),
      ...(t.code !== undefined ? { code: t.code } : {}),
      ...(t.contentFormat !== undefined ? { contentFormat: t.contentFormat } : {}),
      ...(t.note !== undefined ? { note: t.note } : {}),
    })),
  };
}

function configRoutes(router: IRouter, rc: RestContext, route: string, isDefault: boolean): void {
  router.put(route, (req: Request, res: Response) => {
    writeScope(res);
    const bs = api(rc);
    const key = keyOf(req, isDefault);
    const r = bs.checkConfig(bodyObject(req));
    if (!r.ok) {
      const problems = r.problems.slice(0, 50).map((p) => ({ field: p.field.join('.'), message: p.message }));
      throw new ProblemError('BAD_BOOTSTRAP_CONFIG', problems.map((p) => `${p.field || '(body)'}: ${p.message}`).join('; ').slice(0, 2000), { problems });
    }
    const previous = bs.configs.put(key, r.config);
    rc.log.info('rest: bootstrap config set', { endpoint: isDefault ? '(default)' : key, servers: r.config.servers.length });
    json(res, previous ? 200 : 201, configView(r.config) as Json);
  });

  router.get(route, (req: Request, res: Response) => {
    const config = api(rc).configs.get(keyOf(req, isDefault));
    if (!config) throw new ProblemError('BOOTSTRAP_CONFIG_NOT_FOUND');
    json(res, 200, configView(config) as Json);
  });

  router.delete(route, (req: Request, res: Response) => {
    writeScope(res);
    const key = keyOf(req, isDefault);
    if (!api(rc).configs.remove(key)) throw new ProblemError('BOOTSTRAP_CONFIG_NOT_FOUND');
    rc.log.info('rest: bootstrap config removed', { endpoint: isDefault ? '(default)' : key });
    res.status(204).end();
  });
}

export function bootstrapRoutes(router: IRouter, rc: RestContext): void {
  configRoutes(router, rc, BOOTSTRAP_ROUTE, false);
  configRoutes(router, rc, BOOTSTRAP_DEFAULT_ROUTE, true);
  router.get(`${BOOTSTRAP_ROUTE}/sessions`, (req: Request, res: Response) => {
    json(res, 200, { sessions: api(rc).sessions(keyOf(req, false)).map(sessionJson) });
  });
  securityRoutes(router, rc, `${BOOTSTRAP_ROUTE}/security`, () => api(rc).credentials);
  router.post(`${BOOTSTRAP_ROUTE}/trigger`, async (req: Request, res: Response) => {
    writeScope(res);
    const reg = registrationOf(rc, req);
    const raw = queryString(req, 'instance');
    const instance = raw === undefined ? undefined : /^\d{1,5}$/.test(raw) ? Number(raw) : -1;
    const path = bootstrapTriggerPath(reg, instance);
    if (typeof path === 'string') throw new ProblemError('BAD_QUERY', path);
    const t = timeoutOf(req);
    await dispatch(rc, reg, res, {
      operation: 'execute',
      paths: [path.toString()],
      run: () => rc.server.execute(reg.endpoint, path, t === undefined ? {} : { timeoutMs: t }),
      render: () => ({ status: 204, body: null }),
    });
  });
}
