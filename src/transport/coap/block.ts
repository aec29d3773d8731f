/**
 * Block1/Block2 option values (RFC 7959 section 2.2): NUM, M and SZX in 0-3 bytes.
 */
import type { CoapOption } from './options.js';
import { encodeUint, getOption, decodeUint } from './options.js';

export interface BlockValue {
  num: number;
  more: boolean;
  /** 0..6: block size 2^(szx+4) */
  szx: number;
}

export const MAX_BLOCK_NUM = 0xfffff;

export function blockSize(szx: number): number {
  return 1 << (szx + 4);
}

/** The SZX of the largest block size not above `size` (16..1024). */
export function szxFor(size: number): number {
  let szx = 6;
  while (szx > 0 && blockSize(szx) > size) szx--;
  return szx;
}

export function encodeBlock(b: BlockValue): Buffer {
  if (!Number.isInteger(b.num) || b.num < 0 || b.num > MAX_BLOCK_NUM) throw new RangeError(`block number ${b.num}`);
  if (!Number.isInteger(b.szx) || b.szx < 0 || b.szx > 6) throw new RangeError(`block szx ${b.szx}`);
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

/** undefined for a reserved SZX of 7 (2.2) */
export function decodeBlock(value: Buffer): BlockValue | undefined {
  if (value.length > 3) return undefined;
  const v = decodeUint(value);
  const szx = v & 7;
  if (szx === 7) return undefined;
  return { num: v >>> 4, more: (v & 8) !== 0, szx };
}

export function getBlock(options: readonly CoapOption[], num: number): BlockValue | undefined {
  const v = getOption(options, num);
  return v === undefined ? undefined : decodeBlock(v);
}

export function blockOption(num: number, b: BlockValue): CoapOption {
  return { number: num, value: encodeBlock(b) };
}
