/** Plain values out of the nodes a read or a notification brings (object, instance, resource). */
import type { LwM2mNode, Value } from '../lwm2m/node.js';

/** The value of resource `rid` in `node` (a multi-instance resource: its values in id order). */
export function resourceValue(node: LwM2mNode | undefined, rid: number): Value | Value[] | undefined {
  if (!node) return undefined;
  switch (node.kind) {
    case 'object': {
      const first = node.instances.values().next();
      return first.done ? undefined : resourceValue(first.value, rid);
    }
    case 'instance': {
      const r = node.resources.get(rid);
      return r ? resourceValue(r, rid) : undefined;
    }
    case 'resource':
      return node.id === rid ? node.value : undefined;
    case 'multiResource':
      return node.id === rid ? [...node.instances.values()].sort((a, b) => a.id - b.id).map((i) => i.value) : undefined;
    case 'resourceInstance':
      return undefined;
  }
}

export function intValue(v: Value | Value[] | undefined): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function intList(v: Value | Value[] | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => intValue(x)).filter((x): x is number => x !== undefined);
}

/** A string resource, clipped to 255 characters (what the device says goes into events and logs). */
export function stringValue(v: Value | Value[] | undefined): string | undefined {
  return typeof v === 'string' ? v.slice(0, 255) : undefined;
}
