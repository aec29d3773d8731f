/**
 * A device's plan: what the matching mapping files ask for one registration (the
 * observations to start, the outputs per object), and the rendering of notifications
 * and Send values into MQTT messages.
 */
import { LwM2mPath } from '../lwm2m/path.js';
import type { LwM2mNode, TimestampedNodes, Value } from '../lwm2m/node.js';
import type { NotificationEvent, OperationRequest, Registration, SendEvent } from '../lwm2m/server/types.js';
import type { CompiledFile } from './compile.js';
import type { CompiledPublish, InstanceGroup } from './publish.js';
import type { OutboundMessage, PlannedObservation } from './types.js';
import type { LeafValue } from './values.js';

type Values = Map<number, LeafValue>;

/** Adds a node's resource values to `groups` ("objectId/instanceId" -> values). */
function collect(path: LwM2mPath, node: LwM2mNode, groups: Map<string, { objectId: number; instanceId: number; values: Values }>): void {
  const group = (o: number, i: number): Values => {
    const key = `${o}/${i}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { objectId: o, instanceId: i, values: new Map() }));
    return g.values;
  };
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
      if (path.instanceId !== undefined) group(o, path.instanceId).set(node.id, node.value);
      return;
    case 'multiResource':
      if (path.instanceId !== undefined) group(o, path.instanceId).set(node.id, new Map([...node.instances].map(([k, v]) => [k, v.value] as [number, Value])));
      return;
    case 'resourceInstance': {
      if (path.instanceId === undefined || path.resourceId === undefined) return;
      const values = group(o, path.instanceId);
      const prev = values.get(path.resourceId);
      const m = prev instanceof Map ? new Map(prev) : new Map<number, Value>();
      m.set(node.id, node.value);
      values.set(path.resourceId, m);
      return;
    }
  }
}

interface Record_ { timeMs: number; nodes: Iterable<[string | LwM2mPath, LwM2mNode | null]> }

function records(event: NotificationEvent | SendEvent): Record_[] {
  const fromTimestamped = (list: TimestampedNodes[]): Record_[] =>
    list.map((t) => ({ timeMs: t.time === undefined ? event.receivedAt : Math.round(t.time * 1000), nodes: t.nodes }));
  if ('data' in event) return fromTimestamped(event.data);
  if (event.timestamped && event.timestamped.length) return fromTimestamped(event.timestamped);
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
export class DevicePlan {
  /** names of the mapping files that apply to this device */
  readonly mappings: string[];
  readonly observations: PlannedObservation[] = [];
  private readonly outputs = new Map<number, CompiledPublish[]>();

  constructor(registration: Pick<Registration, 'objects'>, files: readonly CompiledFile[]) {
    this.mappings = files.map((f) => f.name);
    const seen = new Set<string>();
    for (const f of files) {
      for (const t of f.targets) {
        for (const p of t.publish) {
          const list = this.outputs.get(p.objectId) ?? [];
          list.push(p);
          this.outputs.set(p.objectId, list);
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

  /** The MQTT messages for a notification or Send; empty when no output maps its values. */
  render(event: NotificationEvent | SendEvent): OutboundMessage[] {
    const out: OutboundMessage[] = [];
    if (this.outputs.size === 0) return out;
    const reg = event.registration;
    for (const rec of records(event)) {
      const groups = new Map<string, { objectId: number; instanceId: number; values: Values }>();
      for (const [p, node] of rec.nodes) {
        if (!node) continue;
        let path: LwM2mPath;
        try {
          path = typeof p === 'string' ? LwM2mPath.parse(p) : p;
        } catch {
          continue;
        }
        if (this.outputs.has(path.objectId ?? -1)) collect(path, node, groups);
      }
      for (const g of groups.values()) {
        const group: InstanceGroup = { endpoint: reg.endpoint, registrationId: reg.id, objectId: g.objectId, instanceId: g.instanceId, values: g.values, timeMs: rec.timeMs };
        for (const output of this.outputs.get(g.objectId) ?? []) {
          if (output.instances && !output.instances.has(g.instanceId)) continue;
          output.emit(group, out);
        }
      }
    }
    return out;
  }
}
