/**
 * SenML records <-> node trees. Records are flat (one value per resource or resource
 * instance, named by full path); nodes nest object > instance > resource > instance.
 */
import { LwM2mPath } from '../path.js';
import type {
  LwM2mNode,
  MultiResourceNode,
  ObjectInstanceNode,
  ObjectNode,
  ResourceInstanceNode,
  ResourceNode,
  SingleResourceNode,
} from '../node.js';
import { CodecError, resourceModel, type CodecContext } from './codec.js';
import type { RawValue, ResolvedRecord } from './senml-records.js';
import { fromTyped, toTyped, type TypedValue } from './senml-values.js';

/** A record with a value at a resource (depth 3) or resource-instance (depth 4) path. */
export interface TypedEntry {
  path: LwM2mPath;
  key: string;
  tv: TypedValue;
  time: number | undefined;
  index: number;
}

/** Types a record that carries a value; records naming objects or instances cannot carry one. */
export function typeRecord(rec: ResolvedRecord & { value: RawValue }, ctx: CodecContext): TypedEntry {
  const p = rec.path;
  if (p.depth < 3) throw new CodecError('BAD_NESTING', `a value is given for ${p.toString()}, which is not a resource`);
  const tv = toTyped(rec.value, resourceModel(ctx, p.objectId, p.resourceId));
  return { path: p, key: p.toString(), tv, time: rec.time, index: rec.index };
}

export function typeRecords(records: readonly ResolvedRecord[], ctx: CodecContext): TypedEntry[] {
  const out: TypedEntry[] = [];
  for (const r of records) if (r.value !== undefined) out.push(typeRecord(r as ResolvedRecord & { value: RawValue }, ctx));
  return out;
}

/** One entry per path: the newest (a record without time counts as newest), later records winning ties. */
export function latestPerPath(entries: readonly TypedEntry[]): TypedEntry[] {
  const best = new Map<string, TypedEntry>();
  const rank = (t: number | undefined): number => (t === undefined ? Infinity : t);
  for (const e of entries) {
    const cur = best.get(e.key);
    if (!cur || rank(e.time) >= rank(cur.time)) best.set(e.key, e);
  }
  return [...best.values()].sort((a, b) => a.index - b.index);
}

export function leafNode(e: TypedEntry): SingleResourceNode | ResourceInstanceNode {
  const id = e.path.depth === 4 ? (e.path.resourceInstanceId as number) : (e.path.resourceId as number);
  const kind = e.path.depth === 4 ? 'resourceInstance' : 'resource';
  const n: SingleResourceNode | ResourceInstanceNode = { kind, id, type: e.tv.type, value: e.tv.value } as SingleResourceNode | ResourceInstanceNode;
  if (e.tv.unknown) n.unknown = true;
  return n;
}

interface ResourceSlot {
  single?: TypedEntry;
  instances?: Map<number, TypedEntry>;
}

function resourceNode(oid: number, rid: number, slot: ResourceSlot | undefined, ctx: CodecContext, where: string): ResourceNode {
  const rm = resourceModel(ctx, oid, rid);
  if (slot?.single) return leafNode(slot.single) as SingleResourceNode;
  if (!slot?.instances) {
    if (rm?.multiple) return { kind: 'multiResource', id: rid, type: rm.type, instances: new Map() };
    throw new CodecError('MALFORMED', `no value for ${where}`);
  }
  const instances = new Map<number, ResourceInstanceNode>();
  let unknown = false;
  for (const [riid, e] of slot.instances) {
    instances.set(riid, leafNode(e) as ResourceInstanceNode);
    if (e.tv.unknown) unknown = true;
  }
  const first = slot.instances.values().next().value as TypedEntry;
  const type = rm && rm.type !== 'none' ? rm.type : first.tv.type;
  const node: MultiResourceNode = { kind: 'multiResource', id: rid, type, instances };
  if (unknown) node.unknown = true;
  return node;
}

type InstanceSlots = Map<number, ResourceSlot>;

/** Builds the node at `base` from entries that all lie under it (one entry per path). */
export function buildNode(base: LwM2mPath, entries: readonly TypedEntry[], ctx: CodecContext): LwM2mNode {
  if (base.isRoot()) throw new CodecError('UNSUPPORTED', 'a node tree cannot sit at the root path');
  const tree = new Map<number, Map<number, InstanceSlots>>();
  for (const e of entries) {
    const [o, i, r, ri] = e.path.ids() as [number, number, number, number | undefined];
    let insts = tree.get(o);
    if (!insts) tree.set(o, (insts = new Map()));
    let res = insts.get(i);
    if (!res) insts.set(i, (res = new Map()));
    let slot = res.get(r);
    if (!slot) res.set(r, (slot = {}));
    if (ri === undefined) {
      if (slot.instances) throw new CodecError('BAD_NESTING', `${e.key} is given both as a single and a multiple resource`);
      slot.single = e;
    } else {
      if (slot.single) throw new CodecError('BAD_NESTING', `${e.key} is given both as a single and a multiple resource`);
      if (!slot.instances) slot.instances = new Map();
      slot.instances.set(ri, e);
    }
  }
  const oid = base.objectId as number;
  const instanceNode = (iid: number, slots: InstanceSlots | undefined): ObjectInstanceNode => {
    const resources = new Map<number, ResourceNode>();
    for (const [rid, slot] of slots ?? []) resources.set(rid, resourceNode(oid, rid, slot, ctx, `/${oid}/${iid}/${rid}`));
    return { kind: 'instance', id: iid, resources };
  };
  const insts = tree.get(oid);
  switch (base.depth) {
    case 1: {
      const instances = new Map<number, ObjectInstanceNode>();
      for (const [iid, slots] of insts ?? []) instances.set(iid, instanceNode(iid, slots));
      const node: ObjectNode = { kind: 'object', id: oid, instances };
      return node;
    }
    case 2:
      return instanceNode(base.instanceId as number, insts?.get(base.instanceId as number));
    case 3: {
      const slot = insts?.get(base.instanceId as number)?.get(base.resourceId as number);
      return resourceNode(oid, base.resourceId as number, slot, ctx, base.toString());
    }
    default: {
      const e = entries.find((x) => x.path.depth === 4);
      if (!e) throw new CodecError('MALFORMED', `no value for ${base.toString()}`);
      return leafNode(e);
    }
  }
}

// ---- nodes -> flat entries ----

export interface FlatEntry {
  path: LwM2mPath;
  value: RawValue;
}

const DEPTH: Record<LwM2mNode['kind'], number> = { object: 1, instance: 2, resource: 3, multiResource: 3, resourceInstance: 4 };

function checkId(path: LwM2mPath, id: number | undefined, actual: number | undefined): void {
  if (id !== undefined && id !== actual) {
    throw new CodecError('PATH_MISMATCH', `node id ${id} does not match path ${path.toString()}`);
  }
}

function pushValue(path: LwM2mPath, node: SingleResourceNode | ResourceInstanceNode, out: FlatEntry[]): void {
  const value = fromTyped(node.type, node.value);
  if (value !== undefined) out.push({ path, value });
}

/** The records of `node` at `path`, in tree order. An instance may sit at an object path if it has an id. */
export function flatten(path: LwM2mPath, node: LwM2mNode, out: FlatEntry[] = []): FlatEntry[] {
  if (node.kind === 'instance' && path.depth === 1) {
    if (node.id === undefined) throw new CodecError('UNSUPPORTED', 'SenML cannot carry an object instance without id');
    return flatten(path.child(node.id), node, out);
  }
  if (DEPTH[node.kind] !== path.depth) {
    throw new CodecError('BAD_NESTING', `a ${node.kind} node cannot sit at ${path.toString()}`);
  }
  switch (node.kind) {
    case 'object':
      checkId(path, node.id, path.objectId);
      for (const [key, inst] of node.instances) flatten(path.child(inst.id ?? key), { ...inst, id: inst.id ?? key }, out);
      break;
    case 'instance':
      checkId(path, node.id, path.instanceId);
      for (const res of node.resources.values()) flatten(path.child(res.id), res, out);
      break;
    case 'multiResource':
      checkId(path, node.id, path.resourceId);
      for (const ri of node.instances.values()) pushValue(path.child(ri.id), ri, out);
      break;
    case 'resource':
      checkId(path, node.id, path.resourceId);
      pushValue(path, node, out);
      break;
    case 'resourceInstance':
      checkId(path, node.id, path.resourceInstanceId);
      pushValue(path, node, out);
      break;
  }
  return out;
}

/** The name of `p` relative to `base` ("6/0" for /3/0/6/0 under /3/0). */
export function relativeName(p: LwM2mPath, base: LwM2mPath): string {
  return p.ids().slice(base.depth).join('/');
}

/** Parses a map key given by a caller (a path string); a bad one is the caller's error. */
export function keyToPath(key: string): LwM2mPath {
  try {
    return LwM2mPath.parse(key);
  } catch {
    throw new CodecError('PATH_MISMATCH', `"${String(key).slice(0, 64)}" is not an LwM2M path`);
  }
}
