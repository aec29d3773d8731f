/**
 * The generic topic API's downlink commands: a JSON payload `{ reqID, msgType, data }`
 * turned into a typed operation request. Pure: values are typed by the object model of
 * the device's registration (or by the `type` the command gives for resources the model
 * does not know). Every failure is a {@link CommandError} with a message for the
 * response; nothing else is thrown.
 */
import { LwM2mPath } from '../../lwm2m/path.js';
import type { LwM2mNode, ObjectInstanceNode, ResourceNode, Value } from '../../lwm2m/node.js';
import { OperationError, typedValue, valueNode, type ValueContext } from '../../lwm2m/server/index.js';
import type { Attributes, OperationRequest, Registration } from '../../lwm2m/server/types.js';
import { valueType } from './json-values.js';
import { BOOTSTRAP_TRIGGER_RESOURCE, bootstrapTriggerPath } from '../../lwm2m/bootstrap/index.js';

export const MSG_TYPES = ['read', 'discover', 'write', 'write-attr', 'execute', 'create', 'delete', 'observe', 'cancel-observe', 'bootstrap'] as const;
export type MsgType = (typeof MSG_TYPES)[number];

/** the longest string reqID (it is echoed in every response) */
export const MAX_REQ_ID = 256;

export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface ParsedCommand {
  /** as the command gave it: a number or a string (a command without one is refused) */
  reqID: number | string;
  msgType: MsgType;
  /** the `path` or `basePath` of the command, echoed as `reqPath` */
  reqPath: string;
  request: OperationRequest;
}

/** What could be read of a command that failed, to address the error response. */
export interface FailedCommand {
  /** undefined when absent or unusable */
  reqID: number | string | undefined;
  msgType: string | undefined;
  reqPath: string | undefined;
  error: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function path(v: unknown, field: string, minDepth = 1): LwM2mPath {
  if (typeof v !== 'string' && typeof v !== 'number') throw new CommandError(`data.${field} is missing (a path like "/3/0/1")`);
  let p: LwM2mPath;
  try {
    p = LwM2mPath.parse(String(v));
  } catch (e) {
    throw new CommandError(`data.${field}: ${(e as Error).message}`);
  }
  if (p.depth < minDepth) throw new CommandError(`data.${field} "${String(v)}" is too short here`);
  return p;
}

/** `basePath` + `path`: a path that already starts with the base is taken as is. */
function joined(base: LwM2mPath, rel: unknown, i: number): LwM2mPath {
  if (typeof rel !== 'string' && typeof rel !== 'number') throw new CommandError(`data.content[${i}].path is missing`);
  const text = String(rel).trim();
  let p: LwM2mPath;
  try {
    const abs = LwM2mPath.parse(text);
    p = text.startsWith('/') && abs.depth > base.depth && base.ids().every((id, k) => abs.ids()[k] === id) ? abs : LwM2mPath.parse(`${base.toString()}/${text.replace(/^\/+/, '')}`);
  } catch (e) {
    throw new CommandError(`data.content[${i}].path: ${(e as Error).message}`);
  }
  return p;
}

/** A node for `value` at `p`: typed by the model, else by the command's `type`, else guessed from the JSON. */
function nodeAt(ctx: ValueContext, reg: Registration | undefined, p: LwM2mPath, value: unknown, typeName: unknown): LwM2mNode {
  if (value === undefined) throw new CommandError(`${p.toString()}: no value`);
  const known = p.resourceId !== undefined && p.objectId !== undefined ? ctx.models.getResource(p.objectId, p.resourceId, reg?.objects.get(p.objectId)?.version) : undefined;
  const type = valueType(typeName);
  if (!known && type && p.resourceId !== undefined && !isObj(value)) {
    const v: Value = typedValue(type, value, p.toString());
    return p.resourceInstanceId !== undefined
      ? { kind: 'resourceInstance', id: p.resourceInstanceId, type, value: v, unknown: true }
      : { kind: 'resource', id: p.resourceId, type, value: v, unknown: true };
  }
  return valueNode(ctx, reg, p, value);
}

/** The items of `content`, as resource nodes of one instance (resource instances merged into their resource). */
function instanceNode(ctx: ValueContext, reg: Registration | undefined, base: LwM2mPath, content: unknown, create: boolean): { at: LwM2mPath; instance: ObjectInstanceNode } {
  if (!Array.isArray(content) || content.length === 0) throw new CommandError('data.content must be a non-empty list of { path, value }');
  let objectId: number | undefined;
  let instanceId: number | undefined;
  let first = true;
  const resources = new Map<number, ResourceNode>();
  content.forEach((item, i) => {
    if (!isObj(item)) throw new CommandError(`data.content[${i}] must be an object { path, value }`);
    let p = joined(base, item.path, i);
    // create on "/3303" with "5700": the client picks the instance (typed as instance 0)
    let inst: number | undefined = p.instanceId;
    if (create && p.depth === 2 && base.depth === 1) {
      inst = undefined;
      p = LwM2mPath.of(p.objectId!, 0, p.instanceId!);
    }
    if (p.depth < 3) throw new CommandError(`data.content[${i}].path ${p.toString()} must name a resource`);
    if (first) [objectId, instanceId, first] = [p.objectId, inst, false];
    else if (p.objectId !== objectId || inst !== instanceId) throw new CommandError(`data.content[${i}].path ${p.toString()} is not in the same object instance as the others`);
    const node = nodeAt(ctx, reg, p, item.value, item.type);
    if (node.kind === 'resourceInstance') {
      const prev = resources.get(p.resourceId!);
      const multi = prev?.kind === 'multiResource' ? prev : { kind: 'multiResource' as const, id: p.resourceId!, type: node.type, instances: new Map() };
      multi.instances.set(node.id, node);
      resources.set(multi.id, multi);
    } else if (node.kind === 'resource' || node.kind === 'multiResource') resources.set(node.id, node);
  });
  return { at: instanceId === undefined ? LwM2mPath.of(objectId!) : LwM2mPath.of(objectId!, instanceId), instance: { kind: 'instance', id: instanceId, resources } };
}

const ATTRS = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax'] as const;

function attributes(data: Obj): Attributes {
  const out: Attributes = {};
  for (const name of ATTRS) {
    const v = data[name];
    if (v === undefined) continue;
    if (v === null || v === '') {
      out[name] = null;
      continue;
    }
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new CommandError(`data.${name} must be a number`);
    out[name] = n;
  }
  if (Object.keys(out).length === 0) throw new CommandError(`write-attr needs at least one of ${ATTRS.join(', ')}`);
  return out;
}

function build(ctx: ValueContext, reg: Registration | undefined, msgType: MsgType, data: Obj): { reqPath: string; request: OperationRequest } {
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  switch (msgType) {
    case 'read':
      return { reqPath: text(data.path), request: { op: 'read', path: path(data.path, 'path') } };
    case 'discover':
      return { reqPath: text(data.path), request: { op: 'discover', path: path(data.path, 'path') } };
    case 'observe':
      return { reqPath: text(data.path), request: { op: 'observe', path: path(data.path, 'path') } };
    case 'cancel-observe':
      return { reqPath: text(data.path), request: { op: 'cancelObserve', path: path(data.path, 'path') } };
    case 'delete':
      return { reqPath: text(data.path), request: { op: 'delete', path: path(data.path, 'path') } };
    case 'write-attr':
      return { reqPath: text(data.path), request: { op: 'writeAttributes', path: path(data.path, 'path'), attributes: attributes(data) } };
    case 'execute': {
      const p = path(data.path, 'path', 3);
      if (data.args !== undefined && data.args !== null && typeof data.args !== 'string' && typeof data.args !== 'number') throw new CommandError('data.args must be a string');
      const args = data.args === undefined || data.args === null || data.args === '' ? undefined : String(data.args);
      return { reqPath: text(data.path), request: args === undefined ? { op: 'execute', path: p } : { op: 'execute', path: p, args } };
    }
    case 'bootstrap': {
      // server-initiated bootstrap: execute the Bootstrap-Request Trigger (/1/x/9)
      const instance = data.instance;
      if (instance !== undefined && typeof instance !== 'number') throw new CommandError('data.instance must be a Server object instance id');
      const p = reg ? bootstrapTriggerPath(reg, instance) : LwM2mPath.of(1, instance ?? 0, BOOTSTRAP_TRIGGER_RESOURCE);
      if (typeof p === 'string') throw new CommandError(`data.instance: ${p}`);
      return { reqPath: p.toString(), request: { op: 'execute', path: p } };
    }
    case 'write': {
      if (data.basePath !== undefined) {
        const base = path(data.basePath, 'basePath');
        const { at, instance } = instanceNode(ctx, reg, base, data.content, false);
        return { reqPath: text(data.basePath), request: { op: 'write', path: at, node: instance, partial: true } };
      }
      const p = path(data.path, 'path', 3);
      return { reqPath: text(data.path), request: { op: 'write', path: p, node: nodeAt(ctx, reg, p, data.value, data.type) } };
    }
    case 'create': {
      const base = path(data.basePath ?? data.path, 'basePath');
      if (base.depth !== 1) throw new CommandError('data.basePath of a create must be an object, e.g. "/3303"');
      const { at, instance } = instanceNode(ctx, reg, base, data.content, true);
      return { reqPath: text(data.basePath ?? data.path), request: { op: 'create', path: LwM2mPath.of(at.objectId!), instance } };
    }
  }
}

/** Reads the command; never throws. */
export function parseCommand(payload: Buffer | string, ctx: ValueContext, registrationOf: () => Registration | undefined): { ok: true; command: ParsedCommand } | { ok: false; failed: FailedCommand } {
  let reqID: number | string | undefined;
  let msgType: string | undefined;
  let reqPath: string | undefined;
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch {
      throw new CommandError('the payload is not JSON');
    }
    if (!isObj(parsed)) throw new CommandError('the payload must be a JSON object { reqID, msgType, data }');
    // echoed in the response: only when short (a known msgType is at most 14 characters)
    if (typeof parsed.msgType === 'string' && parsed.msgType.length <= 32) msgType = parsed.msgType;
    else if (parsed.msgType !== undefined) throw new CommandError(`unknown msgType (one of ${MSG_TYPES.join(', ')})`);
    const data = parsed.data;
    if (isObj(data)) {
      const p = data.path ?? data.basePath;
      if ((typeof p === 'string' && p.length <= MAX_REQ_ID) || typeof p === 'number') reqPath = String(p);
    }
    // without a reqID the response could not be told from another one: refused, not executed
    const id = parsed.reqID;
    if (id === undefined || id === null) throw new CommandError('reqID is missing (a number or a string, echoed in the response)');
    if (!(typeof id === 'number' && Number.isFinite(id)) && !(typeof id === 'string' && id.length > 0 && id.length <= MAX_REQ_ID)) {
      throw new CommandError(`reqID must be a number or a string of 1 to ${MAX_REQ_ID} characters`);
    }
    reqID = id;
    if (msgType === undefined) throw new CommandError('msgType is missing');
    if (!(MSG_TYPES as readonly string[]).includes(msgType)) throw new CommandError(`unknown msgType ${JSON.stringify(msgType)} (one of ${MSG_TYPES.join(', ')})`);
    if (!isObj(data)) throw new CommandError('data must be a JSON object');
    const built = build(ctx, registrationOf(), msgType as MsgType, data);
    return { ok: true, command: { reqID, msgType: msgType as MsgType, ...built } };
  } catch (e) {
    const error = e instanceof CommandError || e instanceof OperationError ? e.message : `unexpected: ${(e as Error)?.message ?? String(e)}`;
    return { ok: false, failed: { reqID, msgType, reqPath, error } };
  }
}
