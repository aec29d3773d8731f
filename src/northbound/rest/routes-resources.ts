/**
 * The generic device API on `/api/devices/{endpoint}/{object}[/{instance}[/{resource}[/{ri}]]]`:
 * GET reads, PUT writes (replace), PATCH writes (partial update), POST on an object
 * creates, POST on a resource executes, DELETE deletes. `?format=` picks the content
 * format used with the device, `?timeout=` (seconds) how long to wait for its answer.
 */
import type { IRouter, Request, Response } from 'express';
import type { LwM2mPath } from '../../lwm2m/path.js';
import type { OperationResult } from '../../lwm2m/server/types.js';
import { ProblemError } from './errors.js';
import { dispatch, registrationOf, type RestContext } from './context.js';
import { createNode, inputNode, nodeResult, timestampedJson, type Json } from './json.js';
import { bodyObject, bodyValue, formatOf, pathOf, timeoutOf } from './params.js';
import type { Outcome } from './request-store.js';

export const DEVICE = '/api/devices/:endpoint';
/** Route suffixes for paths of depth 1..4. */
export const DEPTH_ROUTES = [
  '/:objectId',
  '/:objectId/:instanceId',
  '/:objectId/:instanceId/:resourceId',
  '/:objectId/:instanceId/:resourceId/:resourceInstanceId',
] as const;

/** The route suffixes for the given depths. */
export function depths(...ds: (1 | 2 | 3 | 4)[]): string[] {
  return ds.map((d) => DEPTH_ROUTES[d - 1]!);
}

const noContent: Outcome = { status: 204, body: null };

function opts(req: Request): { timeoutMs?: number } {
  const t = timeoutOf(req);
  return t === undefined ? {} : { timeoutMs: t };
}

function fmt(req: Request): { format?: number } {
  const f = formatOf(req);
  return f === undefined ? {} : { format: f };
}

/** The read answer: `{ endpoint, path, value, type?, contentFormat?, timestamped? }`. */
export function readOutcome(endpoint: string, path: LwM2mPath, r: OperationResult): Outcome {
  if (!r.node) throw new ProblemError('BAD_DEVICE_RESPONSE', 'the device answered without a value');
  const body: Record<string, Json> = { endpoint, ...nodeResult(path.toString(), r.node) };
  if (r.contentFormat !== undefined) body.contentFormat = r.contentFormat;
  if (r.timestamped && r.timestamped.length > 1) body.timestamped = timestampedJson(r.timestamped);
  return { status: 200, body };
}

function executeArgs(req: Request): string | undefined {
  const b: unknown = req.body;
  if (b === undefined || b === null || b === '') return undefined;
  if (typeof b === 'string') return b;
  if (typeof b === 'object' && !Array.isArray(b) && !Buffer.isBuffer(b)) {
    const args = (b as Record<string, unknown>).args;
    if (args === undefined || args === null) return undefined;
    if (typeof args === 'string') return args;
  }
  throw new ProblemError('BAD_BODY', 'execute takes { "args": "0=\'v\',1" } or the arguments as text/plain');
}

function optionalId(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65534) return v;
  throw new ProblemError('BAD_BODY', `${where} must be an id (0..65534)`);
}

/** GET on a device path: a Read (also taken by the read shortcut, read-shortcut.ts). */
export function readHandler(rc: RestContext): (req: Request, res: Response) => Promise<void> {
  const { server } = rc;
  return async (req, res) => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const o = { ...opts(req), ...fmt(req) };
    await dispatch(rc, reg, res, {
      operation: 'read',
      paths: [path.toString()],
      run: () => server.read(reg.endpoint, path, o),
      render: (r) => readOutcome(reg.endpoint, path, r),
    });
  };
}

export function resourceRoutes(router: IRouter, rc: RestContext, read = readHandler(rc)): void {
  const { server } = rc;

  const write = (partial: boolean) => async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const node = inputNode(rc.ctx, reg, path, bodyValue(req));
    const o = { ...opts(req), ...fmt(req), partial };
    await dispatch(rc, reg, res, {
      operation: partial ? 'writePartial' : 'write',
      paths: [path.toString()],
      run: () => server.write(reg.endpoint, path, node, o),
      render: () => noContent,
    });
  };

  const create = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const body = bodyObject(req);
    const instanceId = optionalId(body.instanceId, 'instanceId');
    const node = createNode(rc.ctx, reg, path.objectId!, instanceId, body.value ?? {});
    const o = { ...opts(req), ...fmt(req) };
    await dispatch(rc, reg, res, {
      operation: 'create',
      paths: [path.toString()],
      run: () => server.create(reg.endpoint, path, node, o),
      render: (r) => {
        const location = r.location ?? (instanceId !== undefined ? `${path.toString()}/${instanceId}` : undefined);
        const body: Record<string, Json> = { endpoint: reg.endpoint, path: location ?? null };
        const iid = location ? Number(location.split('/').pop()) : NaN;
        body.instanceId = Number.isInteger(iid) ? iid : null;
        const headers: Record<string, string> = location ? { location: `/api/devices/${encodeURIComponent(reg.endpoint)}${location}` } : {};
        return { status: 201, body, headers };
      },
    });
  };

  const execute = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const args = executeArgs(req);
    const o = { ...opts(req), ...(args !== undefined ? { args } : {}) };
    await dispatch(rc, reg, res, {
      operation: 'execute',
      paths: [path.toString()],
      run: () => server.execute(reg.endpoint, path, o),
      render: () => noContent,
    });
  };

  const remove = async (req: Request, res: Response): Promise<void> => {
    const reg = registrationOf(rc, req);
    const path = pathOf(req);
    const o = opts(req);
    await dispatch(rc, reg, res, {
      operation: 'delete',
      paths: [path.toString()],
      run: () => server.delete(reg.endpoint, path, o),
      render: () => noContent,
    });
  };

  for (const d of depths(1, 2, 3, 4)) router.get(DEVICE + d, read);
  for (const d of depths(2, 3, 4)) router.put(DEVICE + d, write(false));
  for (const d of depths(2, 3)) router.patch(DEVICE + d, write(true));
  for (const d of depths(1)) router.post(DEVICE + d, create);
  for (const d of depths(3)) router.post(DEVICE + d, execute);
  for (const d of depths(2, 4)) router.delete(DEVICE + d, remove);
}
