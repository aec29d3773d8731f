/**
 * What the gateway knows of one device for the messages built from several resources:
 * per object instance, the last value of each resource such a message names, and the
 * resources the device reported absent (4.04, or left out of an instance answer).
 *
 * Bounded: only resources named by the mappings are kept (the plan says which), at most
 * `maxInstances` object instances per device; the owner drops the whole thing when the
 * device de-registers or registers again, and calls `retain` when the plan changes.
 */
import type { LeafValue } from './values.js';

/** One object instance: resource id -> last value, and the resources reported absent. */
export interface InstanceKnowledge {
  readonly values: Map<number, LeafValue>;
  readonly absent: Set<number>;
}

/** object instances a device may fill (a Send can name any instance) */
export const MAX_KNOWN_INSTANCES = 256;

export class LastValues {
  /** made on the first value: most devices of a large fleet never fill one */
  private instances: Map<string, InstanceKnowledge> | undefined;

  constructor(private readonly maxInstances = MAX_KNOWN_INSTANCES) {}

  /** The instance's knowledge; created when `create` and the bound allows, else undefined. */
  instance(objectId: number, instanceId: number, create: boolean): InstanceKnowledge | undefined {
    const key = `${objectId}/${instanceId}`;
    let k = this.instances?.get(key);
    if (!k && create) {
      this.instances ??= new Map();
      if (this.instances.size < this.maxInstances) this.instances.set(key, (k = { values: new Map(), absent: new Set() }));
    }
    return k;
  }

  /** Keeps only the resources `named` still lists (object id -> resource ids); the rest is freed. */
  retain(named: ReadonlyMap<number, ReadonlySet<number>>): void {
    if (!this.instances) return;
    for (const [key, k] of this.instances) {
      const ids = named.get(Number(key.slice(0, key.indexOf('/'))));
      if (!ids) {
        this.instances.delete(key);
        continue;
      }
      for (const id of k.values.keys()) if (!ids.has(id)) k.values.delete(id);
      for (const id of k.absent) if (!ids.has(id)) k.absent.delete(id);
    }
  }

  /** object instances held (tests, metrics) */
  get size(): number {
    return this.instances?.size ?? 0;
  }
}

/** Records a value: known from now on, no longer absent. */
export function learn(k: InstanceKnowledge, resourceId: number, value: LeafValue): void {
  k.values.set(resourceId, value);
  k.absent.delete(resourceId);
}

/** Records that the device has no such resource (the latest report wins). */
export function markAbsent(k: InstanceKnowledge, resourceId: number): void {
  k.values.delete(resourceId);
  k.absent.add(resourceId);
}

/** True when every resource of `names` has a value or was reported absent. */
export function complete(k: InstanceKnowledge | undefined, names: readonly number[]): boolean {
  for (const id of names) if (!k || (!k.values.has(id) && !k.absent.has(id))) return false;
  return true;
}
