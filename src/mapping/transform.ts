/**
 * Value transforms (scale, offset, round, enum map, boolean labels), compiled into
 * plain functions. `forward` runs on published values; `reverse` undoes scale, offset,
 * map and boolean labels on written values (round cannot be undone).
 */
import type { ResourceType } from '../lwm2m/model/types.js';
import type { Value } from '../lwm2m/node.js';
import type { TransformSpec } from './types.js';
import type { LeafValue } from './values.js';

export interface Transform {
  forward(v: Value): Value;
  reverse(v: unknown): unknown;
}

const NUMERIC: ReadonlySet<ResourceType> = new Set(['integer', 'unsigned', 'float', 'time']);

/** Why this transform does not fit a resource of this type, or undefined when it does. */
export function transformProblem(spec: TransformSpec, type: ResourceType): string | undefined {
  if ((spec.scale !== undefined || spec.offset !== undefined || spec.round !== undefined) && !NUMERIC.has(type)) {
    return `scale, offset and round apply to numbers; this resource is ${type}`;
  }
  if (spec.boolean !== undefined && type !== 'boolean') return `boolean labels apply to boolean resources; this resource is ${type}`;
  return undefined;
}

export function compileTransform(spec: TransformSpec): Transform {
  const scale = spec.scale ?? 1;
  const offset = spec.offset ?? 0;
  const factor = spec.round !== undefined ? 10 ** spec.round : undefined;
  const map = spec.map ? new Map(Object.entries(spec.map)) : undefined;
  const reverseMap = spec.map ? new Map(Object.entries(spec.map).map(([k, v]) => [String(v), k])) : undefined;
  const labels = spec.boolean;
  const numeric = scale !== 1 || offset !== 0 || factor !== undefined;

  const forward = (v: Value): Value => {
    let out: Value = v;
    if (numeric && (typeof out === 'number' || typeof out === 'bigint')) {
      let n = Number(out) * scale + offset;
      if (factor !== undefined) n = Math.round(n * factor) / factor;
      out = n;
    }
    if (map && out !== null && (typeof out === 'string' || typeof out === 'number' || typeof out === 'bigint' || typeof out === 'boolean')) {
      const hit = map.get(String(out));
      if (hit !== undefined) out = hit;
    }
    if (labels && typeof out === 'boolean') out = out ? labels.true : labels.false;
    return out;
  };

  const reverse = (v: unknown): unknown => {
    let out = v;
    if (labels) {
      if (out === labels.true || String(out) === String(labels.true)) return true;
      if (out === labels.false || String(out) === String(labels.false)) return false;
    }
    if (reverseMap && (typeof out === 'string' || typeof out === 'number' || typeof out === 'boolean')) {
      const hit = reverseMap.get(String(out));
      if (hit !== undefined) out = hit;
    }
    if (numeric && (scale !== 1 || offset !== 0)) {
      const n = typeof out === 'number' ? out : typeof out === 'string' && out.trim() !== '' ? Number(out) : NaN;
      if (Number.isFinite(n)) out = (n - offset) / scale;
    }
    return out;
  };
  return { forward, reverse };
}

/** Applies a transform to a single value or to each instance of a multiple resource. */
export function applyForward(t: Transform | undefined, v: LeafValue | undefined): LeafValue | undefined {
  if (!t || v === undefined) return v;
  if (v instanceof Map) {
    const out = new Map<number, Value>();
    for (const [k, x] of v) out.set(k, t.forward(x));
    return out;
  }
  return t.forward(v as Value);
}
