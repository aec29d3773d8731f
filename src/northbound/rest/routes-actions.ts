/**
 * Operations beside read/write on a path, as sub-resources of it:
 * `GET {path}/discover`, `PUT {path}/attributes`, `POST|DELETE {path}/observe`, and the
 * composite operations on `/api/devices/{endpoint}/composite` (GET reads `?paths=`, PUT
 * writes `{ values }`) and `/composite/observe` (POST `{ paths }`, DELETE `?paths=`).
 */
import type { IRouter, Request, Response } from 'express';
import type { LwM2mNode } from '../../lwm2m/node.js';
import type { LwM2mPath } from '../../lwm2m/path.js';
import type { Attributes, OperationResult } from '../../lwm2m/server/types.js';
import { ProblemError } from './errors.js';
import { dispatch, registrationOf, type RestContext } from './context.js';
import { inputNode, linksJson, nodeJson, nodesJson, timestampedJson, type Json } from './json.js';
import { bodyObject, flagOf, formatOf, listOf, parsePath, pathOf, timeoutOf } from './params.js';
import { DEVICE, depths } from './routes-resources.js';
import type { Outcome } from './request-store.js';

export const ATTRIBUTE_NAMES = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'] as const;

const noContent: Outcome = { status: 204, body: null };

function opts(req: Request): { timeoutMs?: number; format?: number } {
  const t = timeoutOf(req);
  const f = formatOf(req);
  return { ...(t !== undefined ? { timeoutMs: t } : {}), ...(f !== undefined ? { format: f } : {}) };
}

function attributesOf(req: Request): Attributes {
  const body = bodyObject(req);
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!(ATTRIBUTE_NAMES as readonly string[]).includes(k)) throw new ProblemError('BAD_BODY', `"${k}" is not a notification attribute (${ATTRIBUTE_NAMES.join(', ')})`);
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw new ProblemError('BAD_BODY', `${k} must be a number, or null to unset it`);
    out[k] = v;
  }
  if (Object.keys(out).length === 0) throw new ProblemError('BAD_BODY', 'no attribute given');
  return out as Attributes;
}

function pathsOf(list: unknown, where: string): LwM2mPath[] {
  if (!Array.isArray(list) || list.length === 0) throw new ProblemError('BAD_BODY', `${where} must be a non-empty list of paths`);
  return list.map((p, i) => parsePath(p, `${where}[${i}]`));
}

function queryPaths(req: Request): LwM2mPath[] {
  const list = listOf(req, 'paths');
  if (!list || list.length === 0) throw new ProblemError('BAD_QUERY', 'paths is required: ?paths=/3/0/9,/3303/0/5700');
  return list.map((p) => parsePath(p, 'paths'));
}

function compositeBody(endpoint: string, r: OperationResult, extra: Record<string, Json> = {}): Outcome {
  const body: Record<string, Json> = { endpoint, ...extra, values: r.nodes ? nodesJson(r.nodes) : {} };
  if (r.contentFormat !== undefined) body.contentFormat = r.contentFormat;
  if (r.timestamped && r.timestamped.length > 1) body.timestamped = timestampedJson(r.timestamped);
  return { status: 200, body };
}

export function actionRoutes(router: IRouter, rc: RestContext): void {
  const { server } = rc;

  const discover = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const d = (req.query as Record<string, unknown>).depth;
    let depth: number | undefined;
    if (d !== undefined) {
      if (typeof d !== 'string' || !/^[0-3]$/.test(d)) throw new ProblemError('BAD_QUERY', 'depth must be 0, 1, 2 or 3');
      depth = Number(d);
    }
    const o = { ...opts(req), ...(depth !== undefined ? { depth } : {}) };
    await dispatch(rc, reg, res, {
      operation: 'discover',
      paths: [path.toString()],
      run: () => server.discover(reg.endpoint, path, o),
      render: (r) => ({ status: 200, body: { endpoint: reg.endpoint, path: path.toString(), links: linksJson(r.links ?? []) } }),
    });
  };

  const writeAttributes = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const attributes = attributesOf(req);
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'writeAttributes',
      paths: [path.toString()],
      run: () => server.writeAttributes(reg.endpoint, path, attributes, o),
      render: () => noContent,
    });
  };

  const observe = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'observe',
      paths: [path.toString()],
      run: () => server.observe(reg.endpoint, path, o),
      render: (r) => {
        const body: Record<string, Json> = { endpoint: reg.endpoint, path: path.toString(), observationId: r.observationId ?? null };
        if (r.node) body.value = nodeJson(r.node);
        if (r.contentFormat !== undefined) body.contentFormat = r.contentFormat;
        return { status: 200, body };
      },
    });
  };

  const cancel = (composite: boolean) => async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const paths = composite ? queryPaths(req) : [pathOf(req)];
    const key = paths.map(String).sort().join(',');
    const found = server.observations(reg.endpoint).find((ob) => ob.composite === composite && ob.paths.map(String).sort().join(',') === key);
    if (!found) throw new ProblemError('OBSERVATION_NOT_FOUND', `no ${composite ? 'composite ' : ''}observation of ${paths.map(String).join(', ')}`);
    const passive = flagOf(req, 'passive') === true;
    const t = timeoutOf(req);
    await dispatch(rc, reg, res, {
      operation: 'cancelObservation',
      paths: paths.map(String),
      run: () => server.cancelObservation(reg.endpoint, found.id, { passive, ...(t !== undefined ? { timeoutMs: t } : {}) }),
      render: () => noContent,
    });
  };

  const readComposite = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const paths = queryPaths(req);
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'readComposite',
      paths: paths.map(String),
      run: () => server.readComposite(reg.endpoint, paths, o),
      render: (r) => compositeBody(reg.endpoint, r),
    });
  };

  const writeComposite = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const values = bodyObject(req).values;
    if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.keys(values).length === 0) {
      throw new ProblemError('BAD_BODY', 'the body must be { "values": { "/3/0/14": "+02:00", ... } }');
    }
    const nodes = new Map<string, LwM2mNode | null>();
    for (const [p, v] of Object.entries(values as Record<string, unknown>)) {
      const path = parsePath(p, 'values');
      nodes.set(path.toString(), v === null ? null : inputNode(rc.ctx, reg, path, v));
    }
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'writeComposite',
      paths: [...nodes.keys()],
      run: () => server.writeComposite(reg.endpoint, nodes, o),
      render: () => noContent,
    });
  };

  const observeComposite = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const paths = pathsOf(bodyObject(req).paths, 'paths');
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'observeComposite',
      paths: paths.map(String),
      run: () => server.observeComposite(reg.endpoint, paths, o),
      render: (r) => compositeBody(reg.endpoint, r, { observationId: r.observationId ?? null }),
    });
  };

  router.get(DEVICE + '/composite', readComposite);
  router.put(DEVICE + '/composite', writeComposite);
  router.post(DEVICE + '/composite/observe', observeComposite);
  router.delete(DEVICE + '/composite/observe', cancel(true));
  for (const d of depths(1, 2, 3)) router.get(DEVICE + d + '/discover', discover);
  for (const d of depths(1, 2, 3, 4)) {
    router.put(DEVICE + d + '/attributes', writeAttributes);
    router.post(DEVICE + d + '/observe', observe);
    router.delete(DEVICE + d + '/observe', cancel(false));
  }
}
