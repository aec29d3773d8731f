/**
 * fast-check generators of random typed LwM2M node trees, each with an ObjectModel that
 * types every resource in it, so that a codec round trip (encode, then decode with the
 * model) gives back the same tree.
 *
 * Values are generated in their canonical JS form (see node.ts): integers and unsigned
 * integers are `number` inside the safe range and `bigint` outside it; opaque values are
 * plain `Uint8Array`s (never Buffers); nodes carry no `unknown` flag.
 *
 *   fc.assert(fc.property(treeArb({ levels: ['instance'] }), (t) => {
 *     const ctx = { model: t.provider, limits: DEFAULT_LIMITS };
 *     assert.deepStrictEqual(codec.decode(t.path, codec.encode(t.path, t.node, ctx), ctx), t.node);
 *   }));
 */
import fc from 'fast-check';
import { LwM2mPath } from '../../src/lwm2m/path.js';
import type {
  LwM2mNode,
  MultiResourceNode,
  ObjectInstanceNode,
  ObjectNode,
  ResourceInstanceNode,
  ResourceNode,
  SingleResourceNode,
  Value,
} from '../../src/lwm2m/node.js';
import type { ObjectModel, ResourceModel, ResourceType } from '../../src/lwm2m/model/types.js';
import { ModelRegistry } from '../../src/lwm2m/model/registry.js';

/** Every type that carries a value ('none' is left out: executable resources hold none). */
export const VALUE_TYPES: readonly ResourceType[] = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
];

export type NodeLevel = 'object' | 'instance' | 'resource' | 'multiResource' | 'resourceInstance';
export const NODE_LEVELS: readonly NodeLevel[] = ['object', 'instance', 'resource', 'multiResource', 'resourceInstance'];

export interface ArbOptions {
  /** Resource types to draw from (default: VALUE_TYPES). */
  types?: readonly ResourceType[];
  /** Levels of the generated node (default: all of NODE_LEVELS). */
  levels?: readonly NodeLevel[];
  /** Integers and unsigned integers outside the JS safe range, as bigint (default true). */
  bigints?: boolean;
  /** NaN and +/-Infinity among floats (default false). */
  nonFiniteFloats?: boolean;
  /** -0 among floats (default true); JSON cannot carry it. */
  negativeZero?: boolean;
  /** Objects without instances, instances without resources, multi-resources without instances (default false). */
  allowEmpty?: boolean;
  /** Fixed object id; random (0..65534) when absent. */
  objectId?: number;
  /** Largest instance / resource / resource-instance id (default 65534). */
  maxId?: number;
  maxInstances?: number; // default 3
  maxResources?: number; // default 6
  maxResourceInstances?: number; // default 3
  maxStringLength?: number; // default 24
  maxOpaqueLength?: number; // default 40
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** number inside the safe range, bigint outside: the form decoders give back. */
export function canonicalInteger(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function valueArb(type: ResourceType, opts: ArbOptions = {}): fc.Arbitrary<Value> {
  const bigints = opts.bigints ?? true;
  const maxStr = opts.maxStringLength ?? 24;
  switch (type) {
    case 'string':
      return fc.string({ unit: 'binary', maxLength: maxStr });
    case 'corelnk':
      return fc.oneof(
        fc
          .tuple(fc.integer({ min: 0, max: 65534 }), fc.integer({ min: 0, max: 65534 }), fc.constantFrom('', ';ver=1.1', ';rt="x"'))
          .map(([o, i, a]) => `</${o}/${i}>${a}`),
        fc.string({ maxLength: maxStr }),
      );
    case 'integer': {
      const small = fc.oneof(fc.integer({ min: -200, max: 200 }), fc.integer(), fc.maxSafeInteger());
      return bigints ? fc.oneof(small, fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map(canonicalInteger)) : small;
    }
    case 'unsigned': {
      const small = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
      return bigints ? fc.oneof(small, fc.bigInt({ min: 0n, max: UINT64_MAX }).map(canonicalInteger)) : small;
    }
    case 'float': {
      const nonFinite = opts.nonFiniteFloats ?? false;
      const negZero = opts.negativeZero ?? true;
      const d = fc.double({ noNaN: !nonFinite, noDefaultInfinity: !nonFinite });
      const f = fc.float({ noNaN: true, noDefaultInfinity: true });
      const all = fc.oneof(d, f, fc.constantFrom(0, 1.5, -2.25, 3.14, 1e300, 5e-324));
      return negZero ? all : all.map((x) => (Object.is(x, -0) ? 0 : x));
    }
    case 'boolean':
      return fc.boolean();
    case 'opaque':
      return fc.uint8Array({ maxLength: opts.maxOpaqueLength ?? 40 }).map((b) => new Uint8Array(b));
    case 'time':
      return fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.maxSafeInteger());
    case 'objlnk':
      // fc.record builds null-prototype objects: rebuild them as plain ones
      return fc
        .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
        .map(([objectId, instanceId]) => ({ objectId, instanceId }));
    case 'none':
      return fc.constant(null);
  }
}

function idArb(opts: ArbOptions): fc.Arbitrary<number> {
  const max = opts.maxId ?? 65534;
  return fc.oneof(fc.integer({ min: 0, max: Math.min(max, 20) }), fc.integer({ min: 0, max }));
}

export function resourceModelFor(id: number, type: ResourceType, multiple: boolean): ResourceModel {
  return { id, name: `Resource ${id}`, operations: 'RW', multiple, mandatory: false, type, range: '', units: '' };
}

export function objectModelFor(id: number, resources: readonly ResourceModel[], version = '1.0'): ObjectModel {
  return {
    id,
    name: `Object ${id}`,
    version,
    lwm2mVersion: '1.1',
    urn: `urn:oma:lwm2m:x:${id}`,
    multiple: true,
    mandatory: false,
    resources: new Map(resources.map((r) => [r.id, r])),
  };
}

/** A random object model: 1..maxResources resources of random types, some multiple. */
export function objectModelArb(opts: ArbOptions = {}): fc.Arbitrary<ObjectModel> {
  const types = opts.types ?? VALUE_TYPES;
  const oid = opts.objectId !== undefined ? fc.constant(opts.objectId) : fc.integer({ min: 0, max: 65534 });
  const resources = fc.uniqueArray(
    fc.record({ id: idArb(opts), type: fc.constantFrom(...types), multiple: fc.boolean() }),
    { selector: (r) => r.id, minLength: 1, maxLength: opts.maxResources ?? 6 },
  );
  return fc
    .tuple(oid, resources)
    .map(([id, rs]) => objectModelFor(id, rs.map((r) => resourceModelFor(r.id, r.type, r.multiple))));
}

/** A ModelRegistry holding these models. */
export function registryOf(...models: ObjectModel[]): ModelRegistry {
  const r = new ModelRegistry();
  for (const m of models) r.add(m);
  return r;
}

export function resourceInstanceArb(rm: ResourceModel, opts: ArbOptions = {}, id?: number): fc.Arbitrary<ResourceInstanceNode> {
  const ida = id !== undefined ? fc.constant(id) : idArb(opts);
  return fc
    .tuple(ida, valueArb(rm.type, opts))
    .map(([i, value]): ResourceInstanceNode => ({ kind: 'resourceInstance', id: i, type: rm.type, value }));
}

/** A single resource (rm.multiple false) or a multi-instance resource (rm.multiple true). */
export function resourceNodeArb(rm: ResourceModel, opts: ArbOptions = {}): fc.Arbitrary<ResourceNode> {
  if (!rm.multiple) {
    return valueArb(rm.type, opts).map((value): SingleResourceNode => ({ kind: 'resource', id: rm.id, type: rm.type, value }));
  }
  return fc
    .uniqueArray(resourceInstanceArb(rm, opts), {
      selector: (ri) => ri.id,
      minLength: opts.allowEmpty ? 0 : 1,
      maxLength: opts.maxResourceInstances ?? 3,
    })
    .map((ris): MultiResourceNode => ({ kind: 'multiResource', id: rm.id, type: rm.type, instances: new Map(ris.map((ri) => [ri.id, ri])) }));
}

/** An instance holding a random, non-empty (unless allowEmpty) subset of the model's resources. */
export function instanceNodeArb(model: ObjectModel, opts: ArbOptions = {}, id?: number): fc.Arbitrary<ObjectInstanceNode> {
  const rms = [...model.resources.values()];
  const ida = id !== undefined ? fc.constant(id) : idArb(opts);
  const subset = fc.subarray(rms, { minLength: opts.allowEmpty ? 0 : 1 });
  return fc
    .tuple(ida, subset.chain((sub) => (sub.length ? fc.tuple(...sub.map((rm) => resourceNodeArb(rm, opts))) : fc.constant([] as ResourceNode[]))))
    .map(([i, nodes]): ObjectInstanceNode => ({ kind: 'instance', id: i, resources: new Map(nodes.map((n): [number, ResourceNode] => [n.id, n])) }));
}

export function objectNodeArb(model: ObjectModel, opts: ArbOptions = {}): fc.Arbitrary<ObjectNode> {
  return fc
    .uniqueArray(instanceNodeArb(model, opts), {
      selector: (i) => i.id,
      minLength: opts.allowEmpty ? 0 : 1,
      maxLength: opts.maxInstances ?? 3,
    })
    .map((is): ObjectNode => ({ kind: 'object', id: model.id, instances: new Map(is.map((i) => [i.id as number, i])) }));
}

/** A generated node, the path it sits at, and the model that types it. */
export interface GeneratedTree {
  level: NodeLevel;
  path: LwM2mPath;
  node: LwM2mNode;
  model: ObjectModel;
  /** A ModelRegistry holding `model` only. */
  provider: ModelRegistry;
}

function withMultiple(model: ObjectModel, rid: number, multiple: boolean): ObjectModel {
  const rm = model.resources.get(rid);
  if (!rm || rm.multiple === multiple) return model;
  const resources = new Map(model.resources);
  resources.set(rid, { ...rm, multiple });
  return { ...model, resources };
}

function tree(level: NodeLevel, path: LwM2mPath, node: LwM2mNode, model: ObjectModel): GeneratedTree {
  return { level, path, node, model, provider: registryOf(model) };
}

/** A random node at one of `opts.levels`, with its path and model. */
export function treeArb(opts: ArbOptions = {}): fc.Arbitrary<GeneratedTree> {
  const levels = opts.levels ?? NODE_LEVELS;
  return fc.tuple(objectModelArb(opts), fc.constantFrom(...levels), idArb(opts), idArb(opts)).chain(([model, level, iid, riid]) => {
    const oid = model.id;
    const rids = [...model.resources.keys()];
    switch (level) {
      case 'object':
        return objectNodeArb(model, opts).map((n) => tree(level, LwM2mPath.of(oid), n, model));
      case 'instance':
        return instanceNodeArb(model, opts, iid).map((n) => tree(level, LwM2mPath.of(oid, iid), n, model));
      case 'resource':
      case 'multiResource':
      case 'resourceInstance':
        return fc.constantFrom(...rids).chain((rid) => {
          const m = withMultiple(model, rid, level !== 'resource');
          const rm = m.resources.get(rid) as ResourceModel;
          if (level === 'resourceInstance') {
            return resourceInstanceArb(rm, opts, riid).map((n) => tree(level, LwM2mPath.of(oid, iid, rid, riid), n, m));
          }
          return resourceNodeArb(rm, opts).map((n) => tree(level, LwM2mPath.of(oid, iid, rid), n, m));
        });
    }
  });
}
