/**
 * The object models the gateway types values with: `GET /api/objects/{objectId}`
 * (`?version=`: that version, else the newest known) and `GET /api/devices/{endpoint}/model`,
 * the model of every object the device registered, at the version it registered. Names,
 * types, units, ranges and the operations each resource allows: what a client needs to
 * label a device's values and to offer only the operations that apply.
 */
import type { IRouter, Request, Response } from 'express';
import type { ObjectModel } from '../../lwm2m/model/types.js';
import { registrationOf, type RestContext } from './context.js';
import { ProblemError } from './errors.js';
import type { Json } from './json.js';
import { queryString } from './params.js';
import { DEVICE } from './routes-resources.js';

export function objectModelJson(m: ObjectModel): Record<string, Json> {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    lwm2mVersion: m.lwm2mVersion,
    urn: m.urn,
    multiple: m.multiple,
    mandatory: m.mandatory,
    resources: [...m.resources.values()]
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, name: r.name, operations: r.operations, multiple: r.multiple, mandatory: r.mandatory, type: r.type, range: r.range, units: r.units })),
  };
}

function send(res: Response, body: Json): void {
  res.status(200).type('application/json').send(JSON.stringify(body));
}

export function modelRoutes(router: IRouter, rc: RestContext): void {
  const models = rc.ctx.models;

  router.get('/api/objects/:objectId', (req: Request, res: Response) => {
    const raw = String(req.params.objectId);
    if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65534) throw new ProblemError('BAD_PATH', `"${raw.slice(0, 20)}" is not an object id`);
    const version = queryString(req, 'version');
    if (version !== undefined && !/^\d{1,3}\.\d{1,3}$/.test(version)) throw new ProblemError('BAD_QUERY', 'version must look like 1.0');
    const m = models.getObject(Number(raw), version);
    if (!m) throw new ProblemError('NOT_FOUND', `no model of object ${raw}`);
    send(res, objectModelJson(m));
  });

  router.get(DEVICE + '/model', (req: Request, res: Response) => {
    const reg = registrationOf(rc, req);
    const objects = [...reg.objects]
      .sort(([a], [b]) => a - b)
      .map(([id, o]) => {
        const m = models.getObject(id, o.version);
        return { id, version: o.version, instances: o.instances, model: m ? objectModelJson(m) : null };
      });
    send(res, { endpoint: reg.endpoint, objects });
  });
}
