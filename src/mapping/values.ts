/**
 * Resource values as text and JSON (northbound), and back from text/JSON to typed
 * values for writes.
 */
import type { ResourceType } from '../lwm2m/model/types.js';
import type { ObjLink, Value } from '../lwm2m/node.js';

/** A single resource value, or a multiple resource's instances (resource instance id -> value). */
export type LeafValue = Value | ReadonlyMap<number, Value>;

function isObjLink(v: unknown): v is ObjLink {
  return typeof v === 'object' && v !== null && 'objectId' in v && 'instanceId' in v;
}

export function valueToJson(v: LeafValue | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) out[String(k)] = valueToJson(x);
    return out;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (isObjLink(v)) return `${v.objectId}:${v.instanceId}`;
  return v;
}

export function valueToText(v: LeafValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Map) return JSON.stringify(valueToJson(v));
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return String(valueToJson(v));
}

export class ValueError extends Error {}

function toInteger(v: unknown, unsigned: boolean): number | bigint {
  let out: number | bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ValueError(`not an integer: ${v}`);
    out = v;
  } else if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) {
    const n = Number(v);
    out = Number.isSafeInteger(n) ? n : BigInt(v.trim());
  } else throw new ValueError(`not an integer: ${JSON.stringify(v)}`);
  if (unsigned && out < 0) throw new ValueError(`not an unsigned integer: ${String(out)}`);
  return out;
}

function toNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new ValueError(`not a number: ${JSON.stringify(v)}`);
  return n;
}

function toBoolean(v: unknown): boolean {
  if (v === true || v === 1 || v === 'true' || v === '1') return true;
  if (v === false || v === 0 || v === 'false' || v === '0') return false;
  throw new ValueError(`not a boolean: ${JSON.stringify(v)}`);
}

/**
 * A value from a command (JSON value or text) as the resource type wants it.
 * time: seconds since epoch or an ISO 8601 date; opaque: base64; objlnk: "3:0".
 */
export function parseValue(v: unknown, type: ResourceType): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw new ValueError(`not a string: ${JSON.stringify(v)}`);
    case 'integer':
      return toInteger(v, false);
    case 'unsigned':
      return toInteger(v, true);
    case 'float':
      return toNumber(v);
    case 'boolean':
      return toBoolean(v);
    case 'time': {
      if (typeof v === 'string' && !/^\s*-?\d+(\.\d+)?\s*$/.test(v)) {
        const ms = Date.parse(v);
        if (Number.isNaN(ms)) throw new ValueError(`not a time: ${JSON.stringify(v)}`);
        return Math.floor(ms / 1000);
      }
      return Math.floor(toNumber(v));
    }
    case 'opaque': {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.trim())) throw new ValueError('opaque values are written as base64 text');
      return new Uint8Array(Buffer.from(v.trim(), 'base64'));
    }
    case 'objlnk': {
      const m = typeof v === 'string' ? /^\s*(\d{1,5}):(\d{1,5})\s*$/.exec(v) : null;
      if (!m) throw new ValueError(`not an object link ("3:0"): ${JSON.stringify(v)}`);
      return { objectId: Number(m[1]), instanceId: Number(m[2]) };
    }
    case 'none':
      return null;
  }
}
