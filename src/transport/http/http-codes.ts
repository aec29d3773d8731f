/**
 * The two tables of the HTTP binding, in one place:
 *
 * - LwM2M response codes (CoAP's, RFC 7252 12.1.2) as HTTP statuses. LwM2M 1.2 Transport
 *   section 7 maps CoAP codes to HTTP statuses; the entries follow the CoAP-to-HTTP
 *   mapping of RFC 8075 section 7 (2.01 -> 201, 2.04 -> 204, 2.05 -> 200, 4.xx/5.xx ->
 *   the HTTP status of the same number, 4.02 -> 400, 4.29 -> 429). 2.02 Deleted has no
 *   body here: 204.
 * - LwM2M content formats as media types (the IANA CoAP Content-Formats registry, which
 *   gives each format number its media type; LwM2M Transport 7 carries them as
 *   Content-Type and Accept).
 */

/** LwM2M (CoAP) code -> HTTP status */
export const HTTP_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  '2.01': 201,
  '2.02': 204,
  '2.03': 304,
  '2.04': 204,
  '2.05': 200,
  '4.00': 400,
  '4.01': 401,
  '4.02': 400,
  '4.03': 403,
  '4.04': 404,
  '4.05': 405,
  '4.06': 406,
  '4.08': 400,
  '4.09': 409,
  '4.12': 412,
  '4.13': 413,
  '4.15': 415,
  '4.22': 422,
  '4.29': 429,
  '5.00': 500,
  '5.01': 501,
  '5.02': 502,
  '5.03': 503,
  '5.04': 504,
  '5.05': 502,
};

/** The HTTP status of an LwM2M code; 500 for one the table lacks. */
export function httpStatusOf(code: string): number {
  return HTTP_STATUS_OF_CODE[code] ?? 500;
}

/**
 * The LwM2M code a client's answer means (the `Lwm2m-Status` header of the profile): the
 * dotted form ("2.05"), or three digits, either the HTTP status it would answer (200) or
 * the code without its dot as the MQTT binding writes it (205). Both readings agree on
 * every number but 200, which is 2.05 Content (2.02 Deleted for a Delete).
 * Undefined when it is neither.
 */
export function codeOfStatus(text: string, isDelete: boolean): string | undefined {
  if (/^[245]\.[0-9]{2}$/.test(text)) return text;
  if (!/^[245][0-9]{2}$/.test(text)) return undefined;
  if (text === '200') return isDelete ? '2.02' : '2.05';
  return `${text[0]!}.${text.slice(1)}`;
}

/** content format -> media type, as Content-Type and Accept carry it */
export const MEDIA_TYPE_OF_FORMAT: ReadonlyMap<number, string> = new Map([
  [0, 'text/plain'],
  [40, 'application/link-format'],
  [42, 'application/octet-stream'],
  [60, 'application/cbor'],
  [110, 'application/senml+json'],
  [112, 'application/senml+cbor'],
  [320, 'application/senml-etch+json'],
  [322, 'application/senml-etch+cbor'],
  [11542, 'application/vnd.oma.lwm2m+tlv'],
  [11543, 'application/vnd.oma.lwm2m+json'],
  [11544, 'application/vnd.oma.lwm2m+cbor'],
]);

const FORMAT_OF_MEDIA_TYPE: ReadonlyMap<string, number> = new Map([...MEDIA_TYPE_OF_FORMAT].map(([f, t]) => [t, f]));

/** The longest Content-Type or Accept value looked at. */
const MAX_MEDIA_TYPE_CHARS = 256;

/**
 * The content format of a Content-Type (or one Accept) value: parameters (`;charset=utf-8`)
 * and case ignored. `undefined`: no header; `null`: a media type LwM2M has no format for.
 */
export function formatOfMediaType(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_MEDIA_TYPE_CHARS) return null;
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (type === '') return undefined;
  return FORMAT_OF_MEDIA_TYPE.get(type) ?? null;
}

/** The Content-Type of a content format: the registry's media type, text with its charset; an unknown number as octets. */
export function mediaTypeOf(format: number): string {
  if (format === 0) return 'text/plain; charset=utf-8';
  return MEDIA_TYPE_OF_FORMAT.get(format) ?? 'application/octet-stream';
}
