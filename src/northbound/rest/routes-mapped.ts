/**
 * Friendly routes from the `rest` sections of mapping files, compiled and checked by the
 * mapping compiler (see mapped.ts). On `{path}`: GET reads the instance and answers the mapped payload
 * `{ endpoint, mapping, objectId, instanceId, values: { <slug>: value } }`; PATCH writes
 * `{ <slug or id>: value }` as a partial update. `GET {path}/{slug}` reads one resource;
 * `POST {path}/{command}` runs a command. One middleware looks the routes up on every
 * request, so a mapping reload takes effect at once.
 */
import type { IRouter, NextFunction, Request, Response } from 'express';
import type { ResourceModel } from '../../lwm2m/model/types.js';
import { LwM2mPath } from '../../lwm2m/path.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import { slugify } from '../../mapping/models.js';
import { dispatch, type RestContext } from './context.js';
import { ProblemError, sendProblem } from './errors.js';
import { inputNode, nodeJson, type Json } from './json.js';
import { mappedRoutesOf, type MappedCommand, type MappedRoute } from './mapped.js';
import { bodyObject, bodyValue, timeoutOf } from './params.js';

function timeout(req: Request): { timeoutMs?: number } {
  const t = timeoutOf(req);
  return t === undefined ? {} : { timeoutMs: t };
}

function findResource(route: MappedRoute, models: RestContext['ctx']['models'], key: string, reg: Registration): ResourceModel | undefined {
  const obj = models.getObject(route.objectId, reg.objects.get(route.objectId)?.version);
  if (!obj) return undefined;
  if (/^\d{1,5}$/.test(key)) return obj.resources.get(Number(key));
  for (const r of obj.resources.values()) if (slugify(r.name) === key || r.name === key) return r;
  return undefined;
}

export function mappedRoutes(router: IRouter, rc: RestContext, mappings: () => CompiledMappings): void {
  const { server } = rc;
  const compiled = new WeakMap<CompiledMappings, MappedRoute[]>();
  const routes = (): MappedRoute[] => {
    const set = mappings();
    let list = compiled.get(set);
    if (!list) {
      list = mappedRoutesOf(set);
      compiled.set(set, list);
    }
    return list;
  };

  const readInstance = async (req: Request, res: Response, route: MappedRoute, reg: Registration, instanceId: number): Promise<void> => {
    const path = LwM2mPath.of(route.objectId, instanceId);
    await dispatch(rc, reg, res, {
      operation: 'read',
      paths: [path.toString()],
      run: () => server.read(reg.endpoint, path, timeout(req)),
      render: (r) => {
        const values: Record<string, Json> = {};
        if (r.node?.kind === 'instance') {
          for (const { id, slug } of route.resources) {
            const node = r.node.resources.get(id);
            if (node) values[slug] = nodeJson(node);
          }
        }
        return { status: 200, body: { endpoint: reg.endpoint, mapping: route.mapping, objectId: route.objectId, instanceId, values } };
      },
    });
  };

  const writeInstance = async (req: Request, res: Response, route: MappedRoute, reg: Registration, instanceId: number): Promise<void> => {
    const body = bodyObject(req);
    const byId: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      const r = findResource(route, rc.ctx.models, key, reg);
      if (!r) throw new ProblemError('BAD_BODY', `object ${route.objectId} has no resource "${key}"`);
      if (!r.operations.includes('W')) throw new ProblemError('BAD_BODY', `resource ${r.id} (${r.name}) is not writable`);
      byId[String(r.id)] = value;
    }
    if (Object.keys(byId).length === 0) throw new ProblemError('BAD_BODY', 'no value given');
    const path = LwM2mPath.of(route.objectId, instanceId);
    const node = inputNode(rc.ctx, reg, path, byId);
    await dispatch(rc, reg, res, {
      operation: 'writePartial',
      paths: [path.toString()],
      run: () => server.write(reg.endpoint, path, node, { partial: true, ...timeout(req) }),
      render: () => ({ status: 204, body: null }),
    });
  };

  const readResource = async (req: Request, res: Response, route: MappedRoute, reg: Registration, instanceId: number, r: ResourceModel): Promise<void> => {
    const path = LwM2mPath.of(route.objectId, instanceId, r.id);
    await dispatch(rc, reg, res, {
      operation: 'read',
      paths: [path.toString()],
      run: () => server.read(reg.endpoint, path, timeout(req)),
      render: (x) => ({
        status: 200,
        body: { endpoint: reg.endpoint, mapping: route.mapping, objectId: route.objectId, instanceId, resource: slugify(r.name), value: x.node ? nodeJson(x.node) : null },
      }),
    });
  };

  const command = async (req: Request, res: Response, route: MappedRoute, reg: Registration, instanceId: number, cmd: MappedCommand): Promise<void> => {
    const path = LwM2mPath.of(route.objectId, instanceId, cmd.resourceId);
    if (cmd.op === 'read') {
      const r = findResource(route, rc.ctx.models, String(cmd.resourceId), reg);
      if (r) return readResource(req, res, route, reg, instanceId, r);
    }
    if (cmd.op === 'write') {
      const node = inputNode(rc.ctx, reg, path, bodyValue(req));
      return dispatch(rc, reg, res, {
        operation: 'write',
        paths: [path.toString()],
        run: () => server.write(reg.endpoint, path, node, timeout(req)),
        render: () => ({ status: 204, body: null }),
      });
    }
    const b: unknown = req.body;
    const given = b && typeof b === 'object' && typeof (b as { args?: unknown }).args === 'string' ? (b as { args: string }).args : typeof b === 'string' && b !== '' ? b : undefined;
    const args = given ?? cmd.args;
    return dispatch(rc, reg, res, {
      operation: 'execute',
      paths: [path.toString()],
      run: () => server.execute(reg.endpoint, path, { ...timeout(req), ...(args !== undefined ? { args } : {}) }),
      render: () => ({ status: 204, body: null }),
    });
  };

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/api/')) return next();
    const list = routes();
    for (const route of list) {
      const m = route.match(req.path);
      if (!m) continue;
      const reg = server.getRegistration(m.endpoint);
      if (!reg || !route.file.matches(reg)) throw new ProblemError('DEVICE_NOT_FOUND', `no device "${m.endpoint}" for mapping ${route.mapping}`, { endpoint: m.endpoint });
      if (route.instances && !route.instances.includes(m.instanceId)) throw new ProblemError('NOT_FOUND', `mapping ${route.mapping} does not expose instance ${m.instanceId}`);
      if (m.rest === undefined) {
        if (req.method === 'GET') return readInstance(req, res, route, reg, m.instanceId);
        if (req.method === 'PATCH') return writeInstance(req, res, route, reg, m.instanceId);
        res.setHeader('allow', 'GET, PATCH');
        return sendProblem(res, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`);
      }
      const cmd = route.commands.get(m.rest);
      const r = route.resources.find((x) => x.slug === m.rest);
      if (cmd && req.method === 'POST') return command(req, res, route, reg, m.instanceId, cmd);
      if (r && req.method === 'GET') return readResource(req, res, route, reg, m.instanceId, r.model);
      if (cmd || r) {
        res.setHeader('allow', [r ? 'GET' : '', cmd ? 'POST' : ''].filter(Boolean).join(', '));
        return sendProblem(res, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`);
      }
      throw new ProblemError('NOT_FOUND', `mapping ${route.mapping} has no resource or command "${m.rest}"`);
    }
    next();
  });
}
