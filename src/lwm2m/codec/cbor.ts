/**
 * application/cbor (content format 60): one resource or resource-instance value as a
 * single CBOR data item (LwM2M 1.2).
 *
 * Encoding: integer/unsigned as CBOR integers (major type 0/1, shortest form); time as
 * tag 1 and integer epoch seconds, 1(1367491215) = c1 1a 5182428f, the "date/time ... as
 * defined in Section 2.4.1 of RFC 7049" of the LwM2M 1.2 Core Table C.-2; float
 * as a CBOR float, single precision when the value is exactly a float32 and double
 * otherwise (an integral float stays a float); boolean as true/false; string and corelnk
 * as text strings; opaque as a byte string; objlnk as the text string "oid:iid".
 *
 * Decoding is lenient about the item's kind where the meaning is clear: a float resource
 * accepts an integer, a time accepts tag 1 (epoch seconds) or tag 0 (date text), an
 * integer accepts the bignum tags 2/3 within 64 bits. Arrays and maps are refused before
 * they are parsed. A resource the model does not know keeps the item's own type, flagged
 * `unknown`.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, Value } from '../node.js';
import type { ResourceType } from '../model/types.js';
import { CodecError, ContentFormat, resourceModel, type CodecContext, type NodeCodec } from './codec.js';
import {
  checkPayloadSize,
  INT64_MAX,
  INT64_MIN,
  UINT64_MAX,
  canonicalInteger,
  copyBytes,
  integerOf,
  requireValuePath,
  singleValueNode,
  singleValueOf,
} from './plain-values.js';

const encoder = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: false, variableMapSize: true });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' } as ConstructorParameters<typeof Decoder>[0]);

function floatItem(v: number): Uint8Array {
  const single = Object.is(Math.fround(v), v) || Number.isNaN(v);
  const out = new Uint8Array(single ? 5 : 9);
  const view = new DataView(out.buffer);
  out[0] = single ? 0xfa : 0xfb;
  if (single) view.setFloat32(1, v);
  else view.setFloat64(1, v);
  return out;
}

function integerItem(b: bigint): Uint8Array {
  const v = canonicalInteger(b);
  // cbor-x writes every bigint on 8 bytes: keep numbers where they are exact
  return new Uint8Array(encoder.encode(v));
}

export function encodeCborValue(type: ResourceType, value: Value): Uint8Array {
  switch (type) {
    case 'integer':
    case 'unsigned':
      return integerItem(integerOf(type, value));
    case 'time': {
      // RFC 7049 2.4.1 (LwM2M 1.2 Core Table C.-2): tag 1 and the epoch seconds
      const seconds = integerItem(integerOf(type, value));
      const out = new Uint8Array(1 + seconds.length);
      out[0] = 0xc1;
      out.set(seconds, 1);
      return out;
    }
    case 'float':
      return floatItem(value as number);
    case 'boolean':
      return Uint8Array.of(value ? 0xf5 : 0xf4);
    case 'string':
    case 'corelnk':
    case 'opaque':
      return new Uint8Array(encoder.encode(value));
    case 'objlnk': {
      const l = value as { objectId: number; instanceId: number };
      return new Uint8Array(encoder.encode(`${l.objectId}:${l.instanceId}`));
    }
    case 'none':
      return Uint8Array.of(0xf6); // null
  }
}

/** Refuses containers (and tags around them) before cbor-x walks into them. */
function checkHead(payload: Uint8Array): void {
  if (payload.length === 0) throw new CodecError('TRUNCATED', 'empty CBOR payload');
  let i = 0;
  for (let tags = 0; ; tags++) {
    const b = payload[i];
    if (b === undefined) throw new CodecError('TRUNCATED', 'CBOR tag without content');
    const major = b >> 5;
    if (major === 4 || major === 5) throw new CodecError('TYPE_MISMATCH', 'CBOR array or map where one value was expected');
    if (major !== 6) return;
    if (tags > 0) throw new CodecError('TYPE_MISMATCH', 'nested CBOR tags');
    const info = b & 0x1f;
    if (info > 3) throw new CodecError('TYPE_MISMATCH', 'unexpected CBOR tag');
    i += 1;
  }
}

function cborError(e: unknown): CodecError {
  if (e instanceof CodecError) return e;
  const err = e as { incomplete?: boolean; message?: string } | undefined;
  if (err?.incomplete || e instanceof RangeError) return new CodecError('TRUNCATED', 'CBOR payload ends inside a value');
  return new CodecError('MALFORMED', `bad CBOR: ${err?.message ?? String(e)}`);
}

/**
 * The item of the payload. Tag 1 (epoch time) is read here, kept as a Tag around its
 * number: cbor-x would make a Date of it, which holds no seconds beyond +-8.64e12 nor
 * 64-bit integers exactly.
 */
function decodeItem(payload: Uint8Array): unknown {
  checkHead(payload);
  const epoch = payload[0] === 0xc1;
  try {
    const item: unknown = decoder.decode(epoch ? payload.subarray(1) : payload);
    return epoch ? new Tag(item, 1) : item;
  } catch (e) {
    throw cborError(e);
  }
}

function isEpoch(item: unknown): item is Tag {
  return item instanceof Tag && item.tag === 1;
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

function bad(type: ResourceType, item: unknown): CodecError {
  const what = item instanceof Uint8Array ? 'byte string' : item === null ? 'null' : typeof item;
  return new CodecError('TYPE_MISMATCH', `CBOR ${what} does not fit type ${type}`);
}

function typedValue(type: ResourceType, item: unknown): Value {
  switch (type) {
    case 'integer':
    case 'unsigned': {
      const b = asBigInt(item);
      const [min, max] = type === 'integer' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      if (b === undefined || b < min || b > max) throw bad(type, item);
      return canonicalInteger(b);
    }
    case 'time': {
      if (isEpoch(item)) return epochSeconds(item.value as unknown);
      if (item instanceof Date) {
        const ms = item.getTime();
        if (Number.isNaN(ms)) throw bad(type, item);
        return Math.floor(ms / 1000);
      }
      const b = asBigInt(item);
      if (b !== undefined && b >= INT64_MIN && b <= INT64_MAX) return canonicalInteger(b);
      if (typeof item === 'number' && Number.isFinite(item)) return Math.floor(item);
      throw bad(type, item);
    }
    case 'float':
      if (typeof item === 'number') return item;
      if (typeof item === 'bigint') return Number(item);
      throw bad(type, item);
    case 'boolean':
      if (typeof item !== 'boolean') throw bad(type, item);
      return item;
    case 'string':
    case 'corelnk':
      if (typeof item !== 'string') throw bad(type, item);
      return item;
    case 'opaque':
      if (!(item instanceof Uint8Array)) throw bad(type, item);
      return copyBytes(item);
    case 'objlnk': {
      const m = typeof item === 'string' ? /^(\d{1,5}):(\d{1,5})$/.exec(item) : null;
      const objectId = Number(m?.[1]);
      const instanceId = Number(m?.[2]);
      if (!m || objectId > 0xffff || instanceId > 0xffff) throw bad(type, item);
      return { objectId, instanceId };
    }
    case 'none':
      if (item !== null && item !== undefined) throw bad(type, item);
      return null;
  }
}

/** The seconds of a tag 1 item: an integer within 64 bits, or a finite float (rounded down). */
function epochSeconds(v: unknown): number | bigint {
  const b = asBigInt(v);
  if (b !== undefined && b >= INT64_MIN && b <= INT64_MAX) return canonicalInteger(b);
  if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) return Math.floor(v);
  throw new CodecError('TYPE_MISMATCH', 'CBOR tag 1 does not hold epoch seconds');
}

/** The type a CBOR item carries by itself, for resources the model does not know. */
function ownType(item: unknown): ResourceType {
  if (typeof item === 'string') return 'string';
  if (typeof item === 'boolean') return 'boolean';
  if (item instanceof Uint8Array) return 'opaque';
  if (item instanceof Date || isEpoch(item)) return 'time';
  if (typeof item === 'bigint') return item < 0n ? 'integer' : item > INT64_MAX ? 'unsigned' : 'integer';
  if (typeof item === 'number') return Number.isInteger(item) && !Object.is(item, -0) ? 'integer' : 'float';
  if (item === null || item === undefined) return 'none';
  if (item instanceof Tag) throw new CodecError('TYPE_MISMATCH', `unexpected CBOR tag ${item.tag}`);
  throw new CodecError('TYPE_MISMATCH', 'CBOR item is not a single value');
}

export const cborCodec: NodeCodec = {
  formats: [ContentFormat.CBOR],
  name: 'cbor',

  encode(path: LwM2mPath, node: LwM2mNode, _ctx: CodecContext): Uint8Array {
    const { type, value } = singleValueOf('cbor', path, node);
    return encodeCborValue(type, value);
  },

  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode {
    requireValuePath('cbor', path);
    checkPayloadSize(payload, ctx);
    const item = decodeItem(payload);
    const rm = resourceModel(ctx, path.objectId, path.resourceId);
    if (rm) return singleValueNode(path, rm.type, typedValue(rm.type, item), false);
    const type = ownType(item);
    return singleValueNode(path, type, typedValue(type, item), true);
  },
};
