/**
 * SenML value fields <-> typed LwM2M values.
 * The model types a record's value; a resource the model does not know keeps the type its
 * value field gives (v -> integer or float, vs -> string, vb -> boolean, vd -> opaque,
 * vlo -> objlnk; a tagged date/time of SenML CBOR -> time) and is flagged `unknown`.
 */
import type { ObjLink, Value } from '../node.js';
import type { ResourceModel, ResourceType } from '../model/types.js';
import { CodecError } from './codec.js';
import { decodeBase64, parseObjLink, type RawValue } from './senml-records.js';
import { parseTimeText } from './lwm2m-cbor-values.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

export interface TypedValue {
  type: ResourceType;
  value: Value;
  unknown?: boolean;
}

function canonical(v: bigint): number | bigint {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

function fieldName(raw: RawValue): string {
  switch (raw.k) {
    case 'num': return 'v';
    case 'str': return 'vs';
    case 'bool': return 'vb';
    case 'bytes': return 'vd';
    case 'objlnk': return 'vlo';
  }
}

function mismatch(type: ResourceType, raw: RawValue, why = ''): CodecError {
  return new CodecError('TYPE_MISMATCH', `a ${fieldName(raw)} value does not fit a ${type} resource${why}`);
}

/** An integral number as bigint, or undefined if it is not integral. */
function integral(raw: RawValue & { k: 'num' }): bigint | undefined {
  if (typeof raw.v === 'bigint') return raw.v;
  return Number.isInteger(raw.v) ? BigInt(raw.v) : undefined;
}

function toInteger(type: ResourceType, raw: RawValue, min: bigint, max: bigint): number | bigint {
  if (raw.k !== 'num') throw mismatch(type, raw);
  const b = integral(raw);
  if (b === undefined) throw mismatch(type, raw, ' (not an integer)');
  if (b < min || b > max) throw mismatch(type, raw, ' (out of range)');
  return canonical(b);
}

/** Seconds since the epoch of a v (number, tag 1 or not) or a tag 0 vs (RFC 3339 text). */
function toTime(raw: RawValue): number {
  if (raw.k === 'str' && raw.tag === 0) {
    const t = parseTimeText(raw.v);
    if (t === undefined) throw new CodecError('TYPE_MISMATCH', `"${raw.v.slice(0, 40)}" is not an RFC 3339 date/time`);
    return t;
  }
  if (raw.k !== 'num') throw mismatch('time', raw);
  const n = typeof raw.v === 'bigint' ? Number(raw.v) : raw.v;
  if (!Number.isFinite(n)) throw mismatch('time', raw, ' (not finite)');
  return Math.trunc(n);
}

function isTagged(raw: RawValue): boolean {
  return (raw.k === 'num' || raw.k === 'str') && raw.tag !== undefined;
}

/** The typed value of one record, typed by `rm` (or guessed from the field when rm is undefined). */
export function toTyped(raw: RawValue, rm: ResourceModel | undefined): TypedValue {
  if (!rm || rm.type === 'none') return guess(raw);
  const type = rm.type;
  // a tagged date/time (tag 1 or 0, SenML CBOR) is a Time value, nothing else
  if (type !== 'time' && isTagged(raw)) throw mismatch(type, raw, ' (a tagged date/time)');
  switch (type) {
    case 'integer':
      return { type, value: toInteger(type, raw, INT64_MIN, INT64_MAX) };
    case 'unsigned':
      return { type, value: toInteger(type, raw, 0n, UINT64_MAX) };
    case 'time':
      return { type, value: toTime(raw) };
    case 'float':
      if (raw.k !== 'num') throw mismatch(type, raw);
      return { type, value: typeof raw.v === 'bigint' ? Number(raw.v) : raw.v };
    case 'boolean':
      if (raw.k !== 'bool') throw mismatch(type, raw);
      return { type, value: raw.v };
    case 'string':
    case 'corelnk':
      if (raw.k !== 'str') throw mismatch(type, raw);
      return { type, value: raw.v };
    case 'opaque':
      if (raw.k === 'bytes') return { type, value: raw.v };
      if (raw.k === 'str') return { type, value: decodeBase64(raw.v) };
      throw mismatch(type, raw);
    case 'objlnk':
      if (raw.k !== 'objlnk' && raw.k !== 'str') throw mismatch(type, raw);
      return { type, value: parseObjLink(raw.v) };
  }
}

function guess(raw: RawValue): TypedValue {
  if (isTagged(raw)) return { type: 'time', value: toTime(raw), unknown: true };
  switch (raw.k) {
    case 'num': {
      const b = raw.int ? integral(raw) : undefined;
      if (b === undefined) return { type: 'float', value: Number(raw.v), unknown: true };
      if (b >= INT64_MIN && b <= INT64_MAX) return { type: 'integer', value: canonical(b), unknown: true };
      if (b > 0n && b <= UINT64_MAX) return { type: 'unsigned', value: canonical(b), unknown: true };
      return { type: 'float', value: Number(b), unknown: true };
    }
    case 'str':
      return { type: 'string', value: raw.v, unknown: true };
    case 'bool':
      return { type: 'boolean', value: raw.v, unknown: true };
    case 'bytes':
      return { type: 'opaque', value: raw.v, unknown: true };
    case 'objlnk':
      try {
        return { type: 'objlnk', value: parseObjLink(raw.v), unknown: true };
      } catch {
        return { type: 'string', value: raw.v, unknown: true };
      }
  }
}

function badValue(type: ResourceType, value: Value): CodecError {
  const shown = value instanceof Uint8Array ? `${value.length} bytes` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  return new CodecError('TYPE_MISMATCH', `value ${shown.slice(0, 40)} (${typeof value}) does not fit type ${type}`);
}

function isObjLink(v: Value): v is ObjLink {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return false;
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;
  return ok(v.objectId) && ok(v.instanceId);
}

function integerField(type: ResourceType, value: Value, min: bigint, max: bigint): RawValue {
  let b: bigint;
  if (typeof value === 'bigint') b = value;
  else if (typeof value === 'number' && Number.isInteger(value)) b = BigInt(value);
  else throw badValue(type, value);
  if (b < min || b > max) throw badValue(type, value);
  return { k: 'num', v: canonical(b), int: true };
}

/** The value field for a typed value; undefined for type 'none' (nothing to carry). */
export function fromTyped(type: ResourceType, value: Value): RawValue | undefined {
  switch (type) {
    case 'none':
      return undefined;
    case 'integer':
      return integerField(type, value, INT64_MIN, INT64_MAX);
    case 'unsigned':
      return integerField(type, value, 0n, UINT64_MAX);
    case 'time':
      return integerField(type, value, INT64_MIN, INT64_MAX);
    case 'float':
      if (typeof value === 'number') return { k: 'num', v: value, int: false };
      if (typeof value === 'bigint') return { k: 'num', v: Number(value), int: false };
      throw badValue(type, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(type, value);
      return { k: 'bool', v: value };
    case 'string':
    case 'corelnk':
      if (typeof value !== 'string') throw badValue(type, value);
      return { k: 'str', v: value };
    case 'opaque':
      if (!(value instanceof Uint8Array)) throw badValue(type, value);
      return { k: 'bytes', v: value };
    case 'objlnk':
      if (!isObjLink(value)) throw badValue(type, value);
      return { k: 'objlnk', v: `${value.objectId}:${value.instanceId}` };
  }
}
