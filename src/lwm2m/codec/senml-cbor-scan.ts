/**
 * A structural check of one CBOR data item (RFC 8949) before it is handed to cbor-x:
 * walks the item heads without recursion and refuses, with a CodecError, payloads that
 * end early (TRUNCATED), nest deeper or hold more items than the limits (LIMIT_EXCEEDED),
 * or are not well-formed / carry bytes after the item (MALFORMED).
 * So the decoder never recurses past the limit nor trusts a length beyond the buffer;
 * bignums (tags 2 and 3) longer than 32 bytes are refused, as their conversion is slow.
 */
import { CodecError } from './codec.js';

const INDEFINITE = -1;
/** Far beyond 64 bits; LwM2M has no larger integers. */
const MAX_BIGNUM_BYTES = 32;

export function scanCbor(b: Uint8Array, maxDepth: number, maxItems: number): void {
  const len = b.length;
  let pos = 0;
  let items = 0;
  /** remaining items of each open container (INDEFINITE until a break) */
  const stack: number[] = [];
  const truncated = (): CodecError => new CodecError('TRUNCATED', `CBOR ends inside an item at offset ${pos}`);

  const argument = (ai: number): number => {
    if (ai < 24) return ai;
    const size = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
    if (size === 0) throw new CodecError('MALFORMED', `reserved CBOR additional information ${ai} at offset ${pos - 1}`);
    if (pos + size > len) throw truncated();
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (b[pos + i] as number);
    pos += size;
    return v; // above 2^53 it is inexact, but then it is far beyond any buffer anyway
  };

  /** One item finished: count it against its container, closing containers that are full. */
  const finished = (): void => {
    while (stack.length) {
      const top = stack[stack.length - 1] as number;
      if (top === INDEFINITE) return;
      if (top > 1) {
        stack[stack.length - 1] = top - 1;
        return;
      }
      stack.pop();
    }
  };

  const open = (count: number): void => {
    if (count === 0) return finished();
    if (stack.length >= maxDepth) throw new CodecError('LIMIT_EXCEEDED', `CBOR nested deeper than ${maxDepth}`);
    stack.push(count);
  };

  /** Bignums (tags 2, 3) must be a short definite byte string: cbor-x's conversion is quadratic in length. */
  const checkBignum = (): void => {
    if (pos >= len) throw truncated();
    const head = b[pos] as number;
    if (head >> 5 !== 2 || (head & 31) === 31) throw new CodecError('MALFORMED', `a bignum must hold a byte string, at offset ${pos}`);
    const save = pos;
    pos++;
    const n = argument(head & 31);
    pos = save;
    if (n > MAX_BIGNUM_BYTES) throw new CodecError('LIMIT_EXCEEDED', `a bignum of ${n} bytes`);
  };

  do {
    if (pos >= len) throw truncated();
    const ib = b[pos++] as number;
    if (ib === 0xff) {
      if (stack[stack.length - 1] !== INDEFINITE) throw new CodecError('MALFORMED', `unexpected CBOR break at offset ${pos - 1}`);
      stack.pop();
      finished();
      continue;
    }
    if (++items > maxItems) throw new CodecError('LIMIT_EXCEEDED', `more than ${maxItems} CBOR items`);
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai === 31) {
      if (major === 2 || major === 3 || major === 4 || major === 5) {
        if (stack.length >= maxDepth) throw new CodecError('LIMIT_EXCEEDED', `CBOR nested deeper than ${maxDepth}`);
        stack.push(INDEFINITE);
        continue;
      }
      throw new CodecError('MALFORMED', `bad indefinite length at offset ${pos - 1}`);
    }
    const arg = argument(ai);
    switch (major) {
      case 2:
      case 3:
        if (arg > len - pos) throw truncated();
        pos += arg;
        finished();
        break;
      case 4:
        if (arg > len - pos) throw truncated();
        open(arg);
        break;
      case 5:
        if (arg * 2 > len - pos) throw truncated();
        open(arg * 2);
        break;
      case 6:
        if (arg === 2 || arg === 3) checkBignum();
        open(1);
        break;
      default:
        finished();
    }
  } while (stack.length > 0);
  if (pos !== len) throw new CodecError('MALFORMED', `${len - pos} bytes after the CBOR item`);
}
