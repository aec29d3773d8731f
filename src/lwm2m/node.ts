/**
 * Typed LwM2M values as a tree: object > instance > resource > resource instance.
 * Every codec decodes into these nodes and encodes from them.
 */
import type { ResourceType } from './model/types.js';

export interface ObjLink {
  objectId: number;
  instanceId: number;
}

/**
 * A JS value for each resource type:
 * string/corelnk -> string; integer -> number or bigint (outside the safe range);
 * unsigned -> number or bigint; float -> number; boolean -> boolean; opaque -> Uint8Array;
 * time -> number (seconds since epoch, integer); objlnk -> ObjLink; none -> null.
 */
export type Value = string | number | bigint | boolean | Uint8Array | ObjLink | null;

export interface ResourceInstanceNode {
  kind: 'resourceInstance';
  id: number;
  type: ResourceType;
  value: Value;
  /** Set when the model did not know this resource and its type was guessed. */
  unknown?: boolean;
}

export interface SingleResourceNode {
  kind: 'resource';
  id: number;
  type: ResourceType;
  value: Value;
  unknown?: boolean;
}

export interface MultiResourceNode {
  kind: 'multiResource';
  id: number;
  type: ResourceType;
  instances: Map<number, ResourceInstanceNode>;
  unknown?: boolean;
}

export type ResourceNode = SingleResourceNode | MultiResourceNode;

export interface ObjectInstanceNode {
  kind: 'instance';
  /** undefined for a Create where the client picks the id. */
  id: number | undefined;
  resources: Map<number, ResourceNode>;
}

export interface ObjectNode {
  kind: 'object';
  id: number;
  instances: Map<number, ObjectInstanceNode>;
}

export type LwM2mNode = ObjectNode | ObjectInstanceNode | ResourceNode | ResourceInstanceNode;

/** Values of one timestamp (SenML records with `t`); `time` in seconds (may be fractional), undefined for "now". */
export interface TimestampedNodes {
  time: number | undefined;
  /** path string (e.g. "/3/0/1") -> node at that path */
  nodes: Map<string, LwM2mNode>;
}

// ---- builders, to keep tests and callers short ----

export function resource(id: number, type: ResourceType, value: Value): SingleResourceNode {
  return { kind: 'resource', id, type, value };
}

export function multiResource(id: number, type: ResourceType, values: Record<number, Value> | Map<number, Value>): MultiResourceNode {
  const entries = values instanceof Map ? [...values] : Object.entries(values).map(([k, v]) => [Number(k), v] as const);
  const instances = new Map<number, ResourceInstanceNode>();
  for (const [k, v] of entries) instances.set(k, { kind: 'resourceInstance', id: k, type, value: v });
  return { kind: 'multiResource', id, type, instances };
}

export function resourceInstance(id: number, type: ResourceType, value: Value): ResourceInstanceNode {
  return { kind: 'resourceInstance', id, type, value };
}

export function instance(id: number | undefined, resources: ResourceNode[]): ObjectInstanceNode {
  return { kind: 'instance', id, resources: new Map(resources.map((r) => [r.id, r])) };
}

export function object(id: number, instances: ObjectInstanceNode[]): ObjectNode {
  const m = new Map<number, ObjectInstanceNode>();
  for (const i of instances) {
    if (i.id === undefined) throw new Error('object instance without id inside an object node');
    m.set(i.id, i);
  }
  return { kind: 'object', id, instances: m };
}
