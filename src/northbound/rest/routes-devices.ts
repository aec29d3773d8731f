/**
 * Devices and their state: `GET /api/devices` (filters `endpoint` glob, `object`,
 * `online`; pages of `limit` devices by endpoint name, `cursor` for the next page),
 * `GET /api/devices/{endpoint}`, its observations (list; cancel by id on
 * `/api/observations/{endpoint}/{id}`), the requests
 * queued for it, and `GET /api/requests/{id}` for a queued request.
 */
import type { IRouter, Request, Response } from 'express';
import type { Observation, Registration } from '../../lwm2m/server/types.js';
import { ProblemError, resultProblem } from './errors.js';
import { registrationOf, sendOutcome, type RestContext } from './context.js';
import { registrationJson, type Json } from './json.js';
import { showsSecrets } from './auth.js';
import { cursorOf, flagOf, globsOf, limitOf, listOf, nextCursor, timeoutOf } from './params.js';
import { requestJson } from './request-store.js';
import { DEVICE } from './routes-resources.js';
import { fleetFilters } from './device-filters.js';
import { firstAfter } from './first-after.js';

function observationJson(o: Observation): Record<string, Json> {
  return {
    id: o.id,
    paths: o.paths.map(String),
    composite: o.composite,
    format: o.format ?? null,
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

function json(res: Response, status: number, body: Json): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** Most object ids in `?object=`. */
const MAX_OBJECT_FILTERS = 32;

/** The request's own path and query with `cursor` replaced (the `Link: rel="next"` target). */
function nextLink(req: Request, cursor: string): string {
  const q = req.originalUrl.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? req.originalUrl.slice(q + 1) : '');
  params.set('cursor', cursor);
  return `/api/devices?${params.toString()}`;
}

export function deviceRoutes(router: IRouter, rc: RestContext): void {
  const { server } = rc;
  const view = { isAwake: (ep: string) => server.isAwake(ep), queuedRequests: (ep: string) => server.queuedRequests(ep), now: () => server.clock.now() };
  const describe = (r: Registration, res: Response): Record<string, Json> => registrationJson(r, view, rc.lastSeen.get(r.endpoint), { registrationId: showsSecrets(res) });

  router.get('/api/devices', (req: Request, res: Response) => {
    const endpoints = globsOf(req, 'endpoint');
    const objectList = listOf(req, 'object') ?? [];
    if (objectList.length > MAX_OBJECT_FILTERS) throw new ProblemError('BAD_QUERY', `object: at most ${MAX_OBJECT_FILTERS} object ids`);
    const objects = objectList.map((s) => {
      if (!/^\d{1,5}$/.test(s)) throw new ProblemError('BAD_QUERY', `object "${s}" is not an object id`);
      return Number(s);
    });
    const online = flagOf(req, 'online');
    const limit = limitOf(req);
    const after = cursorOf(req);
    const withObjects = flagOf(req, 'objects') === true;
    const fleet = fleetFilters(req, view);
    // one pass over the fleet
    const matching = server
      .registrations()
      .filter(
        (r) =>
          (endpoints === undefined || endpoints(r.endpoint)) &&
          objects.every((o) => r.objects.has(o)) &&
          (online === undefined || server.isAwake(r.endpoint) === online) &&
          fleet.test(r, Math.max(rc.lastSeen.get(r.endpoint) ?? 0, r.lastUpdateAt)),
      );
    // keyset pagination on the endpoint name: a page is the `limit` names after the cursor
    // (one more tells whether a next page exists), picked without sorting the whole fleet
    const page = firstAfter(matching, (r) => r.endpoint, after, limit + 1);
    const more = page.length > limit;
    page.length = Math.min(page.length, limit);
    const secrets = showsSecrets(res);
    const devices = page.map((r) => registrationJson(r, view, rc.lastSeen.get(r.endpoint), { objects: withObjects, registrationId: secrets }));
    const next = more ? nextCursor(page[page.length - 1]!.endpoint) : null;
    if (next !== null) res.setHeader('link', `<${nextLink(req, next)}>; rel="next"`);
    json(res, 200, { count: devices.length, total: matching.length, limit, next, devices });
  });

  router.get(DEVICE, (req: Request, res: Response) => {
    json(res, 200, describe(registrationOf(rc, req), res));
  });

  router.get(DEVICE + '/observations', (req: Request, res: Response) => {
    const reg = registrationOf(rc, req);
    json(res, 200, { endpoint: reg.endpoint, observations: server.observations(reg.endpoint).map(observationJson) });
  });

  const cancelById = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const id = String(req.params.observationId);
    if (!server.observations(reg.endpoint).some((o) => o.id === id)) throw new ProblemError('OBSERVATION_NOT_FOUND', `no observation "${id}" on ${reg.endpoint}`);
    const t = timeoutOf(req);
    const r = await server.cancelObservation(reg.endpoint, id, { passive: flagOf(req, 'passive') === true, ...(t !== undefined ? { timeoutMs: t } : {}) });
    if (!r.success) throw resultProblem(r);
    sendOutcome(res, { status: 204, body: null });
  };
  router.delete('/api/observations/:endpoint/:observationId', cancelById);
  // the former path, still served (left out of the OpenAPI document: see UNDOCUMENTED_ROUTES)
  router.delete(DEVICE + '/observations/:observationId', cancelById);

  router.get(DEVICE + '/requests', (req: Request, res: Response) => {
    const reg = registrationOf(rc, req);
    json(res, 200, { endpoint: reg.endpoint, requests: rc.requests.pending(reg.endpoint).map((r) => requestJson(r)) });
  });

  router.get('/api/requests/:requestId', (req: Request, res: Response) => {
    const id = String(req.params.requestId);
    const item = rc.requests.get(id);
    if (!item) throw new ProblemError('REQUEST_NOT_FOUND', `no request "${id}"`);
    json(res, 200, requestJson(item));
  });
}
