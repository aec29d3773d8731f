/** LwM2M values as the API gives them: flattened to resource paths, shown, and parsed from inputs by type. */

/** One value of a numeric resource at a time (ms), for the plots. */
export interface Point {
  t: number;
  v: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/**
 * The value at `path` (as a read, a notification or a Send gives it) as leaf values by
 * path: an object `{ iid: { rid: v } }`, an instance `{ rid: v }`, a multiple resource
 * `{ ri: v }`, or one value.
 */
export function flatten(path: string, value: JsonValue, out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  const depth = path.split('/').filter(Boolean).length;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 4) {
    for (const [k, v] of Object.entries(value)) flatten(`${path}/${k}`, v, out);
    // a multiple resource: its instances, and the resource as a whole
    if (depth === 3) out.set(path, value);
    return out;
  }
  out.set(path, value);
  return out;
}

export function show(v: JsonValue | undefined, type?: string): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (type === 'time' && typeof v === 'number') return `${new Date(v * 1000).toISOString().replace('.000Z', 'Z')} (${v})`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const NUMERIC = new Set(['integer', 'unsigned', 'float']);

/** The JSON value of an input's text for a resource of `type`; a string saying what is wrong otherwise. */
export function parseInput(text: string, type: string, multiple: boolean): { value: JsonValue } | { error: string } {
  const t = text.trim();
  if (multiple) {
    try {
      const v = JSON.parse(t) as JsonValue;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'a multiple resource takes {"0": value, ...}' };
      return { value: v };
    } catch {
      return { error: 'a multiple resource takes JSON: {"0": value, ...}' };
    }
  }
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'float': {
      if (t === '' || !Number.isFinite(Number(t))) return { error: `${type} needs a number` };
      if (type !== 'float' && !Number.isInteger(Number(t))) return { error: `${type} needs a whole number` };
      // integers beyond 2^53 go as decimal strings
      return { value: type !== 'float' && !Number.isSafeInteger(Number(t)) ? t : Number(t) };
    }
    case 'boolean':
      if (t !== 'true' && t !== 'false') return { error: 'boolean: true or false' };
      return { value: t === 'true' };
    case 'time':
      return { value: /^-?\d+$/.test(t) ? Number(t) : t };
    default:
      return { value: text };
  }
}

/** Relative time, "12 s ago". */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 0) return `in ${ago(new Date(now + (now - Date.parse(iso))).toISOString(), now)}`;
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A JSON object of resource id -> value typed into a form, or the error to show (`example`: a sample for the message). */
export function parseValuesObject(text: string, example: string): { values: Record<string, JsonValue> } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: `the values must be JSON: ${example}` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'the values must be an object of resource id -> value' };
  return { values: v as Record<string, JsonValue> };
}
