/**
 * Object models by id and version, per instance. Built-ins come from the generated
 * table; a models folder (vendor objects) can add or override.
 * Versions of one object are kept apart; `add` replaces only the same id and version.
 */
import type { ModelProvider, ObjectModel, ResourceModel } from './types.js';
import { BUILTIN_OBJECTS } from './builtin-objects.js';
import { fromRow } from './compact.js';

export class ModelRegistry implements ModelProvider {
  /** objectId -> version -> model */
  private readonly objects = new Map<number, Map<string, ObjectModel>>();
  /** objectId -> its newest version (asked for on every decode of a version the registry lacks) */
  private readonly newest = new Map<number, ObjectModel>();

  /** A new registry holding the built-in objects (the generated OMA registry table). */
  static withBuiltins(): ModelRegistry {
    const registry = new ModelRegistry();
    for (const row of BUILTIN_OBJECTS) registry.add(fromRow(row));
    return registry;
  }

  /** Adds or replaces (same id and version) an object model. */
  add(model: ObjectModel): void {
    let versions = this.objects.get(model.id);
    if (!versions) {
      versions = new Map();
      this.objects.set(model.id, versions);
    }
    versions.set(model.version, model);
    this.newest.delete(model.id);
  }

  getObject(objectId: number, version?: string): ObjectModel | undefined {
    const versions = this.objects.get(objectId);
    if (!versions) return undefined;
    if (version !== undefined) {
      const exact = versions.get(version);
      if (exact) return exact;
    }
    let best = this.newest.get(objectId);
    if (best) return best;
    for (const m of versions.values()) if (!best || compareVersions(m.version, best.version) > 0) best = m;
    if (best) this.newest.set(objectId, best);
    return best;
  }

  getResource(objectId: number, resourceId: number, version?: string): ResourceModel | undefined {
    return this.getObject(objectId, version)?.resources.get(resourceId);
  }

  addAll(models: Iterable<ObjectModel>): void {
    for (const m of models) this.add(m);
  }

  /** Known versions of an object, oldest first. */
  versions(objectId: number): string[] {
    return [...(this.objects.get(objectId)?.keys() ?? [])].sort(compareVersions);
  }

  has(objectId: number, version?: string): boolean {
    const versions = this.objects.get(objectId);
    return versions !== undefined && (version === undefined || versions.has(version));
  }

  /** Every model, by id then version. */
  all(): ObjectModel[] {
    return this.objectIds().flatMap((id) => this.versions(id).map((v) => this.objects.get(id)?.get(v) as ObjectModel));
  }

  objectIds(): number[] {
    return [...this.objects.keys()].sort((a, b) => a - b);
  }

  get size(): number {
    let n = 0;
    for (const v of this.objects.values()) n += v.size;
    return n;
  }
}

/** version text -> its numbers; bounded (a device names its own `lwm2m=` and `ver=`) */
const versionParts = new Map<string, number[]>();
const MAX_VERSION_TEXTS = 256;

function partsOf(v: string): number[] {
  let p = versionParts.get(v);
  if (p === undefined) {
    p = v.split('.').map(Number);
    if (versionParts.size < MAX_VERSION_TEXTS && v.length <= 32) versionParts.set(v, p);
  }
  return p;
}

export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = partsOf(a);
  const pb = partsOf(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
