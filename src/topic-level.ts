/**
 * An outside name (an LwM2M endpoint) as one MQTT topic level, and back. Shared by the
 * MQTT northbound's own topics and the mapped topics, so one endpoint has one level
 * everywhere.
 *
 * Percent-encoded (the UTF-8 bytes, `%2F`): what gives a level a meaning or breaks it
 * (`/`, `+`, `#`, NUL), `%` itself, the control characters (U+0001..U+001F,
 * U+007F..U+009F) and the noncharacters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF), which
 * MQTT 1.5.4 says a topic should not hold and Mosquitto answers by closing the
 * connection; and a leading `$` (topics starting with `$` are the broker's). The empty
 * name is `%`. Every other character is kept, so ordinary names are their own level.
 * (A lone UTF-16 surrogate cannot come from the wire, which is UTF-8; it becomes U+FFFD
 * when the topic is sent.)
 */

// high surrogates of U+1FFFE/F .. U+10FFFE/F (the last of each plane), low ones of xFFFE/xFFFF
const PLANE_END_HIGH = Array.from({ length: 16 }, (_, p) => String.fromCharCode(0xd83f + p * 64)).join('');
/** NUL, control characters, noncharacters: one or two UTF-16 units each, no backtracking */
const FORBIDDEN_CHARS = `[\\u0000-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]|[${PLANE_END_HIGH}][\\uDFFE\\uDFFF]`;
const FORBIDDEN = new RegExp(FORBIDDEN_CHARS);
/** what a level encodes: those and / + # % */
const SPECIAL = new RegExp(`[/+#%]|${FORBIDDEN_CHARS}`, 'g');
/** a quick test, one character class: may say yes for a plane's last high surrogate alone (then SPECIAL decides) */
const HAS_SPECIAL = new RegExp(`[/+#%\\u0000-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${PLANE_END_HIGH}]`);

/** The topic level for a name (ordinary names are returned as they are, without a copy). */
export function encodeLevel(name: string): string {
  if (name !== '' && name.charCodeAt(0) !== 0x24 && !HAS_SPECIAL.test(name)) return name;
  let s = name.replace(SPECIAL, encodeURIComponent);
  if (s.startsWith('$')) s = '%24' + s.slice(1);
  if (s === '') s = '%';
  return s;
}

/** The name of a topic level (the inverse of {@link encodeLevel}); undefined when malformed. */
export function decodeLevel(level: string): string | undefined {
  if (level === '%') return '';
  if (!level.includes('%')) return level;
  try {
    return decodeURIComponent(level);
  } catch {
    return undefined;
  }
}

/**
 * True when `topic` holds a character a broker refuses in a topic name (NUL, a control
 * character, a noncharacter): such a topic must not be sent (Mosquitto closes the
 * connection of a client that sends one).
 */
export function hasForbiddenChars(topic: string): boolean {
  return FORBIDDEN.test(topic);
}
