/**
 * The OMA TLV wire format (LwM2M Core, "TLV"): entries, their headers, and their nesting.
 *
 * Type byte: bits 7-6 kind (00 object instance, 01 resource instance, 10 multiple
 * resource, 11 resource with value); bit 5 id length (0: 8 bits, 1: 16 bits); bits 4-3
 * length field size (0: the length is in bits 2-0, else an 8, 16 or 24-bit length follows).
 */
import { CodecError, type DecodeLimits } from './codec.js';

export const TlvKind = {
  OBJECT_INSTANCE: 0,
  RESOURCE_INSTANCE: 1,
  MULTIPLE_RESOURCE: 2,
  RESOURCE: 3,
} as const;
export type TlvKind = (typeof TlvKind)[keyof typeof TlvKind];

export const KIND_NAMES = ['object instance', 'resource instance', 'multiple resource', 'resource'] as const;

/** Largest value a 24-bit length field can carry. */
export const MAX_TLV_LENGTH = 0xffffff;

/** A decoded entry: a leaf (resource, resource instance) holds bytes, a container holds entries. */
export type TlvEntry =
  | { kind: 0 | 2; id: number; children: TlvEntry[] }
  | { kind: 1 | 3; id: number; value: Uint8Array };

/** Which kinds each container may hold. */
const ALLOWED_CHILDREN: Record<number, readonly number[]> = {
  [TlvKind.OBJECT_INSTANCE]: [TlvKind.MULTIPLE_RESOURCE, TlvKind.RESOURCE],
  [TlvKind.MULTIPLE_RESOURCE]: [TlvKind.RESOURCE_INSTANCE],
};

/**
 * Parses a whole payload into entries. Every length is checked against the bytes left
 * (TRUNCATED), nesting against the kinds (BAD_NESTING), and the number of entries against
 * `limits.maxRecords` (LIMIT_EXCEEDED). Nesting is at most three deep by construction.
 */
export function parseTlv(payload: Uint8Array, limits: DecodeLimits): TlvEntry[] {
  const counter = { n: 0 };
  return parseRange(payload, 0, payload.length, undefined, limits, counter);
}

function parseRange(
  buf: Uint8Array,
  start: number,
  end: number,
  parent: TlvKind | undefined,
  limits: DecodeLimits,
  counter: { n: number },
): TlvEntry[] {
  const out: TlvEntry[] = [];
  let i = start;
  while (i < end) {
    const type = buf[i] as number;
    i += 1;
    const kind = (type >> 6) as TlvKind;
    const idLen = type & 0x20 ? 2 : 1;
    const lenSize = (type >> 3) & 0x03;
    if (i + idLen + lenSize > end) throw new CodecError('TRUNCATED', `TLV header at offset ${i - 1} runs past the end`);
    const id = idLen === 2 ? ((buf[i] as number) << 8) | (buf[i + 1] as number) : (buf[i] as number);
    i += idLen;
    let length = type & 0x07;
    if (lenSize > 0) {
      length = 0;
      for (let k = 0; k < lenSize; k++) length = length * 256 + (buf[i + k] as number);
      i += lenSize;
    }
    if (length > end - i) {
      throw new CodecError('TRUNCATED', `TLV ${KIND_NAMES[kind]} ${id} declares ${length} bytes, ${end - i} left`);
    }
    if (parent !== undefined && !ALLOWED_CHILDREN[parent]?.includes(kind)) {
      throw new CodecError('BAD_NESTING', `TLV ${KIND_NAMES[kind]} ${id} inside a ${KIND_NAMES[parent]}`);
    }
    counter.n += 1;
    if (counter.n > limits.maxRecords) throw new CodecError('LIMIT_EXCEEDED', `more than ${limits.maxRecords} TLV entries`);
    if (kind === TlvKind.OBJECT_INSTANCE || kind === TlvKind.MULTIPLE_RESOURCE) {
      out.push({ kind, id, children: parseRange(buf, i, i + length, kind, limits, counter) });
    } else {
      out.push({ kind, id, value: buf.subarray(i, i + length) });
    }
    i += length;
  }
  return out;
}

/** An entry to write: a leaf with its value bytes or a container with its children. */
export type TlvOut =
  | { kind: 0 | 2; id: number; children: TlvOut[]; size?: number }
  | { kind: 1 | 3; id: number; value: Uint8Array; size?: number };

function headerSize(id: number, length: number): number {
  return 1 + (id > 0xff ? 2 : 1) + (length < 8 ? 0 : length <= 0xff ? 1 : length <= 0xffff ? 2 : 3);
}

/** Value length of an entry; also stores it on the entry. */
function valueSize(e: TlvOut): number {
  if (e.size !== undefined) return e.size;
  let n = 0;
  if ('value' in e) n = e.value.length;
  else for (const c of e.children) n += entrySize(c);
  if (n > MAX_TLV_LENGTH) throw new CodecError('LIMIT_EXCEEDED', `TLV value of ${n} bytes exceeds the 24-bit length`);
  e.size = n;
  return n;
}

function entrySize(e: TlvOut): number {
  const len = valueSize(e);
  return headerSize(e.id, len) + len;
}

/** Writes entries; headers take the shortest id and length fields. */
export function writeTlv(entries: readonly TlvOut[]): Uint8Array {
  let total = 0;
  for (const e of entries) total += entrySize(e);
  const out = new Uint8Array(total);
  let pos = 0;
  const write = (e: TlvOut): void => {
    const len = valueSize(e);
    if (!Number.isInteger(e.id) || e.id < 0 || e.id > 0xffff) throw new CodecError('MALFORMED', `TLV id ${e.id} out of range`);
    const wide = e.id > 0xff;
    const lenSize = len < 8 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;
    out[pos++] = (e.kind << 6) | (wide ? 0x20 : 0) | (lenSize << 3) | (lenSize === 0 ? len : 0);
    if (wide) out[pos++] = e.id >> 8;
    out[pos++] = e.id & 0xff;
    for (let k = lenSize - 1; k >= 0; k--) out[pos++] = (len >> (8 * k)) & 0xff;
    if ('value' in e) {
      out.set(e.value, pos);
      pos += e.value.length;
    } else {
      for (const c of e.children) write(c);
    }
  };
  for (const e of entries) write(e);
  return out;
}
