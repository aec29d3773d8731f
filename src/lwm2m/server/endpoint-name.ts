/**
 * What an endpoint name may be. The name a device registers with (`ep=`) goes into MQTT
 * topics, REST paths and log lines, where a newline or an escape sequence would do harm.
 */

/** The longest endpoint name, in UTF-8 bytes (what one CoAP Uri-Query option holds). */
export const MAX_ENDPOINT_BYTES = 255;

/**
 * Characters an endpoint name may not hold: C0 controls, DEL, C1 controls, and lone
 * surrogates (text that was not valid Unicode). No quantifier: nothing to backtrack.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const BAD_NAME_CHAR = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `ep` cannot be an endpoint name, or undefined when it can: 1 to 255 UTF-8 bytes of
 * valid Unicode without control characters (U+0000-U+001F, U+007F-U+009F). Any other
 * character is allowed, U+FFFD included. (The CoAP binding refuses option values that are
 * not valid UTF-8 before they get here, so bytes are never guessed into U+FFFD.)
 */
export function endpointNameProblem(ep: string): string | undefined {
  if (ep === '') return 'empty endpoint name';
  if (Buffer.byteLength(ep, 'utf8') > MAX_ENDPOINT_BYTES) return `endpoint name longer than ${MAX_ENDPOINT_BYTES} bytes`;
  if (BAD_NAME_CHAR.test(ep)) return 'endpoint name with a control character or invalid Unicode';
  return undefined;
}
