/**
 * A small JSON reader for the SenML JSON and OMA JSON codecs (RFC 8259).
 * Unlike JSON.parse it bounds nesting depth and value count before any work grows with
 * them, keeps the text of numbers (so 64-bit integers stay exact), refuses duplicate keys,
 * and reports every fault as a CodecError.
 */
import { CodecError, type DecodeLimits } from './codec.js';

export class JsonNumber {
  constructor(
    readonly raw: string,
    readonly isIntegerLiteral: boolean,
  ) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

const decoder = new TextDecoder('utf-8', { fatal: true });

function malformed(msg: string, pos: number): CodecError {
  return new CodecError('MALFORMED', `${msg} at offset ${pos}`);
}

export function readJson(payload: Uint8Array, limits: DecodeLimits): JsonValue {
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    throw new CodecError('MALFORMED', 'payload is not valid UTF-8');
  }
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let count = 0;
  const maxValues = Math.max(1, limits.maxRecords) * 24;

  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  const str = (): string => {
    // pos at the opening quote
    pos++;
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) throw malformed('unterminated string', pos);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) throw malformed('control character in string', pos);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw malformed('bad \\u escape', pos);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          throw malformed('bad escape', pos - 1);
      }
      start = pos;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

  const value = (depth: number): JsonValue => {
    if (++count > maxValues) throw new CodecError('LIMIT_EXCEEDED', `more than ${maxValues} JSON values`);
    ws();
    const c = text[pos];
    if (c === '[' || c === '{') {
      if (depth >= limits.maxDepth) throw new CodecError('LIMIT_EXCEEDED', `JSON nested deeper than ${limits.maxDepth}`);
      pos++;
      ws();
      if (c === '[') {
        const arr: JsonValue[] = [];
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(value(depth + 1));
          ws();
          const d = text[pos++];
          if (d === ']') return arr;
          if (d !== ',') throw malformed('expected , or ]', pos - 1);
        }
      }
      const obj = new Map<string, JsonValue>();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') throw malformed('expected a key', pos);
        const k = str();
        if (obj.has(k)) throw malformed(`duplicate key "${k.slice(0, 16)}"`, pos);
        ws();
        if (text[pos++] !== ':') throw malformed('expected :', pos - 1);
        obj.set(k, value(depth + 1));
        ws();
        const d = text[pos++];
        if (d === '}') return obj;
        if (d !== ',') throw malformed('expected , or }', pos - 1);
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m || m[0] === '' || m[0] === '-') throw malformed(pos >= text.length ? 'unexpected end' : 'unexpected character', pos);
    pos += m[0].length;
    return new JsonNumber(m[0], m[1] === undefined && m[2] === undefined);
  };

  const v = value(0);
  ws();
  if (pos !== text.length) throw malformed('trailing characters', pos);
  return v;
}

/** Longer integer literals are far beyond 64 bits: read as numbers (BigInt parsing grows quadratically). */
const MAX_BIGINT_DIGITS = 40;

/** The number's value: a bigint for integer literals outside the safe range, else a number. */
export function jsonNumberValue(n: JsonNumber): number | bigint {
  if (n.isIntegerLiteral && n.raw.length <= MAX_BIGINT_DIGITS) {
    const v = Number(n.raw);
    return Number.isSafeInteger(v) ? v : BigInt(n.raw);
  }
  return Number(n.raw);
}

/** JSON text for a number; NaN and infinities have none. */
export function jsonNumberText(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (!Number.isFinite(v)) throw new CodecError('TYPE_MISMATCH', `JSON cannot carry the number ${v}`);
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
}
