/**
 * The gateway as a whole, for dashboards and the web console:
 *
 *   GET /api/gateway                     version, device counts by state, queued requests,
 *                                        the parts and their readiness (as /readyz), mapping files
 *   GET /api/mappings                    the mapping files in force: per target its object,
 *                                        instances, observations, MQTT topics, REST route
 *   GET /api/devices/{endpoint}/mappings the mapping files whose `devices` select the device,
 *                                        with the targets of the objects it registered
 *   GET /api/whoami                      the caller's scope (read or write): a client shows
 *                                        write controls only to those who may use them
 */
import type { IRouter, Request, Response } from 'express';
import type { CompiledFile, CompiledTarget } from '../../mapping/compile-file.js';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import type { ReadinessPart } from '../face.js';
import { registrationOf, type RestContext } from './context.js';
import { deviceState, type DeviceState } from './device-filters.js';
import type { Json } from './json.js';
import { DEVICE } from './routes-resources.js';
import { scopeOf } from './auth.js';

export interface GatewayRouteOptions {
  /** the gateway's version */
  version?: string;
  readiness?: () => ReadinessPart[];
  mappings?: () => CompiledMappings;
  /** tokens are configured (the API asks for one) */
  tokens?: boolean;
}

function targetJson(t: CompiledTarget, endpoint?: string): Record<string, Json> {
  const out: Record<string, Json> = {
    objectId: t.objectId,
    objectName: t.objectName,
    instances: t.instances ?? null,
    observe: t.observe.map((o) => ({ resources: o.resources ?? null, composite: o.composite, attributes: (o.attributes ?? {}) as Record<string, Json> })),
  };
  if (t.mqtt) {
    out.mqtt = {
      publish: t.mqtt.publish.flatMap((p) => (p.topicFilter ? [p.topicFilter] : [])),
      commands: t.mqtt.commands.map((c) => c.subscription),
    };
  }
  // the device's own route: its name in place of {endpoint} (percent-encoded, as a client requests it)
  if (t.rest) out.rest = endpoint === undefined ? t.rest.template : t.rest.template.split('{endpoint}').join(encodeURIComponent(endpoint));
  if (t.onem2m) out.onem2m = true;
  return out;
}

function fileJson(f: CompiledFile, targets: CompiledTarget[], endpoint?: string): Record<string, Json> {
  return {
    name: f.name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    targets: targets.map((t) => targetJson(t, endpoint)),
  };
}

function send(res: Response, body: Json): void {
  res.status(200).type('application/json').send(JSON.stringify(body));
}

export function gatewayRoutes(router: IRouter, rc: RestContext, o: GatewayRouteOptions): void {
  const { server } = rc;
  const view = { isAwake: (ep: string) => server.isAwake(ep), now: () => server.clock.now() };
  const files = (): readonly CompiledFile[] => o.mappings?.().files ?? [];

  router.get('/api/gateway', (_req: Request, res: Response) => {
    const counts: Record<DeviceState, number> = { online: 0, sleeping: 0, offline: 0 };
    let queued = 0;
    const regs = server.registrations();
    for (const r of regs) {
      counts[deviceState(r, view)]++;
      queued += server.queuedRequests(r.endpoint);
    }
    const parts = o.readiness?.() ?? [{ name: 'rest', ready: true }];
    send(res, {
      version: o.version ?? null,
      time: new Date(server.clock.now()).toISOString(),
      devices: { total: regs.length, ...counts },
      queuedRequests: queued,
      ready: parts.every((p) => p.ready),
      parts: parts.map((p) => ({ name: p.name, ready: p.ready, ...(p.detail !== undefined ? { detail: p.detail } : {}) })),
      mappings: files().length,
    });
  });

  router.get('/api/whoami', (_req: Request, res: Response) => {
    send(res, { scope: scopeOf(res), tokens: o.tokens === true });
  });

  router.get('/api/mappings', (_req: Request, res: Response) => {
    send(res, { mappings: files().map((f) => fileJson(f, f.targets)) });
  });

  router.get(DEVICE + '/mappings', (req: Request, res: Response) => {
    const reg = registrationOf(rc, req);
    const out: Json[] = [];
    for (const f of files()) {
      if (!f.matches(reg)) continue;
      const targets = f.targets.filter((t) => reg.objects.has(t.objectId));
      if (targets.length > 0) out.push(fileJson(f, targets, reg.endpoint));
    }
    send(res, { endpoint: reg.endpoint, mappings: out });
  });
}
