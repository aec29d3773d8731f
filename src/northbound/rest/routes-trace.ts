/**
 * Per-device message traces at run time: `PUT /api/devices/{endpoint}/trace` with
 * `{ "enabled": true, "seconds": 600 }` traces every CoAP message to and from the device
 * (info log lines, and `trace` events on /api/events) for that long; `{ "enabled": false }`
 * or `DELETE` ends it; `GET` says whether one runs. PUT and DELETE need write scope.
 */
import type { IRouter, Request, Response } from 'express';
import { MAX_TRACE_SECONDS, type DeviceTrace } from '../../lwm2m/server/index.js';
import { ProblemError } from './errors.js';
import type { RestContext } from './context.js';
import type { Json } from './json.js';
import { bodyObject } from './params.js';
import { DEVICE } from './routes-resources.js';

export const TRACE_ROUTE = DEVICE + '/trace';
/** How long a trace runs when the body gives no `seconds`. */
export const DEFAULT_TRACE_SECONDS = 600;

function traceJson(endpoint: string, t: DeviceTrace | undefined): Record<string, Json> {
  return t ? { endpoint, enabled: true, until: new Date(t.until).toISOString() } : { endpoint, enabled: false };
}

function send(res: Response, status: number, body: Json): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

export function traceRoutes(router: IRouter, rc: RestContext): void {
  const { server } = rc;
  const endpointOf = (req: Request): string => String(req.params.endpoint);

  router.get(TRACE_ROUTE, (req: Request, res: Response) => {
    const endpoint = endpointOf(req);
    send(res, 200, traceJson(endpoint, server.deviceTrace(endpoint)));
  });

  router.put(TRACE_ROUTE, (req: Request, res: Response) => {
    const endpoint = endpointOf(req);
    const body = bodyObject(req);
    const unknown = Object.keys(body).filter((k) => k !== 'enabled' && k !== 'seconds');
    if (unknown.length > 0 || typeof body.enabled !== 'boolean') throw new ProblemError('BAD_BODY', 'the body must be { "enabled": true|false, "seconds"?: 1..86400 }');
    if (!body.enabled) {
      server.stopTrace(endpoint);
      send(res, 200, traceJson(endpoint, undefined));
      return;
    }
    const seconds = body.seconds ?? DEFAULT_TRACE_SECONDS;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TRACE_SECONDS) {
      throw new ProblemError('BAD_BODY', `seconds must be a whole number from 1 to ${MAX_TRACE_SECONDS}`);
    }
    const started = server.traceDevice(endpoint, seconds);
    if (!started.ok) {
      if (started.reason === 'NOT_REGISTERED') throw new ProblemError('DEVICE_NOT_FOUND', `no device "${endpoint}"`);
      if (started.reason === 'NOT_SUPPORTED') throw new ProblemError('TRACE_NOT_SUPPORTED', `the binding of "${endpoint}" cannot trace messages`);
      throw new ProblemError('TOO_MANY_TRACES', 'too many devices are traced already: end a trace first');
    }
    send(res, 200, traceJson(endpoint, started.trace));
  });

  router.delete(TRACE_ROUTE, (req: Request, res: Response) => {
    const endpoint = endpointOf(req);
    if (!server.stopTrace(endpoint)) throw new ProblemError('TRACE_NOT_FOUND', `no trace runs for "${endpoint}"`);
    res.status(204).end();
  });
}
