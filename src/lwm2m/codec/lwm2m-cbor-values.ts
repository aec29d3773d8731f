/**
 * LwM2M resource values in CBOR (LwM2M 1.2 Core, Appendix C, data type mapping, shared by
 * the CBOR, LwM2M CBOR and SenML CBOR formats):
 *   String, Corelnk  text string
 *   Integer          major type 0/1 (64-bit)
 *   Unsigned Integer major type 0 (64-bit)
 *   Float            half/single/double float
 *   Boolean          true / false
 *   Opaque           byte string
 *   Time             "date/time ... as defined in Section 2.4.1 of RFC 7049": written as
 *                    tag 1 and integer epoch seconds, 1(1367491215) = c1 1a 5182428f; read
 *                    as tag 1, tag 0 (RFC 3339 text), or a plain integer or float
 *   Objlnk           text string "objectId:instanceId"
 * Decoding is lenient where no information is lost: integers are accepted for Float,
 * integral floats and decimal fractions (tag 4) for Integer, bignums (tags 2/3) for 64-bit
 * values.
 */
import { CodecError } from './codec.js';
import type { ResourceType } from '../model/types.js';
import type { ObjLink, Value } from '../node.js';
import { isFloat, isTag, type CborItem } from './lwm2m-cbor-reader.js';
import type { CborWriter } from './lwm2m-cbor-writer.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const OBJLNK = /^(\d{1,5}):(\d{1,5})$/;

function mismatch(type: ResourceType, what: string): CodecError {
  return new CodecError('TYPE_MISMATCH', `${what} cannot be a ${type} value`);
}

function describe(item: CborItem): string {
  if (item === null) return 'null';
  if (Array.isArray(item)) return 'an array';
  if (item instanceof Uint8Array) return 'a byte string';
  if (typeof item === 'object') return isTag(item) ? `tag ${item.tag}` : item.kind === 'float' ? 'a float' : 'a map';
  return `a ${typeof item}`;
}

/** Integer-valued bignum (tag 2/3) or decimal fraction (tag 4) as bigint, else undefined. */
function tagNumber(item: CborItem): number | bigint | undefined {
  if (!isTag(item)) return undefined;
  if ((item.tag === 2 || item.tag === 3) && item.value instanceof Uint8Array) {
    let v = 0n;
    for (const b of item.value) v = (v << 8n) | BigInt(b);
    return item.tag === 2 ? v : -1n - v;
  }
  if ((item.tag === 4 || item.tag === 5) && Array.isArray(item.value) && item.value.length === 2) {
    const [e, m] = item.value;
    if (typeof e === 'number' && (typeof m === 'number' || typeof m === 'bigint') && Math.abs(e) <= 400) {
      return item.tag === 4 ? Number(`${m}e${e}`) : Number(m) * 2 ** e;
    }
  }
  return undefined;
}

function canonical(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Any integer-valued item as a bigint, or undefined. */
function integral(item: CborItem): bigint | undefined {
  if (typeof item === 'number') return BigInt(item);
  if (typeof item === 'bigint') return item;
  const f = isFloat(item) ? item.value : tagNumber(item);
  if (typeof f === 'bigint') return f;
  if (typeof f === 'number' && Number.isInteger(f)) return BigInt(f);
  return undefined;
}

/** Seconds since the epoch of an RFC 3339 date-time (rounded down), or undefined. */
export function parseTimeText(s: string): number | undefined {
  // RFC 3339 date-time only; Date.parse alone accepts far more
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The value of `item` as a resource of `type`. */
export function decodeValue(item: CborItem, type: ResourceType): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof item === 'string') return item;
      break;
    case 'opaque':
      if (item instanceof Uint8Array) return item;
      break;
    case 'boolean':
      if (typeof item === 'boolean') return item;
      break;
    case 'float': {
      if (isFloat(item)) return item.value;
      if (typeof item === 'number') return item;
      if (typeof item === 'bigint') return Number(item);
      const t = tagNumber(item);
      if (t !== undefined) return Number(t);
      break;
    }
    case 'integer': {
      if (typeof item === 'number') return item; // the reader gives numbers inside the safe range only
      const v = integral(item);
      if (v !== undefined) {
        if (v < INT64_MIN || v > INT64_MAX) throw new CodecError('TYPE_MISMATCH', `integer ${v} outside 64 bits`);
        return canonical(v);
      }
      break;
    }
    case 'unsigned': {
      if (typeof item === 'number' && item >= 0) return item;
      const v = integral(item);
      if (v !== undefined) {
        if (v < 0n || v > UINT64_MAX) throw new CodecError('TYPE_MISMATCH', `unsigned integer ${v} out of range`);
        return canonical(v);
      }
      break;
    }
    case 'time': {
      const inner = isTag(item) && (item.tag === 0 || item.tag === 1) ? item.value : item;
      if (typeof inner === 'string') {
        const t = parseTimeText(inner);
        if (t !== undefined) return t;
        throw new CodecError('TYPE_MISMATCH', `"${inner.slice(0, 40)}" is not a date/time`);
      }
      if (isFloat(inner)) {
        if (!Number.isFinite(inner.value) || Math.abs(inner.value) > Number.MAX_SAFE_INTEGER) throw mismatch(type, 'a non-finite float');
        return Math.floor(inner.value);
      }
      if (typeof inner === 'number') return inner;
      const v = integral(inner);
      if (v !== undefined) {
        if (v < INT64_MIN || v > INT64_MAX) throw new CodecError('TYPE_MISMATCH', `time ${v} outside 64 bits`);
        return canonical(v);
      }
      break;
    }
    case 'objlnk':
      if (typeof item === 'string') {
        const m = OBJLNK.exec(item);
        const o = Number(m?.[1]);
        const i = Number(m?.[2]);
        if (m && o <= 65535 && i <= 65535) return { objectId: o, instanceId: i };
        throw new CodecError('TYPE_MISMATCH', `"${item.slice(0, 40)}" is not an object link`);
      }
      break;
    case 'none':
      if (item === null || item === undefined) return null;
      break;
  }
  throw mismatch(type, describe(item));
}

/** The type a value without a model most likely has (the resource is then flagged unknown). */
export function guessType(item: CborItem): ResourceType {
  if (typeof item === 'string') return 'string';
  if (item instanceof Uint8Array) return 'opaque';
  if (typeof item === 'boolean') return 'boolean';
  if (typeof item === 'number' || typeof item === 'bigint') return 'integer';
  if (isFloat(item)) return 'float';
  if (isTag(item)) {
    if (item.tag === 0 || item.tag === 1) return 'time';
    if (item.tag === 2 || item.tag === 3) return 'integer';
    if (item.tag === 4 || item.tag === 5) return 'float';
  }
  throw new CodecError('MALFORMED', `${describe(item)} is not a resource value`);
}

function isObjLink(v: Value): v is ObjLink {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array);
}

function isIntegral(v: Value): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

function inInt64(v: number | bigint): boolean {
  const b = BigInt(v);
  return b >= INT64_MIN && b <= INT64_MAX;
}

/** Writes `value` as a resource of `type`; TYPE_MISMATCH when it does not fit. */
export function encodeValue(w: CborWriter, type: ResourceType, value: Value): void {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof value === 'string') return w.text(value);
      break;
    case 'opaque':
      if (value instanceof Uint8Array) return w.bytes(value);
      break;
    case 'boolean':
      if (typeof value === 'boolean') return w.bool(value);
      break;
    case 'float':
      if (typeof value === 'number') return w.float(value);
      if (typeof value === 'bigint') return w.float(Number(value));
      break;
    case 'time':
      // RFC 7049 2.4.1 (Table C.-2): tag 1 and the epoch seconds, 1(1367491215) = c1 1a 5182428f
      if (isIntegral(value) && inInt64(value)) {
        w.tag(1);
        return w.int(value);
      }
      if (isIntegral(value)) throw new CodecError('TYPE_MISMATCH', `time ${value} outside 64 bits`);
      break;
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return w.int(value);
      if (isIntegral(value)) {
        if (!inInt64(value)) throw new CodecError('TYPE_MISMATCH', `integer ${value} outside 64 bits`);
        return w.int(value);
      }
      break;
    case 'unsigned':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return w.int(value);
      if (isIntegral(value)) {
        const b = BigInt(value);
        if (b < 0n || b > UINT64_MAX) throw new CodecError('TYPE_MISMATCH', `unsigned integer ${b} out of range`);
        return w.int(value);
      }
      break;
    case 'objlnk':
      if (isObjLink(value)) {
        const { objectId: o, instanceId: i } = value;
        if (Number.isInteger(o) && Number.isInteger(i) && o >= 0 && i >= 0 && o <= 65535 && i <= 65535) return w.text(`${o}:${i}`);
      }
      break;
    case 'none':
      if (value === null) return w.nil();
      break;
  }
  throw new CodecError('TYPE_MISMATCH', `${value === null ? 'null' : typeof value} value for a ${type} resource`);
}
