/**
 * A request from a device as the CoAP message layer hands it up (method, Uri-Path,
 * Uri-Query, payload reassembled from blocks), the answer it takes back, and the
 * conversions from and to CoAP messages. The LwM2M meaning of paths lives in
 * uplink-map.ts, above this seam.
 */
import { isUtf8 } from 'node:buffer';
import type { Notification, Peer } from '../../lwm2m/transport.js';
import type { CoapMessage, MethodName } from './message.js';
import { codeClass, codeFromText, methodName } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, getStringOptions, getUintOption, stringOptions, uintOption } from './options.js';

export interface CoapRequest {
  method: MethodName;
  /** Uri-Path segments, e.g. ["rd", "abc"] */
  uriPath: string[];
  /** Uri-Query values, e.g. ["ep=dev1", "lt=300", "Q"] */
  uriQuery: string[];
  contentFormat?: number;
  accept?: number;
  payload: Uint8Array;
}

export interface CoapResponse {
  /** "2.01", "4.04" */
  code: string;
  /** Max-Age: seconds after which the client may retry (of a 4.29 or 5.03) */
  maxAge?: number;
  /** Location-Path segments */
  location?: readonly string[];
  contentFormat?: number;
  payload?: Uint8Array;
}

/** What the message layer hands requests and notifications from devices to. */
export interface CoapRequestHandler {
  handleRequest(peer: Peer, request: CoapRequest): Promise<CoapResponse>;
  /** false: no such observation (the message layer answers RST) */
  handleNotification(peer: Peer, notification: Notification): boolean;
}

/** undefined for a method code without a name */
export function toCoapRequest(m: CoapMessage, payload: Buffer = m.payload): CoapRequest | undefined {
  const method = methodName(m.code);
  if (!method) return undefined;
  const req: CoapRequest = {
    method,
    uriPath: getStringOptions(m.options, Opt.UriPath),
    uriQuery: getStringOptions(m.options, Opt.UriQuery),
    payload: new Uint8Array(payload),
  };
  const cf = getUintOption(m.options, Opt.ContentFormat);
  if (cf !== undefined) req.contentFormat = cf;
  const accept = getUintOption(m.options, Opt.Accept);
  if (accept !== undefined) req.accept = accept;
  return req;
}

/**
 * A Uri-Path or Uri-Query value that is not valid UTF-8 (RFC 7252 3.2: string options are
 * UTF-8). Checked on the bytes: decoding first would turn them into U+FFFD, which a
 * device may also send on purpose, validly encoded.
 */
export function hasBadStringOption(options: readonly CoapOption[]): boolean {
  for (const o of options) {
    if ((o.number === Opt.UriPath || o.number === Opt.UriQuery) && !isUtf8(o.value)) return true;
  }
  return false;
}

export interface ResponseParts {
  code: number;
  options: CoapOption[];
  payload: Buffer;
}

/** undefined when the handler's answer is not a valid response (the device then gets 5.00). */
export function toResponseParts(r: CoapResponse): ResponseParts | undefined {
  const code = typeof r.code === 'string' ? codeFromText(r.code) : undefined;
  if (code === undefined || codeClass(code) < 2 || codeClass(code) > 5) return undefined;
  const options: CoapOption[] = [];
  try {
    if (r.location && r.location.length > 0) options.push(...stringOptions(Opt.LocationPath, r.location));
    if (r.contentFormat !== undefined) options.push(uintOption(Opt.ContentFormat, r.contentFormat));
    if (r.maxAge !== undefined) options.push(uintOption(Opt.MaxAge, r.maxAge));
  } catch {
    return undefined;
  }
  if (options.some((o) => o.value.length > 255)) return undefined;
  // a view, not a copy: a large answer (a firmware image) is sliced into Block2 blocks from it
  return { code, options, payload: r.payload ? Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength) : Buffer.alloc(0) };
}

export function uriKey(m: CoapMessage): string {
  return `${m.code}|${getStringOptions(m.options, Opt.UriPath).join('/')}?${getStringOptions(m.options, Opt.UriQuery).join('&')}`;
}
