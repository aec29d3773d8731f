/**
 * What the mapping files ask of the oneM2M face for one registration: the object instances
 * with a `onem2m` section (the target's, or the file's for every target of the file) and
 * their mode, and a DevicePlan whose outputs hand on each event's values per instance.
 */
import { DevicePlan, type CompiledMappings, type CompiledTarget, type PlannedOutput } from '../../mapping/index.js';
import type { CompiledOneM2mSection, OneM2mMode } from '../../mapping/index.js';
import type { LeafValue } from '../../mapping/values.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { InstanceTarget } from './device-layout.js';

export interface InstanceValues {
  objectId: number;
  instanceId: number;
  values: ReadonlyMap<number, LeafValue>;
  timeMs: number;
}

export interface DeviceTargets {
  instances: InstanceTarget[];
  plan: DevicePlan<InstanceValues>;
}

function sectionOf(t: CompiledTarget, file: CompiledOneM2mSection | undefined): { section: CompiledOneM2mSection; mode: OneM2mMode } | undefined {
  const own = t.onem2m;
  if (!own && !file) return undefined;
  const mode = own?.mode ?? file?.mode ?? 'semantic';
  let section: CompiledOneM2mSection = own ?? { fields: {}, commands: [] };
  if (mode === 'flexContainer' && !section.flex) {
    section = { ...section, flex: { specialization: `lwm2m:obj${t.objectId}`, cnd: `org.openmobilealliance.lwm2m.${t.objectId}`, attributes: new Map() } };
  }
  return { section, mode };
}

/** The instances and plan of a registration; undefined when no file maps it to oneM2M. */
export function deviceTargets(reg: Registration, mappings: CompiledMappings): DeviceTargets | undefined {
  const files = mappings.files.filter((f) => f.matches(reg) && (f.onem2m !== undefined || f.targets.some((t) => t.onem2m)));
  const instances: InstanceTarget[] = [];
  const outputs = new Map<CompiledTarget, PlannedOutput<InstanceValues>[]>();
  for (const f of files) {
    for (const t of f.targets) {
      const s = sectionOf(t, f.onem2m);
      if (!s) continue;
      const registered = reg.objects.get(t.objectId)?.instances ?? [];
      for (const i of registered) {
        if (t.instances && !t.instances.includes(i)) continue;
        if (instances.some((x) => x.objectId === t.objectId && x.instanceId === i)) continue;
        instances.push({ objectId: t.objectId, instanceId: i, section: s.section, mode: s.mode });
      }
      outputs.set(t, [
        {
          objectId: t.objectId,
          mapping: f.name,
          ...(t.instances ? { instances: new Set(t.instances) } : {}),
          names: [],
          emit: (g, out) => {
            const fresh = new Map<number, LeafValue>();
            for (const id of g.fresh ?? g.values.keys()) {
              const v = g.values.get(id);
              if (v !== undefined) fresh.set(id, v);
            }
            if (fresh.size > 0) out.push({ objectId: t.objectId, instanceId: g.instanceId, values: fresh, timeMs: g.timeMs });
          },
        },
      ]);
    }
  }
  if (instances.length === 0) return undefined;
  const plan = new DevicePlan<InstanceValues>(reg, files, (t) => outputs.get(t) ?? []);
  return { instances, plan };
}
