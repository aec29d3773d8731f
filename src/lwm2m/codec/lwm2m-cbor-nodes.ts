/**
 * LwM2M CBOR entries <-> typed nodes. Entries come from `flatten` (lwm2m-cbor-tree.ts);
 * values are typed by the model, and a resource the model does not know keeps its value
 * with a guessed type and `unknown: true`.
 */
import { CodecError, resourceModel, type CodecContext } from './codec.js';
import { LwM2mPath } from '../path.js';
import type {
  LwM2mNode,
  MultiResourceNode,
  ObjectInstanceNode,
  ObjectNode,
  ResourceInstanceNode,
  ResourceNode,
  Value,
} from '../node.js';
import type { ResourceType } from '../model/types.js';
import type { Entry, IdTrie } from './lwm2m-cbor-tree.js';
import { decodeValue, encodeValue, guessType } from './lwm2m-cbor-values.js';
import type { CborWriter } from './lwm2m-cbor-writer.js';
import { MAX_ID } from '../path.js';
import type { CborItem } from './lwm2m-cbor-reader.js';

function typed(ctx: CodecContext, oid: number, rid: number, item: CborItem): { type: ResourceType; value: Value; unknown: boolean } {
  const rm = resourceModel(ctx, oid, rid);
  if (rm && rm.type !== 'none') return { type: rm.type, value: decodeValue(item, rm.type), unknown: false };
  const type = guessType(item);
  return { type, value: decodeValue(item, type), unknown: !rm };
}

interface ResourceAcc {
  single: CborItem | undefined;
  hasSingle: boolean;
  instances: Map<number, CborItem>;
}

interface InstanceAcc {
  resources: Map<number, ResourceAcc>;
}

/** Instances and resources of one object, accumulated from entries below it. */
class ObjectAcc {
  readonly instances = new Map<number, InstanceAcc>();

  add(e: Entry): void {
    const [, iid, rid, riid] = e.ids;
    if (iid === undefined) return; // the object itself: an empty map
    let inst = this.instances.get(iid);
    if (!inst) {
      inst = { resources: new Map() };
      this.instances.set(iid, inst);
    }
    if (rid === undefined) return;
    let res = inst.resources.get(rid);
    if (!res) {
      res = { single: undefined, hasSingle: false, instances: new Map() };
      inst.resources.set(rid, res);
    }
    if (riid === undefined) {
      if (e.empty) return;
      if (res.hasSingle) throw new CodecError('MALFORMED', `path /${e.ids.join('/')} given twice`);
      res.single = e.item;
      res.hasSingle = true;
    } else {
      if (res.instances.has(riid)) throw new CodecError('MALFORMED', `path /${e.ids.join('/')} given twice`);
      res.instances.set(riid, e.item);
    }
    if (res.hasSingle && res.instances.size > 0) {
      throw new CodecError('BAD_NESTING', `resource ${e.ids.slice(0, 3).join('/')} has a value and resource instances`);
    }
  }

  resource(ctx: CodecContext, oid: number, rid: number, acc: ResourceAcc): ResourceNode {
    if (acc.hasSingle) {
      const t = typed(ctx, oid, rid, acc.single);
      const node: ResourceNode = { kind: 'resource', id: rid, type: t.type, value: t.value };
      if (t.unknown) node.unknown = true;
      return node;
    }
    const rm = resourceModel(ctx, oid, rid);
    const instances = new Map<number, ResourceInstanceNode>();
    let type: ResourceType | undefined = rm && rm.type !== 'none' ? rm.type : undefined;
    for (const [riid, item] of acc.instances) {
      const t = typed(ctx, oid, rid, item);
      type ??= t.type;
      const ri: ResourceInstanceNode = { kind: 'resourceInstance', id: riid, type: t.type, value: t.value };
      if (t.unknown) ri.unknown = true;
      instances.set(riid, ri);
    }
    const node: MultiResourceNode = { kind: 'multiResource', id: rid, type: type ?? 'opaque', instances };
    if (!rm) node.unknown = true;
    return node;
  }

  instance(ctx: CodecContext, oid: number, iid: number, acc: InstanceAcc): ObjectInstanceNode {
    const resources = new Map<number, ResourceNode>();
    for (const [rid, r] of acc.resources) resources.set(rid, this.resource(ctx, oid, rid, r));
    return { kind: 'instance', id: iid, resources };
  }
}

/** The node at `path` made of `entries` (all at or below `path`, nulls already removed). */
export function nodeAt(path: LwM2mPath, entries: readonly Entry[], ctx: CodecContext): LwM2mNode {
  const [oid, iid, rid, riid] = path.ids();
  if (oid === undefined) throw new CodecError('UNSUPPORTED', 'LwM2M CBOR decodes at an object path or below');
  const acc = new ObjectAcc();
  for (const e of entries) acc.add(e);
  if (iid === undefined) {
    const instances = new Map<number, ObjectInstanceNode>();
    for (const [i, a] of acc.instances) instances.set(i, acc.instance(ctx, oid, i, a));
    const node: ObjectNode = { kind: 'object', id: oid, instances };
    return node;
  }
  const inst = acc.instances.get(iid);
  if (rid === undefined) return acc.instance(ctx, oid, iid, inst ?? { resources: new Map() });
  const res = inst?.resources.get(rid);
  if (!res) throw new CodecError('MALFORMED', `no value for ${path}`);
  if (riid === undefined) return acc.resource(ctx, oid, rid, res);
  if (!res.instances.has(riid)) throw new CodecError('MALFORMED', `no value for ${path}`);
  const t = typed(ctx, oid, rid, res.instances.get(riid));
  const node: ResourceInstanceNode = { kind: 'resourceInstance', id: riid, type: t.type, value: t.value };
  if (t.unknown) node.unknown = true;
  return node;
}

function isUnder(base: readonly number[], ids: readonly number[]): boolean {
  if (ids.length < base.length) return false;
  for (let i = 0; i < base.length; i++) if (base[i] !== ids[i]) return false;
  return true;
}

/** Entries grouped under the requested paths; an entry under none of them is refused. */
export function groupByPaths(entries: readonly Entry[], paths: readonly LwM2mPath[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  const bases = paths.map((p) => ({ key: p.toString(), ids: p.ids() }));
  for (const b of bases) groups.set(b.key, []);
  for (const e of entries) {
    let best: { key: string; ids: number[] } | undefined;
    for (const b of bases) if (isUnder(b.ids, e.ids) && (!best || b.ids.length > best.ids.length)) best = b;
    if (!best) throw new CodecError('PATH_MISMATCH', `${'/' + e.ids.join('/')} is outside the requested paths`);
    (groups.get(best.key) as Entry[]).push(e);
  }
  return groups;
}

/** Each entry as its own node: resource, resource instance, or an empty container. */
export function entryNode(e: Entry, ctx: CodecContext): LwM2mNode {
  return nodeAt(LwM2mPath.of(...e.ids), [e], ctx);
}

type Container = ObjectNode | ObjectInstanceNode | MultiResourceNode;

function children(node: Container): Map<number, LwM2mNode> {
  return node.kind === 'object' ? node.instances : node.kind === 'instance' ? node.resources : node.instances;
}

function sortedIds(map: Map<number, unknown>): number[] {
  const ids = [...map.keys()];
  for (let i = 1; i < ids.length; i++) {
    if ((ids[i - 1] as number) >= (ids[i] as number)) return ids.sort((a, b) => a - b);
  }
  return ids;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new CodecError('MALFORMED', `id ${id} out of range`);
}

/**
 * Writes `node` as one map entry whose key is `chain` (the ids down to the node), the
 * chain grown through every container with a single child: the same bytes as the trie
 * of addNode + IdTrie.write, for one node, without building the trie.
 */
export function writeEntry(w: CborWriter, chain: number[], node: LwM2mNode): void {
  let n = node;
  while (n.kind !== 'resource' && n.kind !== 'resourceInstance') {
    const c = children(n);
    if (c.size !== 1) break;
    const [id, child] = c.entries().next().value as [number, LwM2mNode];
    checkId(id);
    chain.push(id);
    n = child;
  }
  if (chain.length > 4) throw new CodecError('BAD_NESTING', 'a path deeper than a resource instance');
  if (chain.length === 1) w.int(chain[0] as number);
  else {
    w.arrayHeader(chain.length);
    for (const id of chain) w.int(id);
  }
  if (n.kind === 'resource' || n.kind === 'resourceInstance') return encodeValue(w, n.type, n.value);
  const c = children(n);
  const ids = sortedIds(c);
  w.mapHeader(ids.length);
  for (const id of ids) {
    checkId(id);
    writeEntry(w, [id], c.get(id) as LwM2mNode);
  }
}

/** Puts `node`, which sits at `ids`, into the trie. */
export function addNode(trie: IdTrie, ids: readonly number[], node: LwM2mNode): void {
  switch (node.kind) {
    case 'object':
      if (node.instances.size === 0) trie.setContainer(ids);
      for (const [iid, inst] of node.instances) addNode(trie, [...ids, iid], inst);
      return;
    case 'instance':
      if (node.resources.size === 0) trie.setContainer(ids);
      for (const [rid, r] of node.resources) addNode(trie, [...ids, rid], r);
      return;
    case 'multiResource':
      if (node.instances.size === 0) trie.setContainer(ids);
      for (const [riid, ri] of node.instances) addNode(trie, [...ids, riid], ri);
      return;
    case 'resource':
    case 'resourceInstance':
      trie.setLeaf(ids, { type: node.type, value: node.value });
      return;
  }
}
