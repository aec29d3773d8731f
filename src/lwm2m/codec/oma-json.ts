/**
 * OMA JSON, the LwM2M 1.0 JSON format (content formats 11543 and the older 1543):
 *   {"bn":"/3/0/","bt":1500000000,"e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"9","v":100,"t":-5}]}
 * Records in "e" carry n, t and one of v (number), sv (string; base64 for opaque), bv
 * (boolean) or ov (object link "3:0"); numbers written as strings ("v":"22.4") are accepted.
 * bn and bt apply to every record; times follow the SenML rules (senml-records.ts).
 * On output, times are written as absolute `t` per record.
 * Shares the SenML record model and tree logic (senml.ts); LwM2M 1.0 has no composite
 * operations, so this format carries no path lists.
 */
import type { LwM2mPath } from '../path.js';
import { CodecError, ContentFormat, type CodecContext } from './codec.js';
import { encodeBase64, type OutRecord, type RawRecord, type RawValue } from './senml-records.js';
import { JsonNumber, jsonNumberText, jsonNumberValue, readJson, type JsonValue } from './senml-json-reader.js';
import { makeSenmlCodec, type SenmlWire } from './senml.js';

const utf8 = new TextEncoder();

function bad(msg: string): CodecError {
  return new CodecError('MALFORMED', msg);
}

function str(v: JsonValue | undefined, key: string): string {
  if (typeof v !== 'string') throw bad(`OMA JSON field "${key}" must be a string`);
  return v;
}

const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** A number, or (as early LwM2M 1.0 drafts and some clients write them) a number in a string. */
function numberish(v: JsonValue | undefined, key: string): JsonNumber {
  if (v instanceof JsonNumber) return v;
  const m = typeof v === 'string' ? NUMBER_TEXT.exec(v) : null;
  if (!m) throw bad(`OMA JSON field "${key}" must be a number`);
  return new JsonNumber(v as string, m[1] === undefined && m[2] === undefined);
}

function num(v: JsonValue | undefined, key: string): number {
  return Number(numberish(v, key).raw);
}

function entryFrom(e: JsonValue): RawRecord {
  if (!(e instanceof Map)) throw bad('an OMA JSON entry must be an object');
  const r: RawRecord = {};
  let value: RawValue | undefined;
  const setValue = (v: RawValue): void => {
    if (value) throw bad('an OMA JSON entry carries more than one value');
    value = v;
  };
  for (const [k, v] of e) {
    switch (k) {
      case 'n': r.n = str(v, k); break;
      case 't': r.t = num(v, k); break;
      case 'v': {
        const n = numberish(v, k);
        setValue({ k: 'num', v: jsonNumberValue(n), int: n.isIntegerLiteral });
        break;
      }
      case 'sv': setValue({ k: 'str', v: str(v, k) }); break;
      case 'bv':
        if (typeof v !== 'boolean') throw bad('OMA JSON field "bv" must be a boolean');
        setValue({ k: 'bool', v });
        break;
      case 'ov': setValue({ k: 'objlnk', v: str(v, k) }); break;
      default: // other fields are ignored
    }
  }
  if (value) r.value = value;
  return r;
}

export function readOmaJson(payload: Uint8Array, ctx: CodecContext): RawRecord[] {
  const doc = readJson(payload, ctx.limits);
  if (!(doc instanceof Map)) throw bad('an OMA JSON payload must be an object');
  const e = doc.get('e');
  if (!Array.isArray(e)) throw bad('an OMA JSON payload needs an "e" array');
  if (e.length > ctx.limits.maxRecords) throw new CodecError('LIMIT_EXCEEDED', `${e.length} records`);
  const records = e.map(entryFrom);
  const first = records[0];
  if (first) {
    if (doc.has('bn')) first.bn = str(doc.get('bn'), 'bn');
    if (doc.has('bt')) first.bt = num(doc.get('bt'), 'bt');
  }
  return records;
}

function valueText(v: RawValue): string {
  switch (v.k) {
    case 'num': return `"v":${jsonNumberText(v.v)}`;
    case 'str': return `"sv":${JSON.stringify(v.v)}`;
    case 'bool': return `"bv":${v.v ? 'true' : 'false'}`;
    case 'bytes': return `"sv":"${encodeBase64(v.v)}"`;
    case 'objlnk': return `"ov":${JSON.stringify(v.v)}`;
  }
}

export function writeOmaJson(records: readonly OutRecord[]): Uint8Array {
  let bn: string | undefined;
  let bt: number | undefined;
  const entries = records.map((r, i) => {
    if (r.bn !== undefined) {
      if (i !== 0) throw new CodecError('INTERNAL', 'OMA JSON has one base name, on the first record');
      bn = r.bn;
    }
    if (r.bt !== undefined) bt = r.bt;
    const f: string[] = [];
    if (r.n !== undefined) f.push(`"n":${JSON.stringify(r.n)}`);
    if (r.value !== undefined) f.push(valueText(r.value));
    if (bt !== undefined || r.t !== undefined) f.push(`"t":${jsonNumberText((bt ?? 0) + (r.t ?? 0))}`);
    return `{${f.join(',')}}`;
  });
  const head = bn !== undefined ? `"bn":${JSON.stringify(bn)},` : '';
  return utf8.encode(`{${head}"e":[${entries.join(',')}]}`);
}

export const omaJsonWire: SenmlWire = { read: readOmaJson, write: writeOmaJson };

/**
 * LwM2M 1.0 clients may leave out "bn": names are then relative to the request path
 * ({"e":[{"n":"0",...}]} for a read of /3/0). Names starting with "/" stay absolute.
 */
export function namesRelativeToRequest(records: RawRecord[], path: LwM2mPath | undefined): void {
  if (!path || records.some((r) => r.bn !== undefined)) return;
  const base = path.toString();
  const prefix = path.isRoot() ? '/' : `${base}/`;
  for (const r of records) {
    if (r.n === undefined) r.n = base;
    else if (!r.n.startsWith('/')) r.n = prefix + r.n;
  }
}

export const omaJsonCodec = makeSenmlCodec({
  name: 'json',
  formats: [ContentFormat.JSON, ContentFormat.OLD_JSON],
  wire: omaJsonWire,
  pathLists: false,
  adjust: namesRelativeToRequest,
});
