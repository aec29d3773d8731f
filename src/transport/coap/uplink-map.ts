/**
 * CoAP requests from devices as UplinkRequest, and the core's UplinkResponse back as
 * the parts of a CoAP response.
 */
import { isUtf8 } from 'node:buffer';
import type { UplinkRequest, UplinkResponse } from '../../lwm2m/transport.js';
import type { CoapMessage } from './message.js';
import { codeClass, codeFromText, methodName } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, getStringOptions, getUintOption, stringOptions, uintOption } from './options.js';

/** undefined for a method code the core has no name for */
export function toUplinkRequest(m: CoapMessage, payload: Buffer = m.payload): UplinkRequest | undefined {
  const method = methodName(m.code);
  if (!method) return undefined;
  const req: UplinkRequest = {
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

/** undefined when the core's answer is not a valid response (the device then gets 5.00). */
export function toResponseParts(r: UplinkResponse): ResponseParts | undefined {
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
  return { code, options, payload: r.payload ? Buffer.from(r.payload) : Buffer.alloc(0) };
}

export function uriKey(m: CoapMessage): string {
  return `${m.code}|${getStringOptions(m.options, Opt.UriPath).join('/')}?${getStringOptions(m.options, Opt.UriQuery).join('&')}`;
}
