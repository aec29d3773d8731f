/**
 * OMA TLV (content format 11542, legacy 1542): object, object instance, resource,
 * multiple-instance resource and resource-instance levels.
 *
 * Writing follows the spec's shapes: an object is a list of object-instance entries; an
 * instance at /o/i is its resources without a wrapper (at /o, for a Create, it is wrapped
 * when it has an id); a multi-instance resource is always a multiple-resource entry.
 *
 * Reading is lenient about wrappers real clients add or omit: a resource or resource
 * instance answered inside an object-instance (and multiple-resource) wrapper; an object
 * read answered without the instance wrapper (taken as instance 0); a multi-instance
 * resource answered as bare resource instances. Ids named by the path must match
 * (PATH_MISMATCH). Values are typed from the model; a resource the model does not know is
 * kept as opaque bytes, flagged `unknown`.
 */
import type { LwM2mPath } from '../path.js';
import type {
  LwM2mNode,
  MultiResourceNode,
  ObjectInstanceNode,
  ObjectNode,
  ResourceInstanceNode,
  ResourceNode,
  SingleResourceNode,
} from '../node.js';
import type { ResourceType } from '../model/types.js';
import { CodecError, ContentFormat, resourceModel, type CodecContext, type NodeCodec } from './codec.js';
import { KIND_NAMES, TlvKind, parseTlv, writeTlv, type TlvEntry, type TlvOut } from './tlv-format.js';
import { decodeTlvValue, encodeTlvValue } from './tlv-values.js';
import { checkPayloadSize } from './plain-values.js';

// ---------------------------------------------------------------- encode

function resourceOut(r: ResourceNode): TlvOut {
  if (r.kind === 'resource') return { kind: TlvKind.RESOURCE, id: r.id, value: encodeTlvValue(r.type, r.value) };
  if (r.kind !== 'multiResource') throw new CodecError('BAD_NESTING', `a ${(r as LwM2mNode).kind} node where a resource belongs`);
  const children: TlvOut[] = [];
  for (const [key, ri] of r.instances) {
    if (ri.id !== key) throw new CodecError('PATH_MISMATCH', `resource instance ${ri.id} stored under ${key}`);
    children.push(resourceInstanceOut(ri));
  }
  return { kind: TlvKind.MULTIPLE_RESOURCE, id: r.id, children };
}

function resourceInstanceOut(ri: ResourceInstanceNode): TlvOut {
  return { kind: TlvKind.RESOURCE_INSTANCE, id: ri.id, value: encodeTlvValue(ri.type, ri.value) };
}

function resourcesOut(inst: ObjectInstanceNode): TlvOut[] {
  const out: TlvOut[] = [];
  for (const [key, r] of inst.resources) {
    if (r.id !== key) throw new CodecError('PATH_MISMATCH', `resource ${r.id} stored under ${key}`);
    out.push(resourceOut(r));
  }
  return out;
}

function instanceOut(inst: ObjectInstanceNode): TlvOut {
  if (inst.id === undefined) throw new CodecError('BAD_NESTING', 'an object instance without id inside an object');
  return { kind: TlvKind.OBJECT_INSTANCE, id: inst.id, children: resourcesOut(inst) };
}

function idsMatch(path: LwM2mPath, node: LwM2mNode): void {
  const want =
    node.kind === 'object'
      ? path.objectId
      : node.kind === 'instance'
        ? path.instanceId
        : node.kind === 'resourceInstance'
          ? path.resourceInstanceId
          : path.resourceId;
  if (node.id !== undefined && want !== undefined && node.id !== want) {
    throw new CodecError('PATH_MISMATCH', `${node.kind} ${node.id} does not match ${path.toString()}`);
  }
}

function encodeAt(path: LwM2mPath, node: LwM2mNode): TlvOut[] {
  const depth = path.depth;
  const misplaced = (): CodecError => new CodecError('BAD_NESTING', `a ${node.kind} node cannot sit at ${path.toString()}`);
  switch (node.kind) {
    case 'object':
      if (depth !== 1) throw misplaced();
      idsMatch(path, node);
      return [...node.instances].map(([key, inst]) => {
        if (inst.id !== key) throw new CodecError('PATH_MISMATCH', `instance ${String(inst.id)} stored under ${key}`);
        return instanceOut(inst);
      });
    case 'instance':
      if (depth === 1) return node.id === undefined ? resourcesOut(node) : [instanceOut(node)];
      if (depth !== 2) throw misplaced();
      idsMatch(path, node);
      return resourcesOut(node);
    case 'resource':
    case 'multiResource':
      if (depth !== 3) throw misplaced();
      idsMatch(path, node);
      return [resourceOut(node)];
    case 'resourceInstance':
      if (depth !== 4) throw misplaced();
      idsMatch(path, node);
      return [resourceInstanceOut(node)];
  }
}

// ---------------------------------------------------------------- decode

type Leaf = Extract<TlvEntry, { value: Uint8Array }>;
type Container = Extract<TlvEntry, { children: TlvEntry[] }>;

interface Typing {
  type: ResourceType;
  unknown: boolean;
}

function typing(ctx: CodecContext, objectId: number, resourceId: number): Typing {
  const rm = resourceModel(ctx, objectId, resourceId);
  return rm ? { type: rm.type, unknown: false } : { type: 'opaque', unknown: true };
}

function flag<T extends ResourceNode | ResourceInstanceNode>(node: T, t: Typing): T {
  if (t.unknown) node.unknown = true;
  return node;
}

function resourceInstanceNode(e: Leaf, t: Typing): ResourceInstanceNode {
  return flag({ kind: 'resourceInstance', id: e.id, type: t.type, value: decodeTlvValue(t.type, e.value) }, t);
}

function multiNode(id: number, ris: readonly TlvEntry[], t: Typing): MultiResourceNode {
  const instances = new Map<number, ResourceInstanceNode>();
  for (const e of ris) {
    if (e.kind !== TlvKind.RESOURCE_INSTANCE) throw new CodecError('BAD_NESTING', `TLV ${KIND_NAMES[e.kind]} ${e.id} inside resource ${id}`);
    if (instances.has(e.id)) throw new CodecError('MALFORMED', `resource instance ${e.id} twice in resource ${id}`);
    instances.set(e.id, resourceInstanceNode(e, t));
  }
  return flag({ kind: 'multiResource', id, type: t.type, instances }, t);
}

function resourceNode(objectId: number, e: TlvEntry, ctx: CodecContext): ResourceNode {
  const t = typing(ctx, objectId, e.id);
  if (e.kind === TlvKind.MULTIPLE_RESOURCE) return multiNode(e.id, e.children, t);
  if (e.kind === TlvKind.RESOURCE) {
    const node: SingleResourceNode = { kind: 'resource', id: e.id, type: t.type, value: decodeTlvValue(t.type, e.value) };
    return flag(node, t);
  }
  throw new CodecError('BAD_NESTING', `TLV ${KIND_NAMES[e.kind]} ${e.id} where a resource belongs`);
}

function instanceNode(objectId: number, id: number, entries: readonly TlvEntry[], ctx: CodecContext): ObjectInstanceNode {
  const resources = new Map<number, ResourceNode>();
  for (const e of entries) {
    if (resources.has(e.id)) throw new CodecError('MALFORMED', `resource ${e.id} twice in instance ${id}`);
    resources.set(e.id, resourceNode(objectId, e, ctx));
  }
  return { kind: 'instance', id, resources };
}

function isContainer(e: TlvEntry): e is Container {
  return e.kind === TlvKind.OBJECT_INSTANCE || e.kind === TlvKind.MULTIPLE_RESOURCE;
}

/** Removes a single wrapper of `kind` whose id must be `id`. */
function unwrap(entries: TlvEntry[], kind: TlvKind, id: number, what: string): TlvEntry[] {
  const only = entries.length === 1 ? entries[0] : undefined;
  if (!only || only.kind !== kind || !isContainer(only)) return entries;
  if (only.id !== id) throw new CodecError('PATH_MISMATCH', `TLV ${what} ${only.id} where ${id} was asked`);
  return only.children;
}

function decodeObject(path: LwM2mPath, entries: TlvEntry[], ctx: CodecContext): ObjectNode {
  const objectId = path.objectId as number;
  const instances = new Map<number, ObjectInstanceNode>();
  const wrapped = entries.filter((e) => e.kind === TlvKind.OBJECT_INSTANCE).length;
  if (wrapped > 0 && wrapped < entries.length) throw new CodecError('BAD_NESTING', 'TLV object mixes instances with other entries');
  if (wrapped === 0 && entries.length > 0) {
    // lenient: a client that left out the instance wrapper holds a single instance 0
    instances.set(0, instanceNode(objectId, 0, entries, ctx));
  }
  for (const e of entries) {
    if (e.kind !== TlvKind.OBJECT_INSTANCE) continue;
    if (instances.has(e.id)) throw new CodecError('MALFORMED', `object instance ${e.id} twice`);
    instances.set(e.id, instanceNode(objectId, e.id, e.children, ctx));
  }
  return { kind: 'object', id: objectId, instances };
}

function decodeResource(path: LwM2mPath, entries: TlvEntry[], ctx: CodecContext): ResourceNode {
  const objectId = path.objectId as number;
  const rid = path.resourceId as number;
  const inner = unwrap(entries, TlvKind.OBJECT_INSTANCE, path.instanceId as number, 'object instance');
  const t = typing(ctx, objectId, rid);
  if (inner.length > 0 && inner.every((e) => e.kind === TlvKind.RESOURCE_INSTANCE)) {
    return multiNode(rid, inner, t); // lenient: resource instances without their wrapper
  }
  if (inner.length === 0) {
    if (resourceModel(ctx, objectId, rid)?.multiple) return multiNode(rid, [], t);
    throw new CodecError('TRUNCATED', `empty TLV payload for resource ${path.toString()}`);
  }
  const only = inner[0] as TlvEntry;
  if (inner.length > 1) throw new CodecError('BAD_NESTING', `${inner.length} TLV entries where resource ${path.toString()} was asked`);
  if (only.id !== rid) throw new CodecError('PATH_MISMATCH', `TLV ${KIND_NAMES[only.kind]} ${only.id} where resource ${rid} was asked`);
  return resourceNode(objectId, only, ctx);
}

function decodeResourceInstance(path: LwM2mPath, entries: TlvEntry[], ctx: CodecContext): ResourceInstanceNode {
  const rid = path.resourceId as number;
  const riid = path.resourceInstanceId as number;
  let inner = unwrap(entries, TlvKind.OBJECT_INSTANCE, path.instanceId as number, 'object instance');
  inner = unwrap(inner, TlvKind.MULTIPLE_RESOURCE, rid, 'resource');
  const only = inner[0];
  if (!only) throw new CodecError('TRUNCATED', `empty TLV payload for resource instance ${path.toString()}`);
  if (inner.length > 1) throw new CodecError('BAD_NESTING', `${inner.length} TLV entries where ${path.toString()} was asked`);
  if (only.kind !== TlvKind.RESOURCE_INSTANCE) throw new CodecError('BAD_NESTING', `TLV ${KIND_NAMES[only.kind]} where a resource instance belongs`);
  if (only.id !== riid) throw new CodecError('PATH_MISMATCH', `TLV resource instance ${only.id} where ${riid} was asked`);
  return resourceInstanceNode(only, typing(ctx, path.objectId as number, rid));
}

export const tlvCodec: NodeCodec = {
  formats: [ContentFormat.TLV, ContentFormat.OLD_TLV],
  name: 'tlv',

  encode(path: LwM2mPath, node: LwM2mNode, _ctx: CodecContext): Uint8Array {
    if (path.depth === 0) throw new CodecError('UNSUPPORTED', 'TLV cannot carry the root path');
    return writeTlv(encodeAt(path, node));
  },

  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode {
    if (path.depth === 0) throw new CodecError('UNSUPPORTED', 'TLV cannot carry the root path');
    checkPayloadSize(payload, ctx);
    const entries = parseTlv(payload, ctx.limits);
    switch (path.depth) {
      case 1:
        return decodeObject(path, entries, ctx);
      case 2: {
        const iid = path.instanceId as number;
        const inner = unwrap(entries, TlvKind.OBJECT_INSTANCE, iid, 'object instance');
        return instanceNode(path.objectId as number, iid, inner, ctx);
      }
      case 3:
        return decodeResource(path, entries, ctx);
      default:
        return decodeResourceInstance(path, entries, ctx);
    }
  },
};
