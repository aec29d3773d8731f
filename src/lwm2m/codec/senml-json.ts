/**
 * SenML JSON (RFC 8428 section 5; LwM2M content formats 110 and SenML-ETCH JSON 320).
 * A payload is an array of records: {"bn","bt","n","t","v"|"vs"|"vb"|"vd"|"vlo"}.
 * `vd` is written as base64url without padding and read in either alphabet, padded or not.
 * Other RFC 8428 fields are read and ignored (bv is added to v); a field ending in "_"
 * (must-understand) is refused. A null value field (SenML-ETCH) counts as no value. Numbers keep their text, so 64-bit integers stay exact.
 */
import { CodecError, ContentFormat, type CodecContext } from './codec.js';
import { decodeBase64, encodeBase64Url, type OutRecord, type RawRecord, type RawValue } from './senml-records.js';
import { JsonNumber, jsonNumberText, jsonNumberValue, readJson, type JsonValue } from './senml-json-reader.js';
import { makeSenmlCodec, type SenmlWire } from './senml.js';

const utf8 = new TextEncoder();

function bad(msg: string): CodecError {
  return new CodecError('MALFORMED', msg);
}

function asString(v: JsonValue | undefined, key: string): string {
  if (typeof v !== 'string') throw bad(`SenML field "${key}" must be a string`);
  return v;
}

function asNumber(v: JsonValue | undefined, key: string): number {
  if (!(v instanceof JsonNumber)) throw bad(`SenML field "${key}" must be a number`);
  return Number(v.raw);
}

const VALUE_FIELDS = new Set(['v', 'vs', 'vb', 'vd', 'vlo']);

function recordFrom(obj: JsonValue): RawRecord {
  if (!(obj instanceof Map)) throw bad('a SenML record must be a JSON object');
  const r: RawRecord = {};
  let value: RawValue | undefined;
  const setValue = (v: RawValue): void => {
    if (value) throw bad('a SenML record carries more than one value');
    value = v;
  };
  for (const [k, v] of obj) {
    // a null value (SenML-ETCH iPATCH: remove) leaves the record without value
    if (v === null && VALUE_FIELDS.has(k)) continue;
    switch (k) {
      case 'bn': r.bn = asString(v, k); break;
      case 'bt': r.bt = asNumber(v, k); break;
      case 'n': r.n = asString(v, k); break;
      case 't': r.t = asNumber(v, k); break;
      case 'v': {
        if (!(v instanceof JsonNumber)) throw bad('SenML field "v" must be a number');
        setValue({ k: 'num', v: jsonNumberValue(v), int: v.isIntegerLiteral });
        break;
      }
      case 'vs': setValue({ k: 'str', v: asString(v, k) }); break;
      case 'vb':
        if (typeof v !== 'boolean') throw bad('SenML field "vb" must be a boolean');
        setValue({ k: 'bool', v });
        break;
      case 'vd': setValue({ k: 'bytes', v: decodeBase64(asString(v, k)) }); break;
      case 'vlo': setValue({ k: 'objlnk', v: asString(v, k) }); break;
      default:
        if (k.endsWith('_')) throw bad(`SenML field "${k.slice(0, 16)}" must be understood and is not`);
    }
  }
  const bv = obj.get('bv');
  if (bv !== undefined && value?.k === 'num') {
    const sum = Number(value.v) + asNumber(bv, 'bv');
    value = { k: 'num', v: sum, int: Number.isInteger(sum) };
  }
  if (value) r.value = value;
  return r;
}

export function readSenmlJson(payload: Uint8Array, ctx: CodecContext): RawRecord[] {
  const doc = readJson(payload, ctx.limits);
  if (!Array.isArray(doc)) throw bad('a SenML JSON payload must be an array');
  if (doc.length > ctx.limits.maxRecords) throw new CodecError('LIMIT_EXCEEDED', `${doc.length} records`);
  return doc.map(recordFrom);
}

function valueText(v: RawValue): string {
  switch (v.k) {
    case 'num': return `"v":${jsonNumberText(v.v)}`;
    case 'str': return `"vs":${JSON.stringify(v.v)}`;
    case 'bool': return `"vb":${v.v ? 'true' : 'false'}`;
    case 'bytes': return `"vd":"${encodeBase64Url(v.v)}"`;
    case 'objlnk': return `"vlo":${JSON.stringify(v.v)}`;
  }
}

export function writeSenmlJson(records: readonly OutRecord[]): Uint8Array {
  const parts = records.map((r) => {
    const f: string[] = [];
    if (r.bn !== undefined) f.push(`"bn":${JSON.stringify(r.bn)}`);
    if (r.bt !== undefined) f.push(`"bt":${jsonNumberText(r.bt)}`);
    if (r.n !== undefined) f.push(`"n":${JSON.stringify(r.n)}`);
    if (r.value !== undefined) f.push(valueText(r.value));
    if (r.t !== undefined) f.push(`"t":${jsonNumberText(r.t)}`);
    return `{${f.join(',')}}`;
  });
  return utf8.encode(`[${parts.join(',')}]`);
}

export const senmlJsonWire: SenmlWire = { read: readSenmlJson, write: writeSenmlJson };

export const senmlJsonCodec = makeSenmlCodec({
  name: 'senml-json',
  formats: [ContentFormat.SENML_JSON, ContentFormat.SENML_ETCH_JSON],
  wire: senmlJsonWire,
  pathLists: true,
});
