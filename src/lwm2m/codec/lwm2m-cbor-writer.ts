/**
 * A small CBOR writer with RFC 8949 preferred serialization: integers and lengths in
 * their shortest head, definite lengths, floats in the shortest of half/single/double
 * that keeps the value exactly.
 *
 * Why not cbor-x's encoder: it writes every integral JS number as a CBOR integer, so a
 * Float resource holding 23.0 would go out as the integer 23; a resource type decides the
 * CBOR type here, whatever the JS value looks like.
 */
const utf8 = new TextEncoder();
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const UINT64_MAX = (1n << 64n) - 1n;

/** The IEEE half-precision bits of `v`, or -1 if a half cannot hold `v` exactly. */
function toHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  F32[0] = v;
  if (F32[0] !== v && !Number.isNaN(v)) return -1;
  const bits = U32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : -1;
  if (exp === 0 && mant === 0) return sign;
  const e = exp - 127;
  if (e >= -14 && e <= 15) {
    if (mant & 0x1fff) return -1;
    return sign | ((e + 15) << 10) | (mant >>> 13);
  }
  if (e >= -24 && e < -14) {
    // subnormal half: value = m * 2^-24 with m < 1024, i.e. m = full >> (-1 - e)
    const full = mant | 0x800000;
    const drop = -1 - e;
    if (full & ((1 << drop) - 1)) return -1;
    return sign | (full >>> drop);
  }
  return -1;
}

export class CborWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'bigint') {
      if (arg <= 0xffffffffn) return this.head(major, Number(arg));
      this.ensure(9);
      this.buf[this.pos++] = m | 27;
      this.view.setBigUint64(this.pos, arg);
      this.pos += 8;
      return;
    }
    if (arg < 24) {
      this.ensure(1);
      this.buf[this.pos++] = m | arg;
    } else if (arg <= 0xff) {
      this.ensure(2);
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = arg;
    } else if (arg <= 0xffff) {
      this.ensure(3);
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, arg);
      this.pos += 2;
    } else if (arg <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, arg);
      this.pos += 4;
    } else {
      this.head(major, BigInt(arg));
    }
  }

  /** An integer in -2^64 .. 2^64-1 (the caller checks the range). */
  int(v: number | bigint): void {
    if (typeof v === 'number') {
      if (v >= 0) this.head(0, v);
      else this.head(1, -1 - v);
      return;
    }
    if (v > UINT64_MAX || v < -UINT64_MAX - 1n) throw new RangeError(`integer ${v} does not fit CBOR`);
    if (v >= 0n) this.head(0, v);
    else this.head(1, -1n - v);
  }

  float(v: number): void {
    const half = toHalf(v);
    if (half >= 0) {
      this.ensure(3);
      this.buf[this.pos++] = 0xf9;
      this.view.setUint16(this.pos, half);
      this.pos += 2;
      return;
    }
    F32[0] = v;
    if (F32[0] === v) {
      this.ensure(5);
      this.buf[this.pos++] = 0xfa;
      this.view.setFloat32(this.pos, v);
      this.pos += 4;
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 0xf5 : 0xf4;
  }

  nil(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0xf6;
  }

  bytes(v: Uint8Array): void {
    this.head(2, v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  text(v: string): void {
    if (v.length < 24) {
      // short ASCII, the common case: no encoder call
      let ascii = true;
      for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) ascii = false;
      if (ascii) {
        this.ensure(1 + v.length);
        this.buf[this.pos++] = 0x60 | v.length;
        for (let i = 0; i < v.length; i++) this.buf[this.pos++] = v.charCodeAt(i);
        return;
      }
    }
    // at most 3 bytes of UTF-8 per UTF-16 unit
    const max = v.length * 3;
    this.ensure(max + 9);
    // write the string after a 9-byte gap, then move it behind the right-sized head
    const start = this.pos + 9;
    const { written } = utf8.encodeInto(v, this.buf.subarray(start, start + max));
    this.head(3, written);
    this.buf.copyWithin(this.pos, start, start + written);
    this.pos += written;
  }

  /** A tag head (major type 6); the tagged item follows. */
  tag(n: number): void {
    this.head(6, n);
  }

  arrayHeader(n: number): void {
    this.head(4, n);
  }

  mapHeader(n: number): void {
    this.head(5, n);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
