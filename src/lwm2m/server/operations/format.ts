/**
 * Which content format a downlink uses, chosen from what the client announced.
 *
 * Inputs: the registration's LwM2M version and its `ct` list (`reg.contentFormats`),
 * the formats our CodecRegistry has, and an explicit `format` on the request (which
 * always wins when a codec exists for it; otherwise the request is a BAD_REQUEST).
 *
 * Request payloads (write, create, write-composite):
 *
 * | payload                                  | 1.0        | 1.1               | 1.2                          |
 * |------------------------------------------|------------|-------------------|------------------------------|
 * | one value (resource / resource instance) | text 0     | text 0            | CBOR 60 if announced, else 0 |
 * | ... of type opaque                       | opaque 42  | opaque 42         | opaque 42                    |
 * | ... of type objlnk                       | TLV        | text 0            | as other values              |
 * | several values (instance, multi-resource)| TLV        | SenML CBOR > SenML JSON > TLV | LwM2M CBOR > SenML CBOR > SenML JSON > TLV |
 * | composite values (iPATCH)                | refused    | SenML CBOR > SenML JSON (JSON when none announced) | LwM2M CBOR > SenML CBOR > SenML JSON |
 * | composite path list (FETCH)              | refused    | SenML CBOR > SenML JSON (JSON when none announced) | SenML-ETCH CBOR > ETCH JSON > SenML CBOR > SenML JSON |
 *
 * Create without an instance id (the client picks it): TLV, the only format that can carry
 * resources without naming their instance.
 *
 * "A > B" means: the first one the client announced in `ct` (and we have a codec for);
 * the last entry of each row is the fallback when none was announced. A 1.0 client must
 * do TLV (plain text and opaque for single values), so TLV is its only multi-value format.
 *
 * Responses (Accept):
 * - read / observe: the caller's format; else, for a 1.1+ client, the format chosen in
 *   operations/accept.ts (text / opaque / CBOR for one value, the first multi-value format
 *   of `ct` for several), with one retry on 4.06 / 5.00. A 1.0 client gets no Accept: it
 *   answers in its own preferred format, which every codec here decodes, and is never
 *   sent an Accept it may not understand.
 * - discover: Accept 40 (link-format) always.
 * - composite read / observe: Accept always, since the answer must carry several paths:
 *   the caller's format, else LwM2M CBOR for a 1.2 client that announced it, else the
 *   SenML format of the request body (without ETCH).
 */
import { ContentFormat } from '../../codec/codec.js';
import { compareVersions } from '../../model/registry.js';
import type { ResourceType } from '../../model/types.js';
import type { CodecRegistry } from '../../codec/registry.js';
import type { Registration } from '../types.js';

const CF = ContentFormat;

/** The formats that can carry several values in one payload. */
export const MULTI_VALUE_FORMATS: readonly number[] = [
  CF.TLV,
  CF.SENML_JSON,
  CF.SENML_CBOR,
  CF.LWM2M_CBOR,
  CF.JSON,
  CF.OLD_TLV,
  CF.OLD_JSON,
];

/** Formats a composite operation can answer or carry values in. */
export const COMPOSITE_FORMATS: readonly number[] = [
  CF.SENML_JSON,
  CF.SENML_CBOR,
  CF.SENML_ETCH_JSON,
  CF.SENML_ETCH_CBOR,
  CF.LWM2M_CBOR,
];

/** Formats a Send (/dp) may use. */
export const SEND_FORMATS: readonly number[] = [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR];

/** Legacy (pre-registration) numbers of LwM2M 1.0 clients and their registered numbers. */
const LEGACY: ReadonlyMap<number, number> = new Map([
  [CF.OLD_TEXT, CF.TEXT],
  [CF.OLD_TLV, CF.TLV],
  [CF.OLD_JSON, CF.JSON],
  [CF.OLD_OPAQUE, CF.OPAQUE],
]);

/** The format to hand the codecs: a legacy number maps to its registered one when only that has a codec. */
export function codecFormat(codecs: CodecRegistry, format: number): number {
  if (codecs.supports(format)) return format;
  const mapped = LEGACY.get(format);
  return mapped !== undefined && codecs.supports(mapped) ? mapped : format;
}

/** true when `reg.version` is at least `v` ("1.1"). */
export function atLeast(reg: Pick<Registration, 'version'>, v: string): boolean {
  // compareVersions reads parsed versions from a bounded cache: no parsing per request
  return compareVersions(reg.version || '1.0', v) >= 0;
}

/** The first format of `prefs` the client announced and we can encode; `fallback` otherwise. */
function firstAnnounced(reg: Registration, codecs: CodecRegistry, prefs: readonly number[], fallback: number): number {
  for (const f of prefs) if (reg.contentFormats.includes(f) && codecs.supports(f)) return f;
  return fallback;
}

/** Format for a payload that carries several values (instance, multiple resource, object). */
export function multiValueFormat(reg: Registration, codecs: CodecRegistry): number {
  if (!atLeast(reg, '1.1')) return CF.TLV;
  if (!atLeast(reg, '1.2')) return firstAnnounced(reg, codecs, [CF.SENML_CBOR, CF.SENML_JSON], CF.TLV);
  return firstAnnounced(reg, codecs, [CF.LWM2M_CBOR, CF.SENML_CBOR, CF.SENML_JSON], CF.TLV);
}

/** Format for a payload that carries one value of `type`. */
export function singleValueFormat(reg: Registration, codecs: CodecRegistry, type: ResourceType): number {
  if (type === 'opaque') return CF.OPAQUE;
  if (!atLeast(reg, '1.1')) return type === 'objlnk' ? CF.TLV : CF.TEXT;
  if (atLeast(reg, '1.2') && reg.contentFormats.includes(CF.CBOR) && codecs.supports(CF.CBOR)) return CF.CBOR;
  return CF.TEXT;
}

/** Format of the values of a Write-Composite. */
export function compositeValueFormat(reg: Registration, codecs: CodecRegistry): number {
  const prefs = atLeast(reg, '1.2') ? [CF.LWM2M_CBOR, CF.SENML_CBOR, CF.SENML_JSON] : [CF.SENML_CBOR, CF.SENML_JSON];
  return firstAnnounced(reg, codecs, prefs, CF.SENML_JSON);
}

/** Format of the path list of a Read-/Observe-Composite request body. */
export function compositePathFormat(reg: Registration, codecs: CodecRegistry): number {
  const prefs = atLeast(reg, '1.2')
    ? [CF.SENML_ETCH_CBOR, CF.SENML_ETCH_JSON, CF.SENML_CBOR, CF.SENML_JSON]
    : [CF.SENML_CBOR, CF.SENML_JSON];
  return firstAnnounced(reg, codecs, prefs, CF.SENML_JSON);
}

/** Accept of a Read-/Observe-Composite when the caller gave none. */
export function compositeAcceptFormat(reg: Registration, codecs: CodecRegistry, pathFormat: number): number {
  if (atLeast(reg, '1.2') && reg.contentFormats.includes(CF.LWM2M_CBOR) && codecs.supports(CF.LWM2M_CBOR)) return CF.LWM2M_CBOR;
  if (pathFormat === CF.SENML_ETCH_CBOR) return CF.SENML_CBOR;
  if (pathFormat === CF.SENML_ETCH_JSON) return CF.SENML_JSON;
  return pathFormat;
}

// ---- responses without a Content-Format (pitfall 3) ----

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return undefined;
}

/** Valid UTF-8 without control characters other than tab/CR/LF. */
export function looksLikeText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/**
 * The formats to try, in order, on a payload that came without Content-Format:
 * the request's Accept first, then what the first byte suggests, then the rest.
 * `depth` is the depth of the request path (3 and 4: a single value is likely).
 */
export function candidateFormats(bytes: Uint8Array, depth: number, accept: number | undefined, codecs: CodecRegistry): number[] {
  const out: number[] = [];
  const add = (f: number): void => {
    const g = codecFormat(codecs, f);
    if (codecs.supports(g) && !out.includes(g)) out.push(g);
  };
  if (accept !== undefined) add(accept);
  const single = depth >= 3;
  const first = firstNonSpace(bytes);
  const text = looksLikeText(bytes);
  if (first === 0x5b /* [ */ && text) add(CF.SENML_JSON);
  if (first === 0x7b /* { */ && text) add(CF.JSON);
  if (single && text) add(CF.TEXT);
  const b0 = bytes[0];
  if (b0 !== undefined && b0 >= 0x80 && b0 <= 0x9f) add(CF.SENML_CBOR);
  if (b0 !== undefined && b0 >= 0xa0 && b0 <= 0xbf) add(CF.LWM2M_CBOR);
  add(CF.TLV);
  if (single) add(CF.CBOR);
  add(CF.SENML_JSON);
  add(CF.SENML_CBOR);
  add(CF.LWM2M_CBOR);
  add(CF.JSON);
  if (single) add(CF.OPAQUE);
  return out;
}

/** A Send without Content-Format: guess among the Send formats from the first byte. */
export function guessSendFormat(bytes: Uint8Array): number | undefined {
  const first = firstNonSpace(bytes);
  if (first === 0x5b) return CF.SENML_JSON;
  const b0 = bytes[0];
  if (b0 !== undefined && b0 >= 0x80 && b0 <= 0x9f) return CF.SENML_CBOR;
  if (b0 !== undefined && b0 >= 0xa0 && b0 <= 0xbf) return CF.LWM2M_CBOR;
  return undefined;
}
