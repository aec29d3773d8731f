/**
 * A strict, bounded CBOR reader (RFC 8949) for untrusted payloads.
 *
 * Why not cbor-x's decoder: it gives meaning to tags this format never uses (shared
 * references that can build cyclic values, record definitions that change the decoder's
 * state for later payloads, packed tables), and it refuses indefinite-length strings,
 * which are valid CBOR that constrained encoders stream opaque values with. This reader
 * keeps every tag as a plain `CborTag`, counts items and depth against the caller's
 * limits, checks every length against the bytes left, and throws only CodecError.
 */
import { CodecError } from './codec.js';

export interface CborFloat {
  readonly kind: 'float';
  readonly value: number;
}

export interface CborMap {
  readonly kind: 'map';
  readonly entries: Array<[CborItem, CborItem]>;
}

export interface CborTag {
  readonly kind: 'tag';
  readonly tag: number;
  readonly value: CborItem;
}

/**
 * A decoded item. Integers are `number` inside the safe range and `bigint` outside it;
 * floats are wrapped so that `1.0` stays apart from `1`; `undefined` is CBOR's undefined.
 */
export type CborItem = number | bigint | string | Uint8Array | boolean | null | undefined | CborFloat | CborMap | CborTag | CborItem[];

export interface ReadLimits {
  /** Deepest nesting of arrays, maps and tags. */
  maxDepth: number;
  /** Most items (array elements plus map entries) in the whole payload. */
  maxItems: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BREAK = Symbol('break');

export function isMap(x: CborItem): x is CborMap {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && x.kind === 'map';
}

export function isFloat(x: CborItem): x is CborFloat {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && x.kind === 'float';
}

export function isTag(x: CborItem): x is CborTag {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && x.kind === 'tag';
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

class Reader {
  private pos = 0;
  private items = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly limits: ReadLimits,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (n > this.buf.length - this.pos) throw new CodecError('TRUNCATED', `CBOR ends inside an item at byte ${this.pos}`);
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > this.limits.maxItems) throw new CodecError('LIMIT_EXCEEDED', `more than ${this.limits.maxItems} CBOR items`);
  }

  /** The argument of a head: a length, a value or a tag number. -1 means indefinite. */
  private argument(info: number, major: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.need(1);
        return this.buf[this.pos++] as number;
      case 25:
        this.need(2);
        this.pos += 2;
        return this.view.getUint16(this.pos - 2);
      case 26:
        this.need(4);
        this.pos += 4;
        return this.view.getUint32(this.pos - 4);
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 31:
        if (major === 0 || major === 1 || major === 6) throw new CodecError('MALFORMED', `indefinite length on major type ${major}`);
        return -1;
      default:
        throw new CodecError('MALFORMED', `reserved additional information ${info} at byte ${this.pos - 1}`);
    }
  }

  private length(arg: number | bigint): number {
    if (typeof arg === 'bigint' || arg > this.buf.length) {
      throw new CodecError('TRUNCATED', `CBOR length ${arg} exceeds the payload`);
    }
    return arg;
  }

  read(depth: number): CborItem {
    const item = this.readOrBreak(depth);
    if (item === BREAK) throw new CodecError('MALFORMED', `unexpected break at byte ${this.pos - 1}`);
    return item;
  }

  private readOrBreak(depth: number): CborItem | typeof BREAK {
    this.need(1);
    const head = this.buf[this.pos++] as number;
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return this.simple(info);
    const arg = this.argument(info, major);
    switch (major) {
      case 0:
        return arg;
      case 1:
        return typeof arg === 'bigint' ? -1n - arg : arg === Number.MAX_SAFE_INTEGER ? -1n - BigInt(arg) : -1 - arg;
      case 2:
      case 3:
        return arg === -1 ? this.chunks(major) : this.string(major, this.length(arg));
      case 4:
      case 5:
        return this.container(major, arg, depth + 1);
      default: {
        if (depth + 1 > this.limits.maxDepth) throw new CodecError('LIMIT_EXCEEDED', `CBOR nested deeper than ${this.limits.maxDepth}`);
        if (typeof arg === 'bigint') throw new CodecError('MALFORMED', `tag ${arg} out of range`);
        return { kind: 'tag', tag: arg, value: this.read(depth + 1) };
      }
    }
  }

  private simple(info: number): CborItem | typeof BREAK {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25:
        this.need(2);
        this.pos += 2;
        return { kind: 'float', value: halfToNumber(this.view.getUint16(this.pos - 2)) };
      case 26:
        this.need(4);
        this.pos += 4;
        return { kind: 'float', value: this.view.getFloat32(this.pos - 4) };
      case 27:
        this.need(8);
        this.pos += 8;
        return { kind: 'float', value: this.view.getFloat64(this.pos - 8) };
      case 31:
        return BREAK;
      default:
        throw new CodecError('MALFORMED', `unsupported simple value ${info} at byte ${this.pos - 1}`);
    }
  }

  private string(major: number, len: number): string | Uint8Array {
    this.need(len);
    const bytes = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    if (major === 2) return new Uint8Array(bytes);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new CodecError('MALFORMED', 'text string is not valid UTF-8');
    }
  }

  /** Indefinite-length byte or text string: definite chunks of the same major type until a break. */
  private chunks(major: number): string | Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      this.need(1);
      const head = this.buf[this.pos++] as number;
      if (head === 0xff) break;
      if (head >> 5 !== major) throw new CodecError('MALFORMED', 'indefinite-length string with a chunk of another type');
      const len = this.length(this.argument(head & 0x1f, major));
      if (len < 0) throw new CodecError('MALFORMED', 'nested indefinite-length string');
      this.need(len);
      this.count(1);
      parts.push(this.buf.subarray(this.pos, this.pos + len));
      this.pos += len;
      total += len;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    if (major === 2) return out;
    try {
      return utf8.decode(out);
    } catch {
      throw new CodecError('MALFORMED', 'text string is not valid UTF-8');
    }
  }

  private container(major: number, arg: number | bigint, depth: number): CborItem[] | CborMap {
    if (depth > this.limits.maxDepth) throw new CodecError('LIMIT_EXCEEDED', `CBOR nested deeper than ${this.limits.maxDepth}`);
    const indefinite = arg === -1;
    // each element takes at least one byte (two per map entry): a larger count is a lie
    const n = indefinite ? Infinity : this.length(arg);
    if (!indefinite && n * (major === 5 ? 2 : 1) > this.buf.length - this.pos) {
      throw new CodecError('TRUNCATED', `CBOR container of ${n} items exceeds the payload`);
    }
    if (major === 4) {
      const out: CborItem[] = [];
      for (let i = 0; i < n; i++) {
        const item = this.readOrBreak(depth);
        if (item === BREAK) {
          if (indefinite) return out;
          throw new CodecError('MALFORMED', 'break inside a definite-length array');
        }
        this.count(1);
        out.push(item);
      }
      return out;
    }
    const entries: Array<[CborItem, CborItem]> = [];
    for (let i = 0; i < n; i++) {
      const key = this.readOrBreak(depth);
      if (key === BREAK) {
        if (indefinite) return { kind: 'map', entries };
        throw new CodecError('MALFORMED', 'break inside a definite-length map');
      }
      this.count(1);
      entries.push([key, this.read(depth)]);
    }
    return { kind: 'map', entries };
  }
}

/** Decodes exactly one CBOR item that fills the whole buffer. */
export function readCbor(buf: Uint8Array, limits: ReadLimits): CborItem {
  if (buf.length === 0) throw new CodecError('TRUNCATED', 'empty CBOR payload');
  const r = new Reader(buf, limits);
  const item = r.read(0);
  if (r.offset !== buf.length) throw new CodecError('MALFORMED', `${buf.length - r.offset} bytes after the CBOR item`);
  return item;
}
