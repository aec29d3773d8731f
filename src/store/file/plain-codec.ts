/**
 * The values the server keeps (registrations, observations, queued requests, credentials)
 * as JSON and back: Maps, byte arrays, bigints, LwM2M paths, `undefined` and non-finite
 * numbers become tagged objects of one key (`{"$m":[...]}`), and a key of a plain object
 * that starts with `$` is written with one more `$`, so nothing a device sent (a query
 * parameter named `$m`) is ever read back as a tag.
 *
 * Reading back is for text from disk: hostile-ish. Depth, Map sizes, byte lengths and
 * bigint digits are bounded; an unknown tag or a bad value throws PlainCodecError (the
 * record is corrupt), never anything else.
 */
import { LwM2mPath } from '../../lwm2m/path.js';

export class PlainCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlainCodecError';
  }
}

/** how deep a value nests (a node tree with a Map per level is 10 or so) */
const MAX_DEPTH = 48;
const MAX_BIGINT_DIGITS = 80;
const DIGITS = /^-?[0-9]+$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `value` as a JSON-able tree (throws PlainCodecError on a function, a class it does not know, or a cycle deeper than the bound). */
export function toPlain(value: unknown, depth = 0): Json {
  if (depth > MAX_DEPTH) throw new PlainCodecError('value nests too deep');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { $f: String(value) };
    case 'bigint':
      return { $n: value.toString() };
    case 'undefined':
      return { $x: 0 };
    case 'object':
      break;
    default:
      throw new PlainCodecError(`a ${typeof value} cannot be stored`);
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    const out = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toPlain(value[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null) return plainObject(value as Record<string, unknown>, depth);
  if (value instanceof Map) {
    const entries: Json[] = [];
    for (const [k, v] of value) entries.push([toPlain(k, depth + 1), toPlain(v, depth + 1)]);
    return { $m: entries };
  }
  if (Buffer.isBuffer(value)) return { $B: value.toString('base64') };
  if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof LwM2mPath) return { $p: value.toString() };
  throw new PlainCodecError('an object of a class cannot be stored');
}

function plainObject(value: Record<string, unknown>, depth: number): Json {
  const out: { [key: string]: Json } = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v === 'function') continue; // a queued request's callbacks: runtime state
    const name = k.charCodeAt(0) === 36 /* $ */ ? '$' + k : k;
    // a key named __proto__ stays a plain key
    if (name === '__proto__') Object.defineProperty(out, name, { value: toPlain(v, depth + 1), enumerable: true, writable: true, configurable: true });
    else out[name] = toPlain(v, depth + 1);
  }
  return out;
}

/** A plain object's key as written: `$` escaped, as JSON text (cached: the keys of stored records are few). */
const keyTexts = new Map<string, string>();
const MAX_KEY_TEXTS = 1024;

function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = JSON.stringify(k.charCodeAt(0) === 36 /* $ */ ? '$' + k : k);
    if (keyTexts.size < MAX_KEY_TEXTS) keyTexts.set(k, t);
  }
  return t;
}

/**
 * `JSON.stringify(toPlain(value))` in one walk, without the intermediate tree (the file
 * store writes a line per registration and observation): the same text, the same errors.
 */
export function plainJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new PlainCodecError('value nests too deep');
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `{"$f":"${String(value)}"}`;
    case 'bigint':
      return `{"$n":"${value.toString()}"}`;
    case 'undefined':
      return '{"$x":0}';
    case 'object':
      break;
    default:
      throw new PlainCodecError(`a ${typeof value} cannot be stored`);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i > 0 ? ',' : '') + plainJson(value[i], depth + 1);
    return s + ']';
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null) {
    const o = value as Record<string, unknown>;
    let s = '{';
    let first = true;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'function') continue; // a queued request's callbacks: runtime state
      s += (first ? '' : ',') + keyText(k) + ':' + plainJson(v, depth + 1);
      first = false;
    }
    return s + '}';
  }
  if (value instanceof Map) {
    let s = '{"$m":[';
    let first = true;
    for (const [k, v] of value) {
      s += (first ? '[' : ',[') + plainJson(k, depth + 1) + ',' + plainJson(v, depth + 1) + ']';
      first = false;
    }
    return s + ']}';
  }
  if (Buffer.isBuffer(value)) return `{"$B":"${value.toString('base64')}"}`;
  if (value instanceof Uint8Array) return `{"$b":"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"}`;
  if (value instanceof LwM2mPath) return `{"$p":${JSON.stringify(value.toString())}}`;
  throw new PlainCodecError('an object of a class cannot be stored');
}

export interface PlainLimits {
  /** entries of one Map, items of one array */
  maxEntries: number;
  /** bytes of one byte array */
  maxBytes: number;
}

export const DEFAULT_PLAIN_LIMITS: PlainLimits = { maxEntries: 100_000, maxBytes: 4 * 1024 * 1024 };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(text: unknown, limits: PlainLimits): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) throw new PlainCodecError('bad base64');
  if ((text.length / 4) * 3 > limits.maxBytes + 2) throw new PlainCodecError('byte array too long');
  return Buffer.from(text, 'base64');
}

function fromTag(tag: string, v: unknown, depth: number, limits: PlainLimits): unknown {
  switch (tag) {
    case '$m': {
      if (!Array.isArray(v) || v.length > limits.maxEntries) throw new PlainCodecError('bad map');
      const m = new Map<unknown, unknown>();
      for (const e of v as unknown[]) {
        if (!Array.isArray(e) || e.length !== 2) throw new PlainCodecError('bad map entry');
        m.set(fromPlain(e[0], limits, depth + 1), fromPlain(e[1], limits, depth + 1));
      }
      return m;
    }
    case '$B':
      return bytesOf(v, limits);
    case '$b': {
      const b = bytesOf(v, limits);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case '$n':
      if (typeof v !== 'string' || v.length > MAX_BIGINT_DIGITS || !DIGITS.test(v)) throw new PlainCodecError('bad bigint');
      return BigInt(v);
    case '$p':
      if (typeof v !== 'string' || v.length > 32) throw new PlainCodecError('bad path');
      try {
        return LwM2mPath.parse(v);
      } catch {
        throw new PlainCodecError('bad path');
      }
    case '$f':
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      throw new PlainCodecError('bad number');
    case '$x':
      return undefined;
    default:
      throw new PlainCodecError('unknown tag');
  }
}

/** A tree toPlain made (parsed from JSON) back as values. Throws PlainCodecError on anything else. */
export function fromPlain(json: unknown, limits: PlainLimits = DEFAULT_PLAIN_LIMITS, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new PlainCodecError('value nests too deep');
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) {
    if (json.length > limits.maxEntries) throw new PlainCodecError('array too long');
    return json.map((v: unknown) => fromPlain(v, limits, depth + 1));
  }
  const keys = Object.keys(json);
  const first = keys[0];
  if (keys.length === 1 && first !== undefined && first.startsWith('$') && !first.startsWith('$$')) {
    return fromTag(first, (json as Record<string, unknown>)[first], depth, limits);
  }
  if (keys.length > limits.maxEntries) throw new PlainCodecError('object too large');
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k.startsWith('$') && !k.startsWith('$$')) throw new PlainCodecError('unescaped $ key');
    const name = k.startsWith('$') ? k.slice(1) : k;
    // defineProperty: a key named __proto__ stays a plain key
    Object.defineProperty(out, name, { value: fromPlain((json as Record<string, unknown>)[k], limits, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
