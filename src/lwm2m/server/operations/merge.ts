/**
 * Values of several timestamps (SenML / LwM2M CBOR records with `t`) folded into one
 * node: for each resource (instance) the value of its latest record. Records are given
 * oldest first, so later ones overwrite earlier ones. Inputs are never mutated.
 */
import { LwM2mPath } from '../../path.js';
import type {
  LwM2mNode,
  MultiResourceNode,
  ObjectInstanceNode,
  ObjectNode,
  ResourceInstanceNode,
  ResourceNode,
  TimestampedNodes,
} from '../../node.js';

type Tree = Map<number, Map<number, Map<number, ResourceNode>>>;

function instanceMap(tree: Tree, o: number, i: number): Map<number, ResourceNode> {
  let insts = tree.get(o);
  if (!insts) {
    insts = new Map();
    tree.set(o, insts);
  }
  let res = insts.get(i);
  if (!res) {
    res = new Map();
    insts.set(i, res);
  }
  return res;
}

function setResource(tree: Tree, o: number, i: number, node: ResourceNode): void {
  const res = instanceMap(tree, o, i);
  if (node.kind === 'resource') {
    res.set(node.id, node);
    return;
  }
  const prev = res.get(node.id);
  const instances = new Map(prev && prev.kind === 'multiResource' ? prev.instances : []);
  for (const [k, v] of node.instances) instances.set(k, v);
  res.set(node.id, { ...node, instances });
}

function setResourceInstance(tree: Tree, o: number, i: number, r: number, node: ResourceInstanceNode): void {
  const res = instanceMap(tree, o, i);
  const prev = res.get(r);
  const instances = new Map(prev && prev.kind === 'multiResource' ? prev.instances : []);
  instances.set(node.id, node);
  const multi: MultiResourceNode = { kind: 'multiResource', id: r, type: node.type, instances };
  if (prev?.unknown || node.unknown) multi.unknown = true;
  res.set(r, multi);
}

function addInstance(tree: Tree, o: number, inst: ObjectInstanceNode, fallbackId: number | undefined): void {
  const id = inst.id ?? fallbackId;
  if (id === undefined) return;
  instanceMap(tree, o, id);
  for (const r of inst.resources.values()) setResource(tree, o, id, r);
}

function add(tree: Tree, pathText: string, node: LwM2mNode): void {
  let p: LwM2mPath;
  try {
    p = LwM2mPath.parse(pathText);
  } catch {
    return;
  }
  const { objectId: o, instanceId: i, resourceId: r } = p;
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances.values()) addInstance(tree, node.id, inst, undefined);
      return;
    case 'instance':
      if (o !== undefined) addInstance(tree, o, node, i);
      return;
    case 'resource':
    case 'multiResource':
      if (o !== undefined && i !== undefined) setResource(tree, o, i, node);
      return;
    case 'resourceInstance':
      if (o !== undefined && i !== undefined && r !== undefined) setResourceInstance(tree, o, i, r, node);
      return;
  }
}

function buildInstance(id: number, res: Map<number, ResourceNode>): ObjectInstanceNode {
  return { kind: 'instance', id, resources: new Map(res) };
}

/** Folds every entry (oldest first) and returns the node at `path`; undefined if nothing lies there. */
export function latestAt(path: LwM2mPath, entries: readonly TimestampedNodes[]): LwM2mNode | undefined {
  const tree: Tree = new Map();
  for (const e of entries) for (const [p, n] of e.nodes) add(tree, p, n);
  const { objectId: o, instanceId: i, resourceId: r, resourceInstanceId: ri } = path;
  if (o === undefined) return undefined;
  const insts = tree.get(o);
  if (!insts) return undefined;
  if (i === undefined) {
    const obj: ObjectNode = { kind: 'object', id: o, instances: new Map() };
    for (const [id, res] of insts) obj.instances.set(id, buildInstance(id, res));
    return obj;
  }
  const res = insts.get(i);
  if (!res) return undefined;
  if (r === undefined) return buildInstance(i, res);
  const rn = res.get(r);
  if (!rn || ri === undefined) return rn;
  return rn.kind === 'multiResource' ? rn.instances.get(ri) : undefined;
}

/** true when the entries say more than "one set of values, now". */
export function hasHistory(entries: readonly TimestampedNodes[]): boolean {
  return entries.length > 1 || (entries.length === 1 && entries[0]?.time !== undefined);
}
