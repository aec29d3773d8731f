/**
 * A small leveled logger writing one line per event to stderr, as text or as JSON.
 *
 * Messages and field values often carry what devices and network peers sent (endpoint
 * names, addresses, error texts), so no character of theirs may end a line or reach the
 * terminal raw: control characters (U+0000-U+001F, U+007F-U+009F), the Unicode line and
 * paragraph separators (U+2028, U+2029) and lone surrogates are written as escapes
 * (`\n`, `\u001b`...), in both formats. Whatever is passed in, one call writes one line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * text: `<time> <LEVEL> <msg> key=value ...` (a value with spaces, quotes, backslashes
 * or escaped characters is written as a quoted string);
 * json: one object per line, `{"time":..., "level":..., "msg":..., <fields>}`.
 */
export type LogFormat = 'text' | 'json';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** The keys a JSON line always has; a field of the same name is written as `_<name>`. */
const JSON_KEYS = new Set(['time', 'level', 'msg']);

/** Characters never written raw: C0, DEL and C1 controls, U+2028/U+2029, lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what this escapes
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);
/** What makes a text-format value need quotes (besides the unsafe characters). */
const NEEDS_QUOTES = /[\s"\\]/;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function escapeChar(c: string): string {
  return SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `s` with every unsafe character escaped (backslashes too, so an escape cannot be faked). */
export function escapeLogText(s: string): string {
  const bs = s.includes('\\') ? s.replace(/\\/g, '\\\\') : s;
  return UNSAFE_TEST.test(bs) ? bs.replace(UNSAFE, escapeChar) : bs;
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, U+2028/U+2029) escaped:
 * still the same JSON value. JSON.stringify itself escapes C0 and lone surrogates.
 */
function safeJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    out = JSON.stringify(String(value)); // a cycle, or a toJSON that throws
  }
  out ??= JSON.stringify(String(value)); // a function or a symbol
  return out.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textValue(v: unknown): string {
  if (typeof v === 'string') {
    if (v === '' || NEEDS_QUOTES.test(v) || UNSAFE_TEST.test(v)) return `"${escapeLogText(v).replace(/"/g, '\\"')}"`;
    return v;
  }
  return safeJson(v);
}

export function formatText(time: string, level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${escapeLogText(msg)}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      line += ` ${escapeLogText(k)}=${textValue(v)}`;
    }
  }
  return line;
}

export function formatJson(time: string, level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): string {
  const obj: Record<string, unknown> = { time, level, msg };
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      obj[JSON_KEYS.has(k) ? `_${k}` : k] = v;
    }
  }
  return safeJson(obj);
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  format: LogFormat = 'text',
): Logger {
  const min = RANK[level];
  const render = format === 'json' ? formatJson : formatText;
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    write(render(new Date().toISOString(), lvl, String(msg), fields));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('silent');
