/**
 * The test client's objects: definitions (types, operations, single/multiple) and values,
 * read as leaves, written, created, deleted and discovered.
 */
import type { ResourceType } from '../../src/lwm2m/model/types.js';
import type { Value } from '../../src/lwm2m/node.js';
import { FormatError, type Leaf } from './lwm2m-test-client-tlv.js';
import { parsePath, pathText } from './lwm2m-test-client-formats.js';

export interface ResourceDef {
  type: ResourceType;
  ops: 'R' | 'W' | 'RW' | 'E';
  multiple?: boolean;
}

export interface ObjectDef {
  id: number;
  /** object version announced with `ver` when not "1.0" */
  version?: string;
  resources: Record<number, ResourceDef>;
}

/** Values for one instance: a single value, or { riId: value } for a multiple resource. */
export type InstanceValues = Record<number, Value | Record<number, Value>>;

type Stored = Value | Map<number, Value>;

const R = (type: ResourceType, multiple = false): ResourceDef => ({ type, ops: 'R', multiple });
const RW = (type: ResourceType, multiple = false): ResourceDef => ({ type, ops: 'RW', multiple });
const W = (type: ResourceType): ResourceDef => ({ type, ops: 'W' });
const E: ResourceDef = { type: 'none', ops: 'E' };

export const STANDARD_OBJECTS: ObjectDef[] = [
  { id: 1, resources: { 0: R('integer'), 1: RW('integer'), 2: RW('integer'), 3: RW('integer'), 6: RW('boolean'), 7: RW('string'), 8: E } },
  {
    id: 3,
    resources: {
      0: R('string'), 1: R('string'), 2: R('string'), 3: R('string'), 4: E, 5: E,
      6: R('integer', true), 7: R('integer', true), 9: R('integer'), 11: R('integer', true),
      13: RW('time'), 14: RW('string'), 16: R('string'), 17: R('string'),
    },
  },
  { id: 5, resources: { 0: W('opaque'), 1: RW('string'), 2: E, 3: R('integer'), 5: R('integer'), 9: R('integer') } },
  { id: 3303, resources: { 5700: R('float'), 5701: R('string'), 5601: R('float'), 5602: R('float'), 5605: E, 5750: RW('string') } },
  { id: 3311, resources: { 5850: RW('boolean'), 5851: RW('integer'), 5706: RW('string'), 5750: RW('string') } },
];

export const STANDARD_VALUES: Record<string, InstanceValues> = {
  '/1/0': { 0: 1, 1: 300, 6: false, 7: 'U' },
  '/3/0': {
    0: 'Test Devices Ltd', 1: 'TD-1', 2: 'SN-0001', 3: '1.0.0', 6: { 0: 1, 1: 5 }, 7: { 0: 3800, 1: 5000 },
    9: 87, 11: { 0: 0 }, 13: 1_700_000_000, 14: '+01:00', 16: 'UQ', 17: 'sensor',
  },
  '/5/0': { 1: '', 3: 0, 5: 0, 9: 2 },
  '/3303/0': { 5700: 21.5, 5701: 'Cel', 5601: 18.25, 5602: 24.75, 5750: 'room' },
  '/3311/0': { 5850: true, 5851: 40, 5706: 'FFFFFF', 5750: 'desk lamp' },
};

export class ObjectStore {
  readonly defs = new Map<number, ObjectDef>();
  private readonly data = new Map<number, Map<number, Map<number, Stored>>>();
  /** Write-Attributes as received: path -> query strings */
  readonly attributes = new Map<string, string[]>();

  constructor(defs: ObjectDef[] = STANDARD_OBJECTS, values: Record<string, InstanceValues> = STANDARD_VALUES) {
    for (const d of defs) this.defs.set(d.id, d);
    for (const [p, v] of Object.entries(values)) {
      const [o, i] = parsePath(p) as [number, number];
      this.addInstance(o, i, v);
    }
  }

  define(def: ObjectDef): void {
    this.defs.set(def.id, def);
  }

  resourceDef(o: number, r: number): ResourceDef | undefined {
    return this.defs.get(o)?.resources[r];
  }

  readonly typeOf = (o: number, r: number): ResourceType => this.resourceDef(o, r)?.type ?? 'opaque';

  addInstance(o: number, i: number, values: InstanceValues): void {
    let insts = this.data.get(o);
    if (!insts) this.data.set(o, (insts = new Map()));
    const res = new Map<number, Stored>();
    for (const [r, v] of Object.entries(values)) {
      const def = this.resourceDef(o, Number(r));
      if (def?.multiple) res.set(Number(r), new Map(Object.entries(v as Record<number, Value>).map(([k, x]) => [Number(k), x])));
      else res.set(Number(r), v as Value);
    }
    insts.set(i, res);
  }

  /** Objects and instances for the registration payload, in id order. */
  objects(): { id: number; version: string | undefined; instances: number[] }[] {
    return [...this.data.keys()]
      .sort((a, b) => a - b)
      .map((id) => ({ id, version: this.defs.get(id)?.version, instances: [...this.data.get(id)!.keys()].sort((a, b) => a - b) }));
  }

  hasInstance(o: number, i: number): boolean {
    return this.data.get(o)?.has(i) ?? false;
  }

  instanceIds(o: number): number[] {
    return [...(this.data.get(o)?.keys() ?? [])];
  }

  /** Does the path exist (object, instance, resource with a value or executable, resource instance)? */
  exists(path: number[]): boolean {
    const [o, i, r, ri] = path;
    if (o === undefined) return true;
    const insts = this.data.get(o);
    if (!insts) return false;
    if (i === undefined) return true;
    const res = insts.get(i);
    if (!res) return false;
    if (r === undefined) return true;
    if (this.resourceDef(o, r)?.ops === 'E') return true;
    const v = res.get(r);
    if (v === undefined) return false;
    if (ri === undefined) return true;
    return v instanceof Map && v.has(ri);
  }

  /** The readable values at or below `path`; undefined when the path does not exist. */
  leaves(path: number[], readableOnly = true): Leaf[] | undefined {
    if (!this.exists(path)) return undefined;
    const out: Leaf[] = [];
    const objs = path[0] === undefined ? [...this.data.keys()] : [path[0]];
    for (const o of objs) {
      const insts = this.data.get(o)!;
      for (const i of path[1] === undefined ? [...insts.keys()] : [path[1]]) {
        const res = insts.get(i)!;
        for (const r of path[2] === undefined ? [...res.keys()] : [path[2]]) {
          const def = this.resourceDef(o, r);
          const v = res.get(r);
          if (v === undefined || (readableOnly && def && !def.ops.includes('R'))) continue;
          const type = def?.type ?? 'opaque';
          if (v instanceof Map) {
            for (const [ri, x] of v) if (path[3] === undefined || path[3] === ri) out.push({ path: [o, i, r, ri], type, value: x });
          } else out.push({ path: [o, i, r], type, value: v });
        }
      }
    }
    return out;
  }

  get(path: string): Value | undefined {
    const [o, i, r, ri] = parsePath(path);
    const v = this.data.get(o!)?.get(i!)?.get(r!);
    if (v instanceof Map) return ri === undefined ? undefined : v.get(ri);
    return v;
  }

  /** Values of a multiple resource as { ri: value }. */
  getMulti(path: string): Map<number, Value> | undefined {
    const [o, i, r] = parsePath(path);
    const v = this.data.get(o!)?.get(i!)?.get(r!);
    return v instanceof Map ? v : undefined;
  }

  /** Sets one value, creating the instance if needed. Returns the full paths changed. */
  set(path: string | number[], value: Value): string {
    const ids = typeof path === 'string' ? parsePath(path) : path;
    const [o, i, r, ri] = ids as [number, number, number, number | undefined];
    let insts = this.data.get(o);
    if (!insts) this.data.set(o, (insts = new Map()));
    let res = insts.get(i);
    if (!res) insts.set(i, (res = new Map()));
    if (ri !== undefined) {
      let m = res.get(r);
      if (!(m instanceof Map)) res.set(r, (m = new Map()));
      m.set(ri, value);
    } else res.set(r, value);
    return pathText(ids);
  }

  /**
   * Applies written leaves. `replace`: a PUT; a resource written as multiple gets exactly the
   * written instances. Returns a CoAP code: 2.04, 4.04 (unknown), 4.05 (not writable).
   */
  write(path: number[], leaves: readonly Leaf[], replace: boolean, checkWritable = true): string {
    for (const l of leaves) {
      if (!pathText(l.path).startsWith(pathText(path))) return '4.00';
      const def = this.resourceDef(l.path[0]!, l.path[2]!);
      if (!def) return '4.04';
      if (checkWritable && !def.ops.includes('W')) return '4.05';
      if (l.path.length === 4 && !def.multiple) return '4.00';
    }
    const cleared = new Set<string>();
    for (const l of leaves) {
      const resPath = pathText(l.path.slice(0, 3));
      const res = this.data.get(l.path[0]!)?.get(l.path[1]!);
      if (l.path.length === 4 && res && (replace || path.length === 3) && path.length <= 3 && !cleared.has(resPath)) {
        res.delete(l.path[2]!);
        cleared.add(resPath);
      }
      this.set(l.path, l.value);
    }
    return '2.04';
  }

  /** Create: a new instance from written leaves (ids already placed). */
  create(o: number, i: number, leaves: readonly Leaf[]): string {
    if (!this.defs.has(o)) return '4.04';
    if (this.hasInstance(o, i)) return '4.00';
    for (const l of leaves) if (l.path[0] !== o || l.path[1] !== i || !this.resourceDef(o, l.path[2]!)) return '4.00';
    this.addInstance(o, i, {});
    for (const l of leaves) this.set(l.path, l.value);
    return '2.01';
  }

  delete(path: number[]): string {
    const [o, i, r, ri] = path;
    if (o === undefined || i === undefined) return '4.05';
    if (!this.exists(path)) return '4.04';
    if (r === undefined) {
      this.data.get(o)!.delete(i);
      return '2.02';
    }
    const v = this.data.get(o)!.get(i)!.get(r);
    if (ri === undefined || !(v instanceof Map)) return '4.05';
    v.delete(ri);
    return '2.02';
  }

  nextInstanceId(o: number): number {
    const ids = this.instanceIds(o);
    let id = 0;
    while (ids.includes(id)) id++;
    return id;
  }

  /** Discover (link-format): the path and everything below it, with written attributes. */
  discover(path: number[]): string | undefined {
    if (path.length === 0 || path.length > 3 || !this.exists(path)) return undefined;
    const [o] = path as [number];
    const links: string[] = [];
    const link = (ids: number[], extra = ''): void => {
      const p = pathText(ids);
      const attrs = (this.attributes.get(p) ?? []).map((a) => `;${a}`).join('');
      links.push(`<${p}>${extra}${attrs}`);
    };
    const ver = this.defs.get(o)?.version;
    link(path, path.length === 1 && ver ? `;ver=${ver}` : '');
    const insts = path.length >= 2 ? [path[1]!] : this.instanceIds(o);
    for (const i of insts) {
      if (path.length === 1) link([o, i]);
      const res = this.data.get(o)!.get(i)!;
      if (path.length === 3) {
        const v = res.get(path[2]!);
        if (v instanceof Map) links[0] += `;dim=${v.size}`;
        continue;
      }
      const ids = new Set([...res.keys()]);
      for (const [r, def] of Object.entries(this.defs.get(o)?.resources ?? {})) if (def.ops === 'E') ids.add(Number(r));
      for (const r of [...ids].sort((a, b) => a - b)) {
        const v = res.get(r);
        link([o, i, r], v instanceof Map ? `;dim=${v.size}` : '');
      }
    }
    return links.join(',');
  }
}

export { FormatError };
