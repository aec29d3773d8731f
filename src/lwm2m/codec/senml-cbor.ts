/**
 * SenML CBOR (RFC 8428 section 6; LwM2M content formats 112 and SenML-ETCH CBOR 322).
 * Labels: bn -2, bt -3, n 0, v 2, vs 3, vb 4, t 6, vd 8 (a byte string); `vlo` stays a
 * text key. Text keys ("bn", "v", ...) are accepted too. Other RFC 8428 labels are read and
 * ignored (bv -5 is added to v); a text label ending in "_" (must-understand) is refused.
 * A null value (SenML-ETCH) counts as no value.
 * Integers beyond 32 bits are written as CBOR integers (not floats), 64-bit ones exactly.
 * Time values may come as tag 1 (epoch seconds, under v) or tag 0 (RFC 3339 text, under
 * vs), LwM2M 1.2 Core Table C.-2, and are then taken by Time resources only; they are
 * written as plain numbers under v.
 * The payload is checked structurally first (senml-cbor-scan.ts), then read by the strict
 * CBOR reader (lwm2m-cbor-reader.ts), which keeps tags; cbor-x only writes.
 */
import { Encoder } from 'cbor-x';
import { CodecError, ContentFormat, type CodecContext } from './codec.js';
import { decodeBase64, type OutRecord, type RawRecord, type RawValue } from './senml-records.js';
import { scanCbor } from './senml-cbor-scan.js';
import { isFloat, isMap, isTag, readCbor, type CborItem } from './lwm2m-cbor-reader.js';
import { makeSenmlCodec, type SenmlWire } from './senml.js';

const LABELS: ReadonlyMap<number | string, string> = new Map<number | string, string>([
  [-2, 'bn'], [-3, 'bt'], [0, 'n'], [6, 't'], [2, 'v'], [3, 'vs'], [4, 'vb'], [8, 'vd'], [-5, 'bv'],
  ['bn', 'bn'], ['bt', 'bt'], ['n', 'n'], ['t', 't'], ['v', 'v'], ['vs', 'vs'], ['vb', 'vb'], ['vd', 'vd'], ['vlo', 'vlo'], ['bv', 'bv'],
]);

const VALUE_KEYS = new Set(['v', 'vs', 'vb', 'vd', 'vlo']);

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<typeof Encoder>[0]);

function bad(msg: string): CodecError {
  return new CodecError('MALFORMED', msg);
}

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function canonical(v: bigint): number | bigint {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

/** A CBOR number: an integer, a float, or a bignum (tag 2 or 3; scanCbor bounded its length). */
function numberOf(item: CborItem): { n: number | bigint; int: boolean } | undefined {
  if (typeof item === 'number') return { n: item, int: true };
  if (typeof item === 'bigint') return { n: canonical(item), int: true };
  if (isFloat(item)) return { n: item.value, int: Number.isInteger(item.value) };
  if (isTag(item) && (item.tag === 2 || item.tag === 3) && item.value instanceof Uint8Array) {
    let v = 0n;
    for (const b of item.value) v = (v << 8n) | BigInt(b);
    return { n: canonical(item.tag === 2 ? v : -1n - v), int: true };
  }
  return undefined;
}

function num(v: CborItem, key: string): { n: number | bigint; int: boolean } {
  const got = numberOf(v);
  if (!got) throw bad(`SenML label "${key}" must be a number`);
  return got;
}

function plainNumber(v: CborItem, key: string): number {
  return Number(num(v, key).n);
}

function text(v: CborItem, key: string): string {
  if (typeof v !== 'string') throw bad(`SenML label "${key}" must be a text string`);
  return v;
}

/**
 * v: a number, or a date/time as tag 1 around a number (epoch seconds). vs: a text, or a
 * date/time as tag 0 around an RFC 3339 text. (LwM2M 1.2 Core Table C.-2: Time "as defined
 * in Section 2.4.1 of [RFC7049]".) The tag is kept: only a Time resource takes the value.
 */
function numberValue(v: CborItem): RawValue {
  if (isTag(v) && v.tag === 1) {
    const { n, int } = num(v.value, 'v');
    return { k: 'num', v: n, int, tag: 1 };
  }
  const { n, int } = num(v, 'v');
  return { k: 'num', v: n, int };
}

function textValue(v: CborItem): RawValue {
  if (isTag(v) && v.tag === 0) return { k: 'str', v: text(v.value, 'vs'), tag: 0 };
  return { k: 'str', v: text(v, 'vs') };
}

function recordFrom(item: CborItem): RawRecord {
  if (!isMap(item)) throw bad('a SenML record must be a CBOR map');
  const r: RawRecord = {};
  let value: RawValue | undefined;
  let bv: number | undefined;
  const setValue = (v: RawValue): void => {
    if (value) throw bad('a SenML record carries more than one value');
    value = v;
  };
  for (const [label, v] of item.entries) {
    const key = typeof label === 'number' || typeof label === 'string' ? LABELS.get(label) : undefined;
    // a null value (SenML-ETCH iPATCH: remove) leaves the record without value
    if ((v === null || v === undefined) && key !== undefined && VALUE_KEYS.has(key)) continue;
    switch (key) {
      case 'bn': r.bn = text(v, key); break;
      case 'bt': r.bt = plainNumber(v, key); break;
      case 'n': r.n = text(v, key); break;
      case 't': r.t = plainNumber(v, key); break;
      case 'bv': bv = plainNumber(v, key); break;
      case 'v': setValue(numberValue(v)); break;
      case 'vs': setValue(textValue(v)); break;
      case 'vb':
        if (typeof v !== 'boolean') throw bad('SenML label "vb" must be a boolean');
        setValue({ k: 'bool', v });
        break;
      case 'vd':
        if (v instanceof Uint8Array) setValue({ k: 'bytes', v });
        else setValue({ k: 'bytes', v: decodeBase64(text(v, key)) });
        break;
      case 'vlo': setValue({ k: 'objlnk', v: text(v, key) }); break;
      default:
        if (typeof label === 'string' && label.endsWith('_')) throw bad(`SenML label "${label.slice(0, 16)}" must be understood and is not`);
        if (typeof label !== 'string' && typeof label !== 'number') throw bad('a SenML label must be an integer or a text string');
    }
  }
  if (bv !== undefined && value?.k === 'num') {
    const sum = Number(value.v) + bv;
    value = { k: 'num', v: sum, int: Number.isInteger(sum), ...(value.tag === undefined ? {} : { tag: value.tag }) };
  }
  if (value) r.value = value;
  return r;
}

export function readSenmlCbor(payload: Uint8Array, ctx: CodecContext): RawRecord[] {
  const { maxDepth, maxRecords } = ctx.limits;
  const maxItems = Math.max(1, maxRecords) * 24;
  scanCbor(payload, maxDepth, maxItems);
  const doc = readCbor(payload, { maxDepth, maxItems });
  if (!Array.isArray(doc)) throw bad('a SenML CBOR payload must be an array');
  if (doc.length > maxRecords) throw new CodecError('LIMIT_EXCEEDED', `${doc.length} records`);
  return doc.map(recordFrom);
}

function valueEntry(v: RawValue): [number | string, unknown] {
  switch (v.k) {
    case 'num':
      // cbor-x writes integral numbers beyond 32 bits as floats: give it a bigint instead
      if (v.int && typeof v.v === 'number' && Math.abs(v.v) > 0xffffffff) return [2, BigInt(v.v)];
      return [2, v.v];
    case 'str': return [3, v.v];
    case 'bool': return [4, v.v];
    case 'bytes': return [8, v.v];
    case 'objlnk': return ['vlo', v.v];
  }
}

export function writeSenmlCbor(records: readonly OutRecord[]): Uint8Array {
  const items = records.map((r) => {
    const m = new Map<number | string, unknown>();
    if (r.bn !== undefined) m.set(-2, r.bn);
    if (r.bt !== undefined) m.set(-3, r.bt);
    if (r.n !== undefined) m.set(0, r.n);
    if (r.value !== undefined) {
      const [k, v] = valueEntry(r.value);
      m.set(k, v);
    }
    if (r.t !== undefined) m.set(6, r.t);
    return m;
  });
  return new Uint8Array(encoder.encode(items));
}

export const senmlCborWire: SenmlWire = { read: readSenmlCbor, write: writeSenmlCbor };

export const senmlCborCodec = makeSenmlCodec({
  name: 'senml-cbor',
  formats: [ContentFormat.SENML_CBOR, ContentFormat.SENML_ETCH_CBOR],
  wire: senmlCborWire,
  pathLists: true,
});
