/**
 * TLV value bytes for each resource type (LwM2M Core, Appendix C):
 * integer and time: 1, 2, 4 or 8 bytes, big-endian two's complement (written shortest);
 * unsigned: 1, 2, 4 or 8 bytes unsigned (written shortest); float: 4 or 8 bytes IEEE 754
 * (written on 4 bytes when the value is exactly a float32, else 8: lossless either way);
 * boolean: 1 byte 0/1; string, corelnk: UTF-8; opaque: raw; objlnk: two uint16 (object id,
 * instance id); none: empty.
 *
 * Reading accepts any integer length from 1 to 8 bytes (some clients send 3).
 */
import type { Value } from '../node.js';
import type { ResourceType } from '../model/types.js';
import { CodecError } from './codec.js';
import { canonicalInteger, copyBytes, integerOf, isObjLink } from './plain-values.js';

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function intBytes(b: bigint, signed: boolean): Uint8Array {
  let size: number;
  if (signed) size = b >= -0x80n && b <= 0x7fn ? 1 : b >= -0x8000n && b <= 0x7fffn ? 2 : b >= -0x80000000n && b <= 0x7fffffffn ? 4 : 8;
  else size = b <= 0xffn ? 1 : b <= 0xffffn ? 2 : b <= 0xffffffffn ? 4 : 8;
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, b);
  for (let k = size - 1; k >= 0; k--) {
    out[k] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function smallIntBytes(n: number): Uint8Array {
  // fast path for the common case: a signed value that fits 1, 2 or 4 bytes
  if (n >= -0x80 && n <= 0x7f) return Uint8Array.of(n & 0xff);
  if (n >= -0x8000 && n <= 0x7fff) return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
  return Uint8Array.of((n >> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function floatBytes(v: number): Uint8Array {
  const single = Object.is(Math.fround(v), v) || Number.isNaN(v);
  const out = new Uint8Array(single ? 4 : 8);
  const view = new DataView(out.buffer);
  if (single) view.setFloat32(0, v);
  else view.setFloat64(0, v);
  return out;
}

export function encodeTlvValue(type: ResourceType, value: Value): Uint8Array {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof value !== 'string') throw new CodecError('TYPE_MISMATCH', `${type} value must be a string`);
      return utf8.encode(value);
    case 'integer':
    case 'time': {
      if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) return smallIntBytes(value);
      return intBytes(integerOf(type, value), true);
    }
    case 'unsigned':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff) {
        return value <= 0xff ? Uint8Array.of(value) : Uint8Array.of(value >> 8, value & 0xff);
      }
      return intBytes(integerOf(type, value), false);
    case 'float':
      if (typeof value !== 'number') throw new CodecError('TYPE_MISMATCH', 'float value must be a number');
      return floatBytes(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new CodecError('TYPE_MISMATCH', 'boolean value must be a boolean');
      return Uint8Array.of(value ? 1 : 0);
    case 'opaque':
      if (!(value instanceof Uint8Array)) throw new CodecError('TYPE_MISMATCH', 'opaque value must be a Uint8Array');
      return value;
    case 'objlnk':
      if (!isObjLink(value)) throw new CodecError('TYPE_MISMATCH', 'objlnk value must be { objectId, instanceId } in 0..65535');
      return Uint8Array.of(value.objectId >> 8, value.objectId & 0xff, value.instanceId >> 8, value.instanceId & 0xff);
    case 'none':
      if (value !== null) throw new CodecError('TYPE_MISMATCH', 'a resource of type none carries no value');
      return new Uint8Array(0);
    default:
      throw new CodecError('TYPE_MISMATCH', `unknown resource type ${String(type)}`);
  }
}

function readInt(bytes: Uint8Array, signed: boolean): number | bigint {
  if (bytes.length === 1 || bytes.length === 2 || bytes.length === 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (bytes.length === 1) return signed ? view.getInt8(0) : view.getUint8(0);
    if (bytes.length === 2) return signed ? view.getInt16(0) : view.getUint16(0);
    return signed ? view.getInt32(0) : view.getUint32(0);
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return signed ? BigInt.asIntN(bytes.length * 8, v) : v;
}

function bad(type: ResourceType, bytes: Uint8Array): CodecError {
  return new CodecError('TYPE_MISMATCH', `${bytes.length} TLV value bytes do not fit type ${type}`);
}

export function decodeTlvValue(type: ResourceType, bytes: Uint8Array): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      try {
        return utf8Strict.decode(bytes);
      } catch {
        throw new CodecError('TYPE_MISMATCH', `TLV ${type} value is not valid UTF-8`);
      }
    case 'integer':
    case 'time':
    case 'unsigned':
      if (bytes.length < 1 || bytes.length > 8) throw bad(type, bytes);
      {
        const v = readInt(bytes, type !== 'unsigned');
        return typeof v === 'number' ? v : canonicalInteger(v);
      }
    case 'float': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      if (bytes.length === 4) return view.getFloat32(0);
      if (bytes.length === 8) return view.getFloat64(0);
      throw bad(type, bytes);
    }
    case 'boolean':
      if (bytes.length !== 1 || (bytes[0] as number) > 1) throw bad(type, bytes);
      return bytes[0] === 1;
    case 'opaque':
      return copyBytes(bytes);
    case 'objlnk':
      if (bytes.length !== 4) throw bad(type, bytes);
      return { objectId: ((bytes[0] as number) << 8) | (bytes[1] as number), instanceId: ((bytes[2] as number) << 8) | (bytes[3] as number) };
    case 'none':
      if (bytes.length !== 0) throw bad(type, bytes);
      return null;
  }
}
