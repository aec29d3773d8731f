/**
 * The test client's own view of CoAP messages (RFC 7252), on top of coap-packet only:
 * option numbers, uint options, Block1/Block2 values (RFC 7959). Independent of the
 * gateway's CoAP code on purpose, so the two check each other.
 */
import { generate, parse } from 'coap-packet';

export type MsgType = 'CON' | 'NON' | 'ACK' | 'RST';

export interface CoapOpt {
  number: number;
  value: Buffer;
}

export interface Msg {
  type: MsgType;
  /** "0.01" (GET) ... "2.05" ... "0.00" (empty) */
  code: string;
  mid: number;
  token: Buffer;
  options: CoapOpt[];
  payload: Buffer;
}

export const O = {
  IfMatch: 1,
  ETag: 4,
  Observe: 6,
  LocationPath: 8,
  UriPath: 11,
  ContentFormat: 12,
  MaxAge: 14,
  UriQuery: 15,
  Accept: 17,
  LocationQuery: 20,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  Size1: 60,
  RequestTag: 292,
} as const;

const NAME_TO_NUMBER: Record<string, number> = {
  'If-Match': 1,
  'Uri-Host': 3,
  ETag: 4,
  'If-None-Match': 5,
  Observe: 6,
  'Uri-Port': 7,
  'Location-Path': 8,
  OSCORE: 9,
  'Uri-Path': 11,
  'Content-Format': 12,
  'Max-Age': 14,
  'Uri-Query': 15,
  'Hop-Limit': 16,
  Accept: 17,
  'Q-Block1': 19,
  'Location-Query': 20,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  'Q-Block2': 31,
  'Proxy-Uri': 35,
  'Proxy-Scheme': 39,
  Size1: 60,
  'No-Response': 258,
};

export const METHOD: Record<string, string> = {
  '0.01': 'GET',
  '0.02': 'POST',
  '0.03': 'PUT',
  '0.04': 'DELETE',
  '0.05': 'FETCH',
  '0.06': 'PATCH',
  '0.07': 'iPATCH',
};

/** undefined for anything coap-packet refuses */
export function decodeMsg(buf: Buffer): Msg | undefined {
  try {
    const p = parse(buf);
    const type: MsgType = p.confirmable ? 'CON' : p.ack ? 'ACK' : p.reset ? 'RST' : 'NON';
    const options = p.options.map((o) => ({
      number: typeof o.name === 'number' ? o.name : (NAME_TO_NUMBER[o.name] ?? Number(o.name)),
      value: o.value,
    }));
    return { type, code: p.code, mid: p.messageId, token: p.token, options, payload: p.payload };
  } catch {
    return undefined;
  }
}

export function encodeMsg(m: Msg): Buffer {
  return generate(
    {
      code: m.code,
      messageId: m.mid,
      token: m.token,
      confirmable: m.type === 'CON',
      ack: m.type === 'ACK',
      reset: m.type === 'RST',
      options: m.options.map((o) => ({ name: o.number, value: o.value })),
      payload: m.payload,
    },
    65_535,
  );
}

export function uint(value: number): Buffer {
  if (value === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  let v = value;
  while (v > 0) {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return Buffer.from(bytes);
}

export function readUint(b: Buffer): number {
  let v = 0;
  for (const byte of b) v = v * 256 + byte;
  return v;
}

export function opt(number: number, value: number | string | Buffer): CoapOpt {
  return { number, value: typeof value === 'number' ? uint(value) : typeof value === 'string' ? Buffer.from(value) : value };
}

export function getOpt(m: Msg, number: number): Buffer | undefined {
  return m.options.find((o) => o.number === number)?.value;
}

export function getUint(m: Msg, number: number): number | undefined {
  const v = getOpt(m, number);
  return v === undefined ? undefined : readUint(v);
}

export function getStrings(m: Msg, number: number): string[] {
  return m.options.filter((o) => o.number === number).map((o) => o.value.toString('utf8'));
}

export interface Block {
  num: number;
  more: boolean;
  szx: number;
}

export const blockBytes = (szx: number): number => 1 << (szx + 4);

export function szxOf(size: number): number {
  let szx = 6;
  while (szx > 0 && blockBytes(szx) > size) szx--;
  return szx;
}

export function getBlock(m: Msg, number: number): Block | undefined {
  const v = getOpt(m, number);
  if (v === undefined || v.length > 3) return undefined;
  const n = readUint(v);
  if ((n & 7) === 7) return undefined;
  return { num: n >>> 4, more: (n & 8) !== 0, szx: n & 7 };
}

export function blockOpt(number: number, b: Block): CoapOpt {
  return opt(number, b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

export function codeClass(code: string): number {
  return Number(code.split('.')[0]);
}

export function isRequestCode(code: string): boolean {
  return code.startsWith('0.') && code !== '0.00';
}
