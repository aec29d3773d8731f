/** Object and resource lookups by id or by name, for the compiler. */
import type { ModelProvider, ObjectModel, ResourceModel } from '../lwm2m/model/types.js';
import { nearest, type Candidate } from './suggest.js';
import type { Ref } from './types.js';

/** What the mapping compiler needs from the models; `objectIds` lets files name objects. */
export type MappingModels = ModelProvider & { objectIds?(): number[] };

/** "Sensor Value" -> "sensor-value", "On/Off" -> "on-off", "LwM2M Server" -> "lwm2m-server". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || slugify(a) === slugify(b);
}

function asId(ref: Ref): number | undefined {
  if (typeof ref === 'number') return ref;
  return /^\d{1,5}$/.test(ref.trim()) ? Number(ref.trim()) : undefined;
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; message: string };

/** Name and slug of each model, suggested by name. */
function nameCandidates(models: { name: string }[]): Candidate[] {
  return models.flatMap((m) => [{ key: m.name }, { key: slugify(m.name), label: m.name }]);
}

/** " (did you mean X?)" or '' */
function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
}

export class ModelIndex {
  private byName: Map<string, number[]> | undefined;

  constructor(readonly models: MappingModels) {}

  private names(): Map<string, number[]> | undefined {
    if (this.byName) return this.byName;
    if (!this.models.objectIds) return undefined;
    const m = new Map<string, number[]>();
    for (const id of this.models.objectIds()) {
      const o = this.models.getObject(id);
      if (!o) continue;
      for (const key of new Set([o.name.toLowerCase(), slugify(o.name)])) {
        const list = m.get(key) ?? [];
        list.push(id);
        m.set(key, list);
      }
    }
    this.byName = m;
    return m;
  }

  /** Every object model the registry lists; empty without `objectIds`. */
  private objects(): ObjectModel[] {
    return (this.models.objectIds?.() ?? []).map((id) => this.models.getObject(id)).filter((o): o is ObjectModel => o !== undefined);
  }

  object(ref: Ref): Lookup<ObjectModel> {
    const id = asId(ref);
    if (id !== undefined) {
      const o = this.models.getObject(id);
      if (o) return { ok: true, value: o };
      const near = nearest(String(id), this.objects().map((m) => ({ key: String(m.id), label: `${m.id} (${m.name})` })), { unique: true });
      return { ok: false, message: `unknown object ${id} (no model for it)${didYouMean(near)}` };
    }
    const names = this.names();
    if (!names) return { ok: false, message: `object "${ref}": names need a model registry; use the object id` };
    const ids = names.get(String(ref).toLowerCase()) ?? names.get(slugify(String(ref)));
    if (!ids || ids.length === 0) {
      const near = nearest(String(ref), nameCandidates(this.objects()));
      return { ok: false, message: `unknown object "${ref}"${didYouMean(near === undefined ? undefined : `"${near}"`)}` };
    }
    const unique = [...new Set(ids)];
    if (unique.length > 1) return { ok: false, message: `object name "${ref}" is ambiguous (${unique.join(', ')}); use the id` };
    const o = this.models.getObject(unique[0]!);
    return o ? { ok: true, value: o } : { ok: false, message: `unknown object "${ref}"` };
  }

  resource(object: ObjectModel, ref: Ref): Lookup<ResourceModel> {
    const id = asId(ref);
    if (id !== undefined) {
      const r = object.resources.get(id);
      if (r) return { ok: true, value: r };
      const near = nearest(String(id), [...object.resources.values()].map((m) => ({ key: String(m.id), label: `${m.id} (${m.name})` })), { unique: true });
      return { ok: false, message: `unknown resource ${id} in object ${object.id} (${object.name})${didYouMean(near)}` };
    }
    const found = [...object.resources.values()].filter((r) => sameName(r.name, String(ref)));
    if (found.length === 1) return { ok: true, value: found[0]! };
    if (found.length > 1) return { ok: false, message: `resource name "${ref}" is ambiguous in object ${object.id}; use the id` };
    const near = nearest(String(ref), nameCandidates([...object.resources.values()]));
    return { ok: false, message: `unknown resource "${ref}" in object ${object.id} (${object.name})${didYouMean(near === undefined ? undefined : `"${near}"`)}` };
  }
}
