/**
 * CoAP messages (RFC 7252 section 3): a parser that never throws and refuses whatever it
 * would read past (the message's parts are views of the datagram, no copies), and an
 * encoder with an explicit size limit, writing straight into one buffer.
 * test/unit/transport/coap/message-conformance.test.ts checks both against coap-packet.
 */
import type { CoapOption } from './options.js';

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

/** "c.dd" of every code byte, made once (a notification's code is looked up, not formatted) */
const CODE_TEXTS: readonly string[] = Array.from({ length: 256 }, (_, c) => `${c >> 5}.${String(c & 31).padStart(2, '0')}`);

/** 0x45 -> "2.05" */
export function codeText(code: number): string {
  return CODE_TEXTS[code] ?? `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
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

function broken(buf: Buffer, reason: string): ParseResult {
  return { ok: false, reason, header: brokenHeader(buf) };
}

const NO_BYTES: Buffer = Buffer.alloc(0);

/**
 * Never throws. One walk over the datagram: anything that would read past its end, a
 * reserved nibble, an option number over 65535 or a payload marker without payload is
 * refused. Token, option values and payload are views of `buf` (no copies): the caller
 * must not change the datagram while the message is in use (nobody does: each datagram is
 * a buffer of its own, received or decrypted).
 */
export function parseMessage(buf: Buffer): ParseResult {
  const length = buf.length;
  if (length < 4) return { ok: false, reason: 'shorter than a header' };
  const b0 = buf[0]!;
  if (b0 >> 6 !== 1) return { ok: false, reason: 'unknown version' };
  const tkl = b0 & 15;
  if (tkl > 8) return broken(buf, 'token length over 8');
  const codeByte = buf[1]!;
  const type = ((b0 >> 4) & 3) as MessageType;
  const messageId = (buf[2]! << 8) | buf[3]!;
  if (codeByte === EMPTY_CODE) {
    if (length !== 4 || tkl !== 0) return broken(buf, 'empty message with content');
    return { ok: true, message: { type, code: codeByte, messageId, token: NO_BYTES, options: [], payload: NO_BYTES } };
  }
  let i = 4 + tkl;
  if (i > length) return broken(buf, 'truncated token');
  const token = buf.subarray(4, i);
  const options: CoapOption[] = [];
  let payload = NO_BYTES;
  let number = 0;
  while (i < length) {
    const b = buf[i++]!;
    if (b === 0xff) {
      if (i >= length) return broken(buf, 'payload marker without payload');
      payload = buf.subarray(i, length);
      break;
    }
    let delta = b >> 4;
    let len = b & 15;
    if (delta === 15 || len === 15) return broken(buf, 'reserved option nibble');
    if (delta === 13) {
      if (i + 1 > length) return broken(buf, 'truncated option delta');
      delta = buf[i++]! + 13;
    } else if (delta === 14) {
      if (i + 2 > length) return broken(buf, 'truncated option delta');
      delta = ((buf[i]! << 8) | buf[i + 1]!) + 269;
      i += 2;
    }
    if (len === 13) {
      if (i + 1 > length) return broken(buf, 'truncated option length');
      len = buf[i++]! + 13;
    } else if (len === 14) {
      if (i + 2 > length) return broken(buf, 'truncated option length');
      len = ((buf[i]! << 8) | buf[i + 1]!) + 269;
      i += 2;
    }
    number += delta;
    if (number > 0xffff) return broken(buf, 'option number over 65535');
    if (i + len > length) return broken(buf, 'truncated option value');
    options.push({ number, value: buf.subarray(i, i + len) });
    i += len;
  }
  return { ok: true, message: { type, code: codeByte, messageId, token, options, payload } };
}

/** Bytes of an option's delta or length nibble extension (RFC 7252 3.1). */
function extBytes(v: number): number {
  return v < 13 ? 0 : v < 269 ? 1 : 2;
}

function nibble(v: number): number {
  return v < 13 ? v : v < 269 ? 13 : 14;
}

function writeExt(out: Buffer, pos: number, v: number): number {
  if (v < 13) return pos;
  if (v < 269) {
    out[pos] = v - 13;
    return pos + 1;
  }
  out.writeUInt16BE(v - 269, pos);
  return pos + 2;
}

function byNumber(a: CoapOption, b: CoapOption): number {
  return a.number - b.number;
}

/**
 * Throws a RangeError when the message would exceed maxLength bytes (or a field is out of
 * range). Options go out in number order (a stable sort: repeated options keep their order);
 * a payload only when there is one and the code is not Empty.
 */
export function encodeMessage(m: CoapMessage, maxLength: number): Buffer {
  let options = m.options;
  for (let k = 1; k < options.length; k++) {
    if (options[k]!.number < options[k - 1]!.number) {
      options = [...options].sort(byNumber);
      break;
    }
  }
  const token = m.token;
  const tkl = token.length;
  if (tkl > 8) throw new RangeError('token longer than 8 bytes');
  const payload = m.code === EMPTY_CODE ? NO_BYTES : m.payload;
  let length = 4 + tkl + (payload.length > 0 ? payload.length + 1 : 0);
  let last = 0;
  for (const o of options) {
    const delta = o.number - last;
    if (delta < 0 || o.number > 0xffff) throw new RangeError(`bad option number ${o.number}`);
    const len = o.value.length;
    if (len > 0xffff + 269) throw new RangeError('option value too long');
    length += 1 + extBytes(delta) + extBytes(len) + len;
    last = o.number;
  }
  if (length > maxLength) throw new RangeError(`Max packet size is ${maxLength}: current is ${length}`);
  if (m.code < 0 || m.code > 255) throw new RangeError(`bad code ${m.code}`);
  // a CON is kept until answered (retransmitter.ts): a buffer of its own, not a slice of
  // the pool that would pin the pool's 8 KiB; the rest (ACK, RST, NON) only goes out (the
  // dedup cache keeps a reply as a string), so from the pool: no ArrayBuffer per ACK
  const out = m.type === CON ? Buffer.allocUnsafeSlow(length) : Buffer.allocUnsafe(length);
  out[0] = 0x40 | (m.type << 4) | tkl;
  out[1] = m.code;
  out.writeUInt16BE(m.messageId, 2);
  let pos = 4;
  if (tkl > 0) pos += token.copy(out, pos);
  last = 0;
  for (const o of options) {
    const delta = o.number - last;
    const len = o.value.length;
    out[pos++] = (nibble(delta) << 4) | nibble(len);
    pos = writeExt(out, pos, delta);
    pos = writeExt(out, pos, len);
    if (len > 0) pos += o.value.copy(out, pos);
    last = o.number;
  }
  if (payload.length > 0) {
    out[pos++] = 0xff;
    payload.copy(out, pos);
  }
  return out;
}

export function emptyMessage(type: typeof ACK | typeof RST | typeof CON, messageId: number): CoapMessage {
  return { type, code: EMPTY_CODE, messageId, token: NO_BYTES, options: [], payload: NO_BYTES };
}
