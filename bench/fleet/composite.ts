/**
 * A simulated client's composite operations (LwM2M 1.1, 5.4.5, 5.4.6 and 5.5.2), on the
 * root path: Read-Composite and Observe-Composite (FETCH with a SenML JSON or CBOR list of
 * paths, answered in the Accept format, SenML JSON or CBOR) and Write-Composite (iPATCH
 * with SenML values, all or nothing). Pure: no socket here.
 */
import { CF, coerce, decodeSenml, encode } from './formats.js';
import { OBJECTS, collect, resourceDef, type ClientView, type Rec, type Value, type ValueMode } from './objects.js';

/** at most this many paths in one composite request */
export const MAX_COMPOSITE_PATHS = 64;

const SENML: readonly number[] = [CF.SENML_JSON, CF.SENML_CBOR];

/** "/3303/0/5700" as ids; undefined when it is not an LwM2M path. "/" is the root: []. */
export function pathIds(name: string): number[] | undefined {
  if (name.length > 40 || !name.startsWith('/')) return undefined;
  const parts = name === '/' ? [] : name.slice(1).split('/');
  if (parts.length > 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,5}$/.test(p)) return undefined;
    out.push(Number(p));
  }
  return out;
}

/** The paths of a Read- or Observe-Composite request body, or a CoAP error code. */
export function decodePathList(format: number | undefined, payload: Buffer): number[][] | '4.00' | '4.15' {
  const pairs = decodeSenml(format, payload, MAX_COMPOSITE_PATHS, true);
  if (typeof pairs === 'string') return pairs.startsWith('4.15') ? '4.15' : '4.00';
  const out: number[][] = [];
  for (const [name] of pairs) {
    const ids = pathIds(name);
    if (!ids) return '4.00';
    out.push(ids);
  }
  return out;
}

/** The answer's format: the Accept if SenML, else the request's SenML format; undefined: 4.06. */
export function compositeFormat(accept: number | undefined, requestFormat: number | undefined): number | undefined {
  if (accept !== undefined) return SENML.includes(accept) ? accept : undefined;
  return requestFormat !== undefined && SENML.includes(requestFormat) ? requestFormat : CF.SENML_CBOR;
}

/**
 * The values at `paths` in one SenML pack. A path the client does not have, or cannot
 * read, is left out; none readable at all is 4.04.
 */
export function renderComposite(c: ClientView, paths: readonly number[][], format: number, now: number, mode: ValueMode): { code: string; payload?: Buffer } {
  const recs: Rec[] = [];
  for (const p of paths) {
    const list = p.length === 0 ? OBJECTS.map((o) => [o.id]) : [p];
    for (const q of list) {
      const got = collect(c, q, now, mode);
      if (typeof got !== 'string') recs.push(...got);
    }
  }
  if (recs.length === 0) return { code: '4.04' };
  const payload = encode(format, recs, 0);
  return payload ? { code: '2.05', payload } : { code: '4.06' };
}

/** Write-Composite: every value is checked before any is stored. */
export function writeComposite(c: ClientView, format: number | undefined, payload: Buffer): string {
  const pairs = decodeSenml(format, payload, MAX_COMPOSITE_PATHS);
  if (typeof pairs === 'string') return pairs.startsWith('4.15') ? '4.15' : '4.00';
  const values: [string, Value][] = [];
  for (const [name, raw] of pairs) {
    const ids = pathIds(name);
    if (!ids || ids.length !== 3) return '4.00';
    const [o, i, r] = ids as [number, number, number];
    const def = resourceDef(o, r);
    if (!def || i !== 0) return '4.04';
    if (!def.writable) return '4.05';
    const v = coerce(def.kind, raw);
    if (v === undefined) return '4.00';
    values.push([`${o}/0/${r}`, v]);
  }
  const w = (c.written ??= new Map());
  for (const [k, v] of values) w.set(k, v);
  return '2.04';
}
