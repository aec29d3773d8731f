/**
 * The test client's TLV writer and reader (LwM2M content format 11542), built from the
 * rules of the specification (type byte: kind, id size, length size), not from its examples.
 */
import type { ResourceType } from '../../src/lwm2m/model/types.js';
import type { ObjLink, Value } from '../../src/lwm2m/node.js';

/** One value at a full path: [o, i, r] or [o, i, r, ri] (the latter: a multiple resource). */
export interface Leaf {
  path: number[];
  type: ResourceType;
  value: Value;
}

/** The resource type of /o/x/r as the client's object definitions know it. */
export type TypeOf = (objectId: number, resourceId: number) => ResourceType;

export class FormatError extends Error {}

const KIND_INSTANCE = 0;
const KIND_RESOURCE_INSTANCE = 1;
const KIND_MULTIPLE = 2;
const KIND_RESOURCE = 3;

export function tlvHeader(kind: number, id: number, length: number): Buffer {
  const bytes: number[] = [];
  let type = kind << 6;
  if (id > 255) type |= 0x20;
  let lenBytes: number[] = [];
  if (length < 8) type |= length;
  else if (length < 0x100) {
    type |= 0x08;
    lenBytes = [length];
  } else if (length < 0x10000) {
    type |= 0x10;
    lenBytes = [length >> 8, length & 0xff];
  } else {
    type |= 0x18;
    lenBytes = [(length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
  }
  bytes.push(type);
  if (id > 255) bytes.push(id >> 8, id & 0xff);
  else bytes.push(id);
  bytes.push(...lenBytes);
  return Buffer.from(bytes);
}

function tlv(kind: number, id: number, value: Buffer): Buffer {
  return Buffer.concat([tlvHeader(kind, id, value.length), value]);
}

function intBytes(v: number | bigint, unsigned: boolean): Buffer {
  const b = BigInt(v);
  for (const size of [1, 2, 4, 8]) {
    const bits = BigInt(size * 8);
    const fits = unsigned ? b >= 0n && b < 1n << bits : b >= -(1n << (bits - 1n)) && b < 1n << (bits - 1n);
    if (!fits) continue;
    const out = Buffer.alloc(size);
    let x = BigInt.asUintN(size * 8, b);
    for (let i = size - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }
  throw new FormatError(`integer out of range: ${v}`);
}

export function tlvValue(type: ResourceType, value: Value): Buffer {
  switch (type) {
    case 'string':
    case 'corelnk':
      return Buffer.from(String(value), 'utf8');
    case 'integer':
    case 'time':
      return intBytes(value as number | bigint, false);
    case 'unsigned':
      return intBytes(value as number | bigint, true);
    case 'float': {
      const n = Number(value);
      if (Math.fround(n) === n) {
        const b = Buffer.alloc(4);
        b.writeFloatBE(n);
        return b;
      }
      const b = Buffer.alloc(8);
      b.writeDoubleBE(n);
      return b;
    }
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    case 'objlnk': {
      const l = value as ObjLink;
      const b = Buffer.alloc(4);
      b.writeUInt16BE(l.objectId, 0);
      b.writeUInt16BE(l.instanceId, 2);
      return b;
    }
    case 'opaque':
    case 'none':
      return value instanceof Uint8Array ? Buffer.from(value) : Buffer.alloc(0);
  }
}

export function tlvDecodeValue(type: ResourceType, b: Buffer): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      return b.toString('utf8');
    case 'integer':
    case 'time':
    case 'unsigned': {
      if (![1, 2, 4, 8].includes(b.length)) throw new FormatError(`bad integer length ${b.length}`);
      let x = 0n;
      for (const byte of b) x = (x << 8n) | BigInt(byte);
      const v = type === 'unsigned' ? x : BigInt.asIntN(b.length * 8, x);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'float':
      if (b.length === 4) return b.readFloatBE(0);
      if (b.length === 8) return b.readDoubleBE(0);
      throw new FormatError(`bad float length ${b.length}`);
    case 'boolean':
      if (b.length !== 1 || (b[0] !== 0 && b[0] !== 1)) throw new FormatError('bad boolean');
      return b[0] === 1;
    case 'objlnk':
      if (b.length !== 4) throw new FormatError('bad objlnk');
      return { objectId: b.readUInt16BE(0), instanceId: b.readUInt16BE(2) };
    case 'opaque':
    case 'none':
      return new Uint8Array(b);
  }
}

/** Groups leaves: instance -> resource -> single leaf, or the leaves of a multiple resource. */
export function group(leaves: readonly Leaf[]): Map<number, Map<number, Map<number, Leaf | Leaf[]>>> {
  const out = new Map<number, Map<number, Map<number, Leaf | Leaf[]>>>();
  for (const leaf of leaves) {
    const [o, i, r] = leaf.path as [number, number, number];
    let insts = out.get(o);
    if (!insts) out.set(o, (insts = new Map()));
    let res = insts.get(i);
    if (!res) insts.set(i, (res = new Map()));
    if (leaf.path.length === 4) {
      const cur = res.get(r);
      if (Array.isArray(cur)) cur.push(leaf);
      else res.set(r, [leaf]);
    } else res.set(r, leaf);
  }
  return out;
}

function resourceTlv(r: number, entry: Leaf | Leaf[]): Buffer {
  if (!Array.isArray(entry)) return tlv(KIND_RESOURCE, r, tlvValue(entry.type, entry.value));
  const inner = entry.map((l) => tlv(KIND_RESOURCE_INSTANCE, l.path[3]!, tlvValue(l.type, l.value)));
  return tlv(KIND_MULTIPLE, r, Buffer.concat(inner));
}

/** TLV for a read of `path` (ids) answered with `leaves`. */
export function encodeTlv(path: number[], leaves: readonly Leaf[]): Buffer {
  const parts: Buffer[] = [];
  if (path.length === 4) {
    for (const l of leaves) parts.push(tlv(KIND_RESOURCE_INSTANCE, l.path[3]!, tlvValue(l.type, l.value)));
    return Buffer.concat(parts);
  }
  for (const insts of group(leaves).values()) {
    for (const [i, res] of insts) {
      const resParts = [...res].map(([r, e]) => resourceTlv(r, e));
      if (path.length === 1) parts.push(tlv(KIND_INSTANCE, i, Buffer.concat(resParts)));
      else parts.push(...resParts);
    }
  }
  return Buffer.concat(parts);
}

interface RawTlv {
  kind: number;
  id: number;
  value: Buffer;
}

export function parseTlv(buf: Buffer): RawTlv[] {
  const out: RawTlv[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const type = buf[pos++]!;
    const kind = type >> 6;
    const idLen = type & 0x20 ? 2 : 1;
    const lenLen = (type >> 3) & 3;
    if (pos + idLen + lenLen > buf.length) throw new FormatError('truncated TLV header');
    const id = idLen === 2 ? buf.readUInt16BE(pos) : buf[pos]!;
    pos += idLen;
    let len = type & 7;
    if (lenLen > 0) {
      len = 0;
      for (let k = 0; k < lenLen; k++) len = (len << 8) | buf[pos + k]!;
      pos += lenLen;
    }
    if (pos + len > buf.length) throw new FormatError('TLV length beyond the buffer');
    out.push({ kind, id, value: buf.subarray(pos, pos + len) });
    pos += len;
  }
  return out;
}

function resourceLeaves(o: number, i: number, t: RawTlv, typeOf: TypeOf): Leaf[] {
  const type = typeOf(o, t.id);
  if (t.kind === KIND_RESOURCE) return [{ path: [o, i, t.id], type, value: tlvDecodeValue(type, t.value) }];
  if (t.kind === KIND_MULTIPLE) {
    return parseTlv(t.value).map((ri) => {
      if (ri.kind !== KIND_RESOURCE_INSTANCE) throw new FormatError('multiple resource holds a non-instance');
      return { path: [o, i, t.id, ri.id], type, value: tlvDecodeValue(type, ri.value) };
    });
  }
  throw new FormatError(`unexpected TLV kind ${t.kind} at resource level`);
}

/**
 * Leaves of a TLV payload written at `path`. At object level, resources without an
 * instance wrapper go to `newInstance` (create).
 */
export function decodeTlv(path: number[], buf: Buffer, typeOf: TypeOf, newInstance?: number): Leaf[] {
  const top = parseTlv(buf);
  const o = path[0]!;
  const out: Leaf[] = [];
  for (const t of top) {
    if (path.length === 1) {
      if (t.kind === KIND_INSTANCE) for (const r of parseTlv(t.value)) out.push(...resourceLeaves(o, t.id, r, typeOf));
      else if (newInstance !== undefined) out.push(...resourceLeaves(o, newInstance, t, typeOf));
      else throw new FormatError('resource TLV at object level');
    } else if (path.length === 2) {
      if (t.kind === KIND_INSTANCE) {
        for (const r of parseTlv(t.value)) out.push(...resourceLeaves(o, t.id, r, typeOf));
      } else out.push(...resourceLeaves(o, path[1]!, t, typeOf));
    } else if (path.length === 3) {
      const type = typeOf(o, path[2]!);
      if (t.kind === KIND_RESOURCE_INSTANCE) {
        out.push({ path: [o, path[1]!, path[2]!, t.id], type, value: tlvDecodeValue(type, t.value) });
      } else out.push(...resourceLeaves(o, path[1]!, t, typeOf));
    } else {
      const type = typeOf(o, path[2]!);
      out.push({ path: [...path], type, value: tlvDecodeValue(type, t.value) });
    }
  }
  return out;
}
