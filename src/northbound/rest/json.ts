/**
 * JSON shapes of the REST API: typed LwM2M nodes and registrations out, plain JSON
 * values in (typed by the object model).
 *
 * Values out: integers as numbers (64-bit ones outside the safe range as decimal
 * strings), floats as numbers, booleans, strings, opaque as base64, time as seconds
 * since the epoch, objlnk as "3:0". A multiple resource is `{ "<ri>": value }`, an
 * instance `{ "<rid>": value }`, an object `{ "<iid>": { "<rid>": value } }`.
 * Values in: the same shapes; see valueNode for what each type accepts.
 */
import type { LwM2mNode, ObjectInstanceNode, TimestampedNodes } from '../../lwm2m/node.js';
import type { Link } from '../../lwm2m/codec/link-format.js';
import type { Registration } from '../../lwm2m/server/types.js';
import { OperationError, valueNode, type ValueContext } from '../../lwm2m/server/index.js';
import { LwM2mPath } from '../../lwm2m/path.js';
import { valueToJson } from '../../mapping/values.js';
import { ProblemError } from './errors.js';
import { deviceState } from './device-filters.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function instanceJson(i: ObjectInstanceNode): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [rid, r] of i.resources) out[String(rid)] = nodeJson(r);
  return out;
}

/** The JSON value of a node (see the module comment). */
export function nodeJson(node: LwM2mNode): Json {
  switch (node.kind) {
    case 'resource':
    case 'resourceInstance':
      return valueToJson(node.value) as Json;
    case 'multiResource': {
      const out: Record<string, Json> = {};
      for (const [ri, x] of node.instances) out[String(ri)] = valueToJson(x.value) as Json;
      return out;
    }
    case 'instance':
      return instanceJson(node);
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [iid, i] of node.instances) out[String(iid)] = instanceJson(i);
      return out;
    }
  }
}

/** `{ path, value, type? }`: `type` for a resource or resource instance. */
export function nodeResult(path: string, node: LwM2mNode): Record<string, Json> {
  const out: Record<string, Json> = { path, value: nodeJson(node) };
  if (node.kind === 'resource' || node.kind === 'multiResource' || node.kind === 'resourceInstance') out.type = node.type;
  return out;
}

/** Composite values: path -> value (null: absent on the device). */
export function nodesJson(nodes: Map<string, LwM2mNode | null>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [p, n] of nodes) out[p] = n ? nodeJson(n) : null;
  return out;
}

/** Records with timestamps: `[{ time, values: { path: value } }]`, time in seconds or null. */
export function timestampedJson(records: TimestampedNodes[]): Json[] {
  return records.map((r) => ({ time: r.time ?? null, values: nodesJson(r.nodes) }));
}

export function linksJson(links: Link[]): Json[] {
  return links.map((l) => {
    const attributes: Record<string, Json> = {};
    for (const [k, v] of l.attributes) attributes[k] = v === true ? true : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    return { path: l.uri, attributes };
  });
}

export interface RegistrationView {
  isAwake(endpoint: string): boolean;
  queuedRequests(endpoint: string): number;
  /** the core's clock (ms), for `state` */
  now(): number;
}

/** What a registration's JSON carries beside its summary. */
export interface RegistrationJsonOptions {
  /** the registered objects and instances (default true; the device list leaves them out unless asked) */
  objects?: boolean;
  /** the registration id, a secret of the device (its Update and De-register address): for write-scoped callers only */
  registrationId: boolean;
}

/** `lastSeen`: ms of the latest message known from the device (defaults to the latest Register/Update). */
export function registrationJson(reg: Registration, view: RegistrationView, lastSeen: number | undefined, o: RegistrationJsonOptions): Record<string, Json> {
  const seen = lastSeen ?? reg.lastUpdateAt;
  const objects: Json[] | undefined =
    o.objects === false ? undefined : [...reg.objects].sort(([a], [b]) => a - b).map(([id, x]) => ({ id, version: x.version, instances: x.instances }));
  return {
    endpoint: reg.endpoint,
    ...(o.registrationId ? { registrationId: reg.id } : {}),
    version: reg.version,
    binding: reg.binding,
    lifetime: reg.lifetime,
    queueMode: reg.queueMode,
    awake: reg.queueMode ? view.isAwake(reg.endpoint) : true,
    state: deviceState(reg, view),
    queuedRequests: view.queuedRequests(reg.endpoint),
    ...(reg.smsNumber !== undefined ? { smsNumber: reg.smsNumber } : {}),
    rootPath: reg.rootPath,
    contentFormats: reg.contentFormats,
    ...(objects ? { objects } : {}),
    address: { transport: reg.peer.transport, address: reg.peer.address, port: reg.peer.port },
    registeredAt: new Date(reg.registeredAt).toISOString(),
    lastUpdateAt: new Date(reg.lastUpdateAt).toISOString(),
    lastSeen: new Date(Math.max(seen, reg.lastUpdateAt)).toISOString(),
    expiresAt: new Date(reg.expiresAt).toISOString(),
    extra: reg.extra,
  };
}

/** valueNode with its BAD_REQUEST turned into a 400 BAD_VALUE problem. */
export function inputNode(ctx: ValueContext, reg: Registration, path: LwM2mPath, value: unknown): LwM2mNode {
  try {
    return valueNode(ctx, reg, path, value);
  } catch (e) {
    if (e instanceof OperationError) throw new ProblemError('BAD_VALUE', e.message);
    throw e;
  }
}

/** The instance for a Create at `/o`: `value` is `{ rid: value }`; `instanceId` optional (the device picks). */
export function createNode(ctx: ValueContext, reg: Registration, objectId: number, instanceId: number | undefined, value: unknown): ObjectInstanceNode {
  const node = inputNode(ctx, reg, LwM2mPath.of(objectId, instanceId ?? 0), value);
  if (node.kind !== 'instance') throw new ProblemError('BAD_VALUE', 'an instance needs an object of resource id -> value');
  return { ...node, id: instanceId };
}
