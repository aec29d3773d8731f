/**
 * The test client's payload formats, written for the tests and independent of the
 * gateway's codecs: text (0), opaque (42), SenML JSON (110, plain JSON), SenML CBOR (112)
 * and LwM2M CBOR (11544) with cbor-x, and TLV (11542, in lwm2m-test-client-tlv.ts).
 */
import { Decoder, Encoder } from 'cbor-x';
import type { ResourceType } from '../../src/lwm2m/model/types.js';
import type { ObjLink, Value } from '../../src/lwm2m/node.js';
import type { Leaf, TypeOf } from './lwm2m-test-client-tlv.js';
import { FormatError, decodeTlv, encodeTlv } from './lwm2m-test-client-tlv.js';

export const CF = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  TLV: 11542,
  OMA_JSON: 11543,
  LWM2M_CBOR: 11544,
} as const;

const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true, tagUint8Array: false });
const cborDecoder = new Decoder({ useRecords: false, mapsAsObjects: false });

export function cborEncode(v: unknown): Buffer {
  return cborEncoder.encode(v);
}

export function cborDecode(b: Buffer): unknown {
  try {
    return cborDecoder.decode(b);
  } catch (err) {
    throw new FormatError(`bad CBOR: ${(err as Error).message}`);
  }
}

export function pathText(ids: readonly number[]): string {
  return '/' + ids.join('/');
}

export function parsePath(text: string): number[] {
  const s = text.replace(/^\/+/, '').replace(/\/+$/, '');
  if (s === '') return [];
  const ids = s.split('/').map((p) => {
    if (!/^\d{1,5}$/.test(p)) throw new FormatError(`bad path ${text}`);
    return Number(p);
  });
  if (ids.length > 4) throw new FormatError(`bad path ${text}`);
  return ids;
}

// ---- values ----

function base64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

function fromBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

function objlnkText(l: ObjLink): string {
  return `${l.objectId}:${l.instanceId}`;
}

function parseObjlnk(s: string): ObjLink {
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m) throw new FormatError(`bad objlnk ${s}`);
  return { objectId: Number(m[1]), instanceId: Number(m[2]) };
}

function numberAs(type: ResourceType, v: unknown): Value {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw new FormatError('number expected');
  if (type === 'integer' || type === 'unsigned' || type === 'time') {
    if (typeof v === 'number' && !Number.isInteger(v)) throw new FormatError('integer expected');
    return v;
  }
  if (type === 'float') return Number(v);
  if (type === 'boolean') throw new FormatError('boolean expected');
  return v;
}

export function textOf(type: ResourceType, value: Value): string {
  if (type === 'objlnk') return objlnkText(value as ObjLink);
  if (type === 'boolean') return value ? '1' : '0';
  if (type === 'opaque') return Buffer.from(value as Uint8Array).toString('base64');
  return String(value);
}

export function fromText(type: ResourceType, s: string): Value {
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'time': {
      if (!/^-?\d+$/.test(s.trim())) throw new FormatError(`bad integer ${s}`);
      const b = BigInt(s.trim());
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case 'float': {
      const n = Number(s);
      if (s.trim() === '' || !Number.isFinite(n)) throw new FormatError(`bad float ${s}`);
      return n;
    }
    case 'boolean':
      if (s !== '0' && s !== '1') throw new FormatError(`bad boolean ${s}`);
      return s === '1';
    case 'objlnk':
      return parseObjlnk(s);
    case 'opaque':
      return fromBase64(s);
    default:
      return s;
  }
}

// ---- SenML ----

/** A SenML record in JSON key form: { n, v | vs | vb | vd | vlo, t } (bn/bt resolved away). */
export interface SenmlRecord {
  n: string;
  t?: number;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  vlo?: string;
}

function recordOf(name: string, leaf: Leaf): SenmlRecord {
  const r: SenmlRecord = { n: name };
  const v = leaf.value;
  switch (leaf.type) {
    case 'boolean':
      r.vb = Boolean(v);
      break;
    case 'string':
    case 'corelnk':
      r.vs = String(v);
      break;
    case 'opaque':
    case 'none':
      r.vd = base64url(v instanceof Uint8Array ? v : new Uint8Array());
      break;
    case 'objlnk':
      r.vlo = objlnkText(v as ObjLink);
      break;
    default:
      r.v = Number(v);
  }
  return r;
}

/** The base name for a read of `path`: the path itself above resources, else /o/i/. */
function baseFor(path: number[]): string {
  if (path.length === 0) return '';
  return pathText(path.slice(0, Math.min(path.length, 2))) + '/';
}

export interface SenmlOptions {
  /** base time on the first record (Send with timestamps) */
  baseTime?: number;
}

/** SenML records (JSON keys) with bn on the first one. */
export function senmlRecords(path: number[], leaves: readonly Leaf[], opts: SenmlOptions = {}): Record<string, unknown>[] {
  const bn = baseFor(path);
  return leaves.map((l, k) => {
    const full = pathText(l.path);
    const rec: Record<string, unknown> = { ...recordOf(bn ? full.slice(bn.length) : full, l) };
    if (k === 0 && bn) rec.bn = bn;
    if (k === 0 && opts.baseTime !== undefined) rec.bt = opts.baseTime;
    return rec;
  });
}

/** SenML with timestamps (Send with history): bt on the first record, t relative to it. */
export function senmlHistory(format: number, entries: readonly { leaf: Leaf; time: number }[]): Buffer | undefined {
  if (entries.length === 0) return undefined;
  const base = entries[0]!.time;
  const records = entries.map((e, k) => {
    const rec: Record<string, unknown> = { ...recordOf(pathText(e.leaf.path), e.leaf) };
    if (k === 0) rec.bt = base;
    else if (e.time !== base) rec.t = e.time - base;
    return rec;
  });
  if (format === CF.SENML_JSON) return Buffer.from(JSON.stringify(records), 'utf8');
  if (format === CF.SENML_CBOR) return cborEncode(records.map(toCborRecord));
  return undefined;
}

const LABELS: Record<string, number> = { bn: -2, bt: -3, n: 0, v: 2, vs: 3, vb: 4, t: 6, vd: 8 };
const NAMES = new Map(Object.entries(LABELS).map(([k, v]) => [v, k]));

function toCborRecord(rec: Record<string, unknown>): Map<number | string, unknown> {
  const m = new Map<number | string, unknown>();
  for (const [k, v] of Object.entries(rec)) {
    const label = LABELS[k];
    if (k === 'vd') m.set(8, Buffer.from(fromBase64(String(v))));
    else m.set(label ?? k, v);
  }
  return m;
}

/** Resolves bn/bt and value keys into plain records (input from JSON or CBOR). */
export function resolveSenml(input: unknown): SenmlRecord[] {
  if (!Array.isArray(input)) throw new FormatError('SenML must be an array');
  let bn = '';
  let bt = 0;
  return input.map((raw: unknown) => {
    let rec: Record<string, unknown>;
    if (raw instanceof Map) {
      rec = {};
      for (const [k, v] of raw as Map<unknown, unknown>) {
        const name = typeof k === 'number' ? NAMES.get(k) : String(k);
        if (name === 'vd' && v instanceof Uint8Array) rec.vd = base64url(v);
        else if (name) rec[name] = v;
      }
    } else if (raw && typeof raw === 'object') rec = raw as Record<string, unknown>;
    else throw new FormatError('SenML record must be a map');
    if (typeof rec.bn === 'string') bn = rec.bn;
    if (typeof rec.bt === 'number') bt = rec.bt;
    const out: SenmlRecord = { n: bn + (typeof rec.n === 'string' ? rec.n : '') };
    if (typeof rec.t === 'number' || rec.bt !== undefined) out.t = bt + (typeof rec.t === 'number' ? rec.t : 0);
    for (const k of ['v', 'vs', 'vb', 'vd', 'vlo'] as const) if (rec[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = rec[k];
    return out;
  });
}

export function leafFromRecord(rec: SenmlRecord, typeOf: TypeOf): Leaf {
  const path = parsePath(rec.n);
  if (path.length < 3) throw new FormatError(`SenML value record above resource level: ${rec.n}`);
  const type = typeOf(path[0]!, path[2]!);
  let value: Value;
  if (rec.v !== undefined) value = numberAs(type, rec.v);
  else if (rec.vb !== undefined) value = Boolean(rec.vb);
  else if (rec.vs !== undefined) value = type === 'string' || type === 'corelnk' ? String(rec.vs) : fromText(type, String(rec.vs));
  else if (rec.vd !== undefined) value = fromBase64(String(rec.vd));
  else if (rec.vlo !== undefined) value = parseObjlnk(String(rec.vlo));
  else throw new FormatError(`SenML record without value: ${rec.n}`);
  return { path, type, value };
}

// ---- LwM2M CBOR ----

function cborValue(l: Leaf): unknown {
  switch (l.type) {
    case 'opaque':
    case 'none':
      return Buffer.from(l.value instanceof Uint8Array ? l.value : new Uint8Array());
    case 'objlnk':
      return objlnkText(l.value as ObjLink);
    default:
      return l.value;
  }
}

/** Nested maps from the object id down: {3: {0: {0: "x", 11: {0: 0}}}}. */
export function encodeLwm2mCbor(leaves: readonly Leaf[]): Buffer {
  const root = new Map<number, unknown>();
  for (const l of leaves) {
    let m = root;
    for (const id of l.path.slice(0, -1)) {
      let next = m.get(id) as Map<number, unknown> | undefined;
      if (!next) m.set(id, (next = new Map()));
      m = next;
    }
    m.set(l.path[l.path.length - 1]!, cborValue(l));
  }
  return cborEncode(root);
}

function cborLeafValue(type: ResourceType, v: unknown): Value {
  if (typeof v === 'number' || typeof v === 'bigint') return numberAs(type, v);
  // a Time as tag 1 (epoch seconds) or tag 0 (date text), which cbor-x reads as a Date
  if (v instanceof Date && type === 'time' && !Number.isNaN(v.getTime())) return Math.floor(v.getTime() / 1000);
  if (typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (typeof v === 'string') return type === 'objlnk' ? parseObjlnk(v) : type === 'string' || type === 'corelnk' ? v : fromText(type, v);
  throw new FormatError('unsupported LwM2M CBOR value');
}

export function decodeLwm2mCbor(buf: Buffer, typeOf: TypeOf): Leaf[] {
  const out: Leaf[] = [];
  const walk = (prefix: number[], node: unknown): void => {
    if (node instanceof Map) {
      for (const [k, v] of node as Map<unknown, unknown>) {
        const ids = Array.isArray(k) ? k : [k];
        if (!ids.every((x) => Number.isInteger(x) && x >= 0)) throw new FormatError('bad LwM2M CBOR key');
        const path = [...prefix, ...(ids as number[])];
        if (path.length > 4) throw new FormatError('LwM2M CBOR too deep');
        walk(path, v);
      }
      return;
    }
    if (prefix.length < 3) throw new FormatError('LwM2M CBOR value above resource level');
    if (node === null) return;
    const type = typeOf(prefix[0]!, prefix[2]!);
    out.push({ path: prefix, type, value: cborLeafValue(type, node) });
  };
  walk([], cborDecode(buf));
  return out;
}

// ---- dispatch by format ----

export const SUPPORTED = [CF.TEXT, CF.OPAQUE, CF.CBOR, CF.TLV, CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR] as const;

/** Encodes a read result; undefined when the format cannot carry it (4.06). */
export function encodePayload(format: number, path: number[], leaves: readonly Leaf[], opts: SenmlOptions = {}): Buffer | undefined {
  switch (format) {
    case CF.TEXT:
    case CF.OPAQUE: {
      if (path.length < 3 || leaves.length !== 1 || leaves[0]!.path.length !== path.length) return undefined;
      const l = leaves[0]!;
      if (format === CF.OPAQUE) return l.type === 'opaque' ? Buffer.from(l.value as Uint8Array) : undefined;
      return Buffer.from(textOf(l.type, l.value), 'utf8');
    }
    case CF.CBOR: {
      if (path.length < 3 || leaves.length !== 1 || leaves[0]!.path.length !== path.length) return undefined;
      return cborEncode(cborValue(leaves[0]!));
    }
    case CF.TLV:
      return path.length === 0 ? undefined : encodeTlv(path, leaves);
    case CF.SENML_JSON:
      return Buffer.from(JSON.stringify(senmlRecords(path, leaves, opts)), 'utf8');
    case CF.SENML_CBOR:
      return cborEncode(senmlRecords(path, leaves, opts).map(toCborRecord));
    case CF.LWM2M_CBOR:
      return encodeLwm2mCbor(leaves);
    default:
      return undefined;
  }
}

/** Decodes a written payload; throws FormatError (4.00). undefined: format not supported (4.15). */
export function decodePayload(format: number, path: number[], buf: Buffer, typeOf: TypeOf, newInstance?: number): Leaf[] | undefined {
  switch (format) {
    case CF.TEXT:
    case CF.OPAQUE: {
      if (path.length < 3) throw new FormatError(`format ${format} needs a resource path`);
      const type = typeOf(path[0]!, path[2]!);
      const value = format === CF.OPAQUE ? new Uint8Array(buf) : fromText(type, buf.toString('utf8'));
      if (format === CF.OPAQUE && type !== 'opaque') throw new FormatError('opaque payload for a non-opaque resource');
      return [{ path: [...path], type, value }];
    }
    case CF.CBOR: {
      if (path.length < 3) throw new FormatError('CBOR needs a resource path');
      const type = typeOf(path[0]!, path[2]!);
      return [{ path: [...path], type, value: cborLeafValue(type, cborDecode(buf)) }];
    }
    case CF.TLV:
      return decodeTlv(path, buf, typeOf, newInstance);
    case CF.SENML_JSON:
    case CF.SENML_CBOR: {
      let parsed: unknown;
      if (format === CF.SENML_CBOR) parsed = cborDecode(buf);
      else {
        try {
          parsed = JSON.parse(buf.toString('utf8'));
        } catch {
          throw new FormatError('bad JSON');
        }
      }
      return resolveSenml(parsed).map((r) => leafFromRecord(r, typeOf));
    }
    case CF.LWM2M_CBOR:
      return decodeLwm2mCbor(buf, typeOf);
    default:
      return undefined;
  }
}

/** The paths of a Read-Composite / Observe-Composite request body (SenML records with names only). */
export function decodeCompositePaths(format: number, buf: Buffer): number[][] | undefined {
  let parsed: unknown;
  if (format === CF.SENML_CBOR) parsed = cborDecode(buf);
  else if (format === CF.SENML_JSON) {
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      throw new FormatError('bad JSON');
    }
  } else return undefined;
  return resolveSenml(parsed).map((r) => parsePath(r.n));
}

/** Records of a Write-Composite body: a leaf, or a path with no value (delete). */
export function decodeCompositeWrite(format: number, buf: Buffer, typeOf: TypeOf): Leaf[] | undefined {
  if (format === CF.LWM2M_CBOR) return decodeLwm2mCbor(buf, typeOf);
  if (format !== CF.SENML_JSON && format !== CF.SENML_CBOR) return undefined;
  return decodePayload(format, [], buf, typeOf);
}
