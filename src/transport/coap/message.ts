/**
 * CoAP messages (RFC 7252 section 3) on top of coap-packet: a framing check that refuses
 * what the codec would read past, a safe parse, and an encoder with an explicit size limit.
 */
import { generate, parse } from 'coap-packet';
import type { CoapOption } from './options.js';
import { optionNumber } from './options.js';

export const CON = 0;
export const NON = 1;
export const ACK = 2;
export const RST = 3;
export type MessageType = typeof CON | typeof NON | typeof ACK | typeof RST;

export interface CoapMessage {
  type: MessageType;
  /** class << 5 | detail: 0x01 GET, 0x45 2.05 */
  code: number;
  messageId: number;
  token: Buffer;
  options: CoapOption[];
  payload: Buffer;
}

export const EMPTY_CODE = 0;
export const Method = { GET: 1, POST: 2, PUT: 3, DELETE: 4, FETCH: 5, PATCH: 6, iPATCH: 7 } as const;
export type MethodName = keyof typeof Method;
const METHOD_NAMES: Record<number, MethodName> = { 1: 'GET', 2: 'POST', 3: 'PUT', 4: 'DELETE', 5: 'FETCH', 6: 'PATCH', 7: 'iPATCH' };

export function methodName(code: number): MethodName | undefined {
  return METHOD_NAMES[code];
}

export function codeClass(code: number): number {
  return code >> 5;
}

export function isRequestCode(code: number): boolean {
  return code !== EMPTY_CODE && codeClass(code) === 0;
}

export function isResponseCode(code: number): boolean {
  const c = codeClass(code);
  return c >= 2 && c <= 5;
}

/** 0x45 -> "2.05" */
export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
}

/** "2.05" -> 0x45; undefined when it is not a c.dd code */
export function codeFromText(text: string): number | undefined {
  const m = /^([0-7])\.(\d\d)$/.exec(text);
  if (!m) return undefined;
  const detail = Number(m[2]);
  if (detail > 31) return undefined;
  return (Number(m[1]) << 5) | detail;
}

export function code(cls: number, detail: number): number {
  return (cls << 5) | detail;
}

/** What could be read of a datagram that failed to parse, to decide on 4.00 / RST / silence. */
export interface BrokenHeader {
  type: MessageType;
  code: number;
  messageId: number;
  /** present when the token could be read */
  token?: Buffer;
}

export type ParseResult =
  | { ok: true; message: CoapMessage }
  | { ok: false; reason: string; header?: BrokenHeader };

/** Walks the token and options the way the codec will, refusing anything it would read past. */
function framingError(buf: Buffer): string | undefined {
  const tkl = buf[0]! & 15;
  if (tkl > 8) return 'token length over 8';
  if (buf[1] === EMPTY_CODE) return buf.length === 4 && tkl === 0 ? undefined : 'empty message with content';
  let i = 4 + tkl;
  if (i > buf.length) return 'truncated token';
  let number = 0;
  while (i < buf.length) {
    const b = buf[i++]!;
    if (b === 0xff) return i >= buf.length ? 'payload marker without payload' : undefined;
    let delta = b >> 4;
    let len = b & 15;
    if (delta === 15 || len === 15) return 'reserved option nibble';
    const ext = (v: number): number | undefined => {
      if (v === 13) {
        if (i + 1 > buf.length) return undefined;
        return buf[i++]! + 13;
      }
      if (v === 14) {
        if (i + 2 > buf.length) return undefined;
        const r = buf.readUInt16BE(i) + 269;
        i += 2;
        return r;
      }
      return v;
    };
    const d = ext(delta);
    if (d === undefined) return 'truncated option delta';
    delta = d;
    const l = ext(len);
    if (l === undefined) return 'truncated option length';
    len = l;
    number += delta;
    if (number > 0xffff) return 'option number over 65535';
    i += len;
    if (i > buf.length) return 'truncated option value';
  }
  return undefined;
}

function brokenHeader(buf: Buffer): BrokenHeader | undefined {
  if (buf.length < 4 || buf[0]! >> 6 !== 1) return undefined;
  const tkl = buf[0]! & 15;
  const header: BrokenHeader = {
    type: ((buf[0]! >> 4) & 3) as MessageType,
    code: buf[1]!,
    messageId: buf.readUInt16BE(2),
  };
  if (tkl <= 8 && 4 + tkl <= buf.length) header.token = Buffer.from(buf.subarray(4, 4 + tkl));
  return header;
}

/** Never throws. */
export function parseMessage(buf: Buffer): ParseResult {
  if (buf.length < 4) return { ok: false, reason: 'shorter than a header' };
  if (buf[0]! >> 6 !== 1) return { ok: false, reason: 'unknown version' };
  const err = framingError(buf);
  if (err) return { ok: false, reason: err, header: brokenHeader(buf) };
  try {
    const p = parse(buf);
    const options: CoapOption[] = p.options.map((o) => ({ number: optionNumber(o.name), value: Buffer.from(o.value) }));
    return {
      ok: true,
      message: {
        type: ((buf[0]! >> 4) & 3) as MessageType,
        code: buf[1]!,
        messageId: p.messageId,
        token: Buffer.from(p.token),
        options,
        payload: Buffer.from(p.payload),
      },
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : 'unparsable', header: brokenHeader(buf) };
  }
}

/** Throws a RangeError when the message would exceed maxLength bytes. */
export function encodeMessage(m: CoapMessage, maxLength: number): Buffer {
  try {
    return generate(
      {
        confirmable: m.type === CON,
        ack: m.type === ACK,
        reset: m.type === RST,
        code: codeText(m.code),
        messageId: m.messageId,
        token: m.token,
        // generate sorts the array it is given: hand it a copy
        options: m.options.map((o) => ({ name: o.number, value: o.value })),
        payload: m.code === EMPTY_CODE ? Buffer.alloc(0) : m.payload,
      },
      maxLength,
    );
  } catch (e) {
    throw new RangeError(e instanceof Error ? e.message : 'cannot encode message', { cause: e });
  }
}

export function emptyMessage(type: typeof ACK | typeof RST | typeof CON, messageId: number): CoapMessage {
  return { type, code: EMPTY_CODE, messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) };
}
