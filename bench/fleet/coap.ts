/**
 * The few CoAP pieces (RFC 7252, 7641) the simulated clients need, on coap-packet: a safe
 * parse into plain fields, option reading, and builders for requests and responses.
 */
import { generate, parse, type ParsedPacket } from 'coap-packet';

export interface Msg {
  /** "0.01" for GET, "2.05" ... */
  code: string;
  con: boolean;
  ack: boolean;
  reset: boolean;
  mid: number;
  token: Buffer;
  uriPath: string[];
  uriQuery: string[];
  locationPath: string[];
  accept: number | undefined;
  contentFormat: number | undefined;
  observe: number | undefined;
  payload: Buffer;
}

function uint(b: Buffer): number {
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** A datagram as a message; undefined when it is not CoAP. */
export function parseMsg(buf: Buffer): Msg | undefined {
  let p: ParsedPacket;
  try {
    p = parse(buf);
  } catch {
    return undefined;
  }
  const m: Msg = {
    code: p.code,
    con: p.confirmable,
    ack: p.ack,
    reset: p.reset,
    mid: p.messageId,
    token: p.token,
    uriPath: [],
    uriQuery: [],
    locationPath: [],
    accept: undefined,
    contentFormat: undefined,
    observe: undefined,
    payload: p.payload,
  };
  for (const o of p.options) {
    switch (o.name) {
      case 'Uri-Path':
        m.uriPath.push(o.value.toString('utf8'));
        break;
      case 'Uri-Query':
        m.uriQuery.push(o.value.toString('utf8'));
        break;
      case 'Location-Path':
        m.locationPath.push(o.value.toString('utf8'));
        break;
      case 'Accept':
        m.accept = uint(o.value);
        break;
      case 'Content-Format':
        m.contentFormat = uint(o.value);
        break;
      case 'Observe':
        m.observe = uint(o.value);
        break;
    }
  }
  return m;
}

/** The shortest unsigned big-endian bytes of n (0 is the empty value, RFC 7252 3.2). */
export function uintBytes(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  if (n < 256) return Buffer.from([n]);
  if (n < 65536) return Buffer.from([n >> 8, n & 255]);
  return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
}

type Opt = { name: string; value: Buffer };

export interface RequestSpec {
  method: 'POST' | 'DELETE' | 'PUT';
  mid: number;
  token: Buffer;
  path: string[];
  query?: string[];
  contentFormat?: number;
  payload?: Buffer;
}

export function request(s: RequestSpec): Buffer {
  const options: Opt[] = s.path.map((p) => ({ name: 'Uri-Path', value: Buffer.from(p) }));
  if (s.contentFormat !== undefined) options.push({ name: 'Content-Format', value: uintBytes(s.contentFormat) });
  for (const q of s.query ?? []) options.push({ name: 'Uri-Query', value: Buffer.from(q) });
  return generate({ code: s.method, messageId: s.mid, token: s.token, confirmable: true, options, ...(s.payload ? { payload: s.payload } : {}) }, 65_000);
}

export interface ResponseSpec {
  code: string;
  mid: number;
  token: Buffer;
  /** piggybacked in the ACK of a CON request; otherwise a NON or CON message of its own */
  type: 'ack' | 'non' | 'con';
  contentFormat?: number;
  observe?: number;
  payload?: Buffer;
}

export function response(s: ResponseSpec): Buffer {
  const options: Opt[] = [];
  if (s.observe !== undefined) options.push({ name: 'Observe', value: uintBytes(s.observe & 0xffffff) });
  if (s.contentFormat !== undefined) options.push({ name: 'Content-Format', value: uintBytes(s.contentFormat) });
  return generate(
    {
      code: s.code,
      messageId: s.mid,
      token: s.token,
      ack: s.type === 'ack',
      confirmable: s.type === 'con',
      options,
      ...(s.payload && s.payload.length > 0 ? { payload: s.payload } : {}),
    },
    65_000,
  );
}

/** An empty ACK or RST for message id `mid`. */
export function empty(kind: 'ack' | 'rst', mid: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = 0x40 | ((kind === 'ack' ? 2 : 3) << 4);
  b[1] = 0;
  b.writeUInt16BE(mid & 0xffff, 2);
  return b;
}
