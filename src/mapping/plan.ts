/**
 * A device's plan: what the matching mapping files ask for one registration (the
 * observations to start, the values each output needs), and the rendering of
 * notifications and Send values by the outputs of one face's section (`M`: that face's
 * message; CompiledMappings plans the MQTT section's publish outputs).
 *
 * A message that names several resources of an instance is rendered from the last known
 * value of each (LastValues, kept per device by the caller): notifications and the
 * answers of the plan's observes and reads update it, and the message goes out only once
 * every resource it names has a value or was reported absent by the device.
 */
import { LwM2mPath } from '../lwm2m/path.js';
import type { LwM2mNode, TimestampedNodes, Value } from '../lwm2m/node.js';
import type { NotificationEvent, OperationRequest, Registration, SendEvent } from '../lwm2m/server/types.js';
import type { CompiledFile, CompiledTarget } from './compile-file.js';
import { LastValues, complete, learn, markAbsent, type InstanceKnowledge } from './last-values.js';
import type { InstanceGroup, PlannedOutput } from './planned-output.js';
import type { PlannedObservation } from './types.js';
import type { LeafValue } from './values.js';

type Values = Map<number, LeafValue>;
type Groups = Map<string, { objectId: number; instanceId: number; values: Values }>;

/** An answer to one of the plan's observes or reads, as far as seeding goes. */
export interface SeedAnswer {
  code?: string;
  success: boolean;
  node?: LwM2mNode;
  nodes?: Map<string, LwM2mNode | null>;
}

function parsePath(p: string | LwM2mPath): LwM2mPath | undefined {
  try {
    return typeof p === 'string' ? LwM2mPath.parse(p) : p;
  } catch {
    return undefined;
  }
}

/** The values of object instance o/i in `groups`, added when missing. */
function group(groups: Groups, o: number, i: number): Values {
  const key = `${o}/${i}`;
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { objectId: o, instanceId: i, values: new Map() }));
  return g.values;
}

/** Adds a node's resource values to `groups` ("objectId/instanceId" -> values). */
function collect(path: LwM2mPath, node: LwM2mNode, groups: Groups): void {
  const o = path.objectId;
  if (o === undefined) return;
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances.values()) if (inst.id !== undefined) collect(LwM2mPath.of(o, inst.id), inst, groups);
      return;
    case 'instance': {
      const i = node.id ?? path.instanceId;
      if (i === undefined) return;
      for (const r of node.resources.values()) collect(LwM2mPath.of(o, i, r.id), r, groups);
      return;
    }
    case 'resource':
      if (path.instanceId !== undefined) group(groups, o, path.instanceId).set(node.id, node.value);
      return;
    case 'multiResource':
      if (path.instanceId !== undefined) group(groups, o, path.instanceId).set(node.id, new Map([...node.instances].map(([k, v]) => [k, v.value] as [number, Value])));
      return;
    case 'resourceInstance': {
      if (path.instanceId === undefined || path.resourceId === undefined) return;
      const values = group(groups, o, path.instanceId);
      const prev = values.get(path.resourceId);
      const m = prev instanceof Map ? new Map(prev) : new Map<number, Value>();
      m.set(node.id, node.value);
      values.set(path.resourceId, m);
      return;
    }
  }
}

interface Record_ { timeMs: number; nodes: Iterable<[string | LwM2mPath, LwM2mNode | null]> }

/** (a function of its own, not a closure made per event) */
function fromTimestamped(list: TimestampedNodes[], receivedAt: number): Record_[] {
  const out: Record_[] = [];
  for (const t of list) out.push({ timeMs: t.time === undefined ? receivedAt : Math.round(t.time * 1000), nodes: t.nodes });
  return out;
}

function records(event: NotificationEvent | SendEvent): Record_[] {
  if ('data' in event) return fromTimestamped(event.data, event.receivedAt);
  if (event.timestamped && event.timestamped.length) return fromTimestamped(event.timestamped, event.receivedAt);
  if (event.nodes) return [{ timeMs: event.receivedAt, nodes: event.nodes }];
  const path = event.observation.paths[0];
  if (event.node && path) return [{ timeMs: event.receivedAt, nodes: [[path, event.node]] }];
  return [];
}

/**
 * Plans depend only on the files that match and the registered objects, so devices with
 * the same object list and the same matching files share one plan (CompiledMappings
 * caches them); a plan holds nothing of one device.
 */
export class DevicePlan<M> {
  /** names of the mapping files that apply to this device */
  readonly mappings: string[];
  readonly observations: PlannedObservation[] = [];
  /**
   * Instances ("/4/0") to read once when the observations start: their observations do not
   * cover every resource a message names (a unit, a static setting).
   */
  readonly seedReads: { path: string; mapping: string }[] = [];
  /** object id -> the resources messages name: the only values kept per device */
  readonly named = new Map<number, Set<number>>();
  private readonly outputs = new Map<number, PlannedOutput<M>[]>();
  /** objects with an output limited to some instances (outputsOf filters only for those) */
  private readonly limited = new Set<number>();

  /** `outputsOf`: a target's outputs in the face section this plan renders */
  constructor(registration: Pick<Registration, 'objects'>, files: readonly CompiledFile[], outputsOf: (target: CompiledTarget) => readonly PlannedOutput<M>[]) {
    this.mappings = files.map((f) => f.name);
    const seen = new Set<string>();
    for (const f of files) {
      for (const t of f.targets) {
        for (const p of outputsOf(t)) {
          const list = this.outputs.get(p.objectId) ?? [];
          list.push(p);
          this.outputs.set(p.objectId, list);
          if (p.instances) this.limited.add(p.objectId);
        }
        const registered = registration.objects.get(t.objectId)?.instances ?? [];
        const instances = t.instances ? registered.filter((i) => t.instances!.includes(i)) : registered;
        if (!instances.length) continue;
        for (const ob of t.observe) {
          const paths: string[] = [];
          for (const i of instances) {
            if (!ob.resources) paths.push(`/${t.objectId}/${i}`);
            else for (const r of ob.resources) paths.push(`/${t.objectId}/${i}/${r}`);
          }
          const fresh = paths.filter((p) => !seen.has(p));
          fresh.forEach((p) => seen.add(p));
          if (!fresh.length) continue;
          const base = { composite: ob.composite, mapping: f.name, ...(ob.attributes ? { attributes: ob.attributes } : {}) };
          if (ob.composite) this.observations.push({ ...base, paths: fresh });
          else for (const p of fresh) this.observations.push({ ...base, paths: [p] });
        }
      }
    }
    for (const [objectId, list] of this.outputs) {
      for (const p of list) {
        if (!p.names.length) continue;
        let set = this.named.get(objectId);
        if (!set) this.named.set(objectId, (set = new Set()));
        for (const id of p.names) set.add(id);
      }
    }
    this.planSeedReads();
  }

  /** An observed instance whose observations miss a named resource is read once. */
  private planSeedReads(): void {
    // "o/i" -> observed resources (undefined: the whole instance)
    const covered = new Map<string, Set<number> | undefined>();
    for (const ob of this.observations) {
      for (const text of ob.paths) {
        const p = parsePath(text);
        if (p?.objectId === undefined || p.instanceId === undefined || !this.named.has(p.objectId)) continue;
        const key = `/${p.objectId}/${p.instanceId}`;
        if (p.resourceId === undefined) covered.set(key, undefined);
        else if (!covered.has(key) || covered.get(key)) covered.set(key, (covered.get(key) ?? new Set()).add(p.resourceId));
      }
    }
    for (const [key, ids] of covered) {
      if (!ids) continue;
      const [, objectId, instanceId] = key.split('/').map(Number) as [number, number, number];
      const output = this.outputsOf(objectId, instanceId).find((p) => p.names.some((id) => !ids.has(id)));
      if (output) this.seedReads.push({ path: key, mapping: output.mapping });
    }
  }

  /** True when no mapping applies (nothing to observe, nothing to publish). */
  get isEmpty(): boolean {
    return this.observations.length === 0 && this.outputs.size === 0;
  }

  /** The requests that start the planned observations, in order (Write-Attributes first). */
  requests(): OperationRequest[] {
    const out: OperationRequest[] = [];
    for (const ob of this.observations) {
      if (ob.attributes) for (const path of ob.paths) out.push({ op: 'writeAttributes', path, attributes: ob.attributes });
      out.push(ob.composite ? { op: 'observeComposite', paths: [...ob.paths] } : { op: 'observe', path: ob.paths[0]! });
    }
    return out;
  }

  /**
   * The messages for a notification or Send; empty when no output maps its values.
   * `known`: the device's last values, updated here (a fresh one: this event alone).
   */
  render(event: NotificationEvent | SendEvent, known: LastValues = new LastValues()): M[] {
    const out: M[] = [];
    if (this.outputs.size === 0) return out;
    const reg = event.registration;
    for (const rec of records(event)) {
      const groups = this.group(rec.nodes);
      for (const g of groups.values()) {
        const outputs = this.outputsOf(g.objectId, g.instanceId);
        const named = this.named.get(g.objectId);
        const k = named ? known.instance(g.objectId, g.instanceId, true) : undefined;
        // without knowledge no output is complete before (nor after, if it names resources)
        const before = k ? outputs.map((p) => complete(k, p.names)) : undefined;
        if (k) for (const [id, v] of g.values) if (named!.has(id)) learn(k, id, v);
        let values: ReadonlyMap<number, LeafValue> = g.values;
        // fresh: the notification's resources; left out when they are all of `values`
        let fresh: ReadonlySet<number> | undefined;
        if (k && k.values.size) {
          const merged = new Map(k.values);
          for (const [id, v] of g.values) merged.set(id, v);
          values = merged;
          fresh = new Set(g.values.keys());
        }
        const group: InstanceGroup = { endpoint: reg.endpoint, objectId: g.objectId, instanceId: g.instanceId, values, fresh, timeMs: rec.timeMs };
        for (let n = 0; n < outputs.length; n++) {
          const p = outputs[n]!;
          // a message naming several resources waits until each is known or absent, and goes out once it is
          if (p.names.length && !complete(k, p.names)) continue;
          p.emit(group, out, before ? !before[n] : false);
        }
      }
    }
    return out;
  }

  /**
   * What the answer to one of the plan's observes or reads (`paths`, as requested) tells:
   * the values of named resources, and the named resources the device does not have (4.04
   * on a resource, or left out of an instance or composite answer). Returns the messages
   * that became complete. An observe's values are also rendered as a notification (render).
   */
  seed(registration: Pick<Registration, 'endpoint' | 'id'>, paths: readonly string[], answer: SeedAnswer, known: LastValues, timeMs: number): M[] {
    const out: M[] = [];
    if (this.named.size === 0) return out;
    const requested = paths.map(parsePath).filter((p): p is LwM2mPath => p?.objectId !== undefined && p.instanceId !== undefined && this.named.has(p.objectId));
    const groups = answer.success ? this.group(answer.node && requested.length === 1 && paths.length === 1 ? [[requested[0]!, answer.node]] : (answer.nodes ?? [])) : new Map();
    const touched = new Map<string, { objectId: number; instanceId: number; k: InstanceKnowledge; before: boolean[] }>();
    const touch = (o: number, i: number): InstanceKnowledge | undefined => {
      const key = `${o}/${i}`;
      const t = touched.get(key);
      if (t) return t.k;
      const k = known.instance(o, i, true);
      if (k) touched.set(key, { objectId: o, instanceId: i, k, before: this.outputsOf(o, i).map((p) => complete(k, p.names)) });
      return k;
    };
    for (const g of groups.values()) {
      const named = this.named.get(g.objectId);
      if (!named) continue;
      const k = touch(g.objectId, g.instanceId);
      if (k) for (const [id, v] of g.values) if (named.has(id)) learn(k, id, v);
    }
    for (const p of requested) {
      if (p.resourceInstanceId !== undefined) continue;
      const named = this.named.get(p.objectId!)!;
      const got = groups.get(`${p.objectId}/${p.instanceId}`)?.values;
      if (p.resourceId !== undefined) {
        if (!named.has(p.resourceId)) continue;
        if (answer.code !== '4.04' && (!answer.success || got?.has(p.resourceId))) continue;
        const k = touch(p.objectId!, p.instanceId!);
        if (k) markAbsent(k, p.resourceId);
      } else if (answer.success) {
        // an instance answer lists what the instance has
        const k = touch(p.objectId!, p.instanceId!);
        if (k) for (const id of named) if (!got?.has(id)) markAbsent(k, id);
      }
    }
    for (const t of touched.values()) {
      const group: InstanceGroup = { endpoint: registration.endpoint, objectId: t.objectId, instanceId: t.instanceId, values: t.k.values, fresh: new Set(), timeMs };
      this.outputsOf(t.objectId, t.instanceId).forEach((p, n) => {
        if (p.names.length && !t.before[n] && complete(t.k, p.names)) p.emit(group, out, true);
      });
    }
    return out;
  }

  private outputsOf(objectId: number, instanceId: number): readonly PlannedOutput<M>[] {
    const list = this.outputs.get(objectId);
    if (!list) return [];
    return this.limited.has(objectId) ? list.filter((p) => !p.instances || p.instances.has(instanceId)) : list;
  }

  private group(nodes: Iterable<[string | LwM2mPath, LwM2mNode | null]>): Groups {
    const groups: Groups = new Map();
    for (const [p, node] of nodes) {
      if (!node) continue;
      const path = parsePath(p);
      if (path && this.outputs.has(path.objectId ?? -1)) collect(path, node, groups);
    }
    return groups;
  }
}
