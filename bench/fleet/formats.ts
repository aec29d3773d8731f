/**
 * The content formats a simulated client speaks, written from the LwM2M and SenML rules:
 * plain text (0), CoRE link-format (40, Discover), TLV (11542), SenML JSON (110) and
 * SenML CBOR (112). Encoders take the records of `collect`; decoders turn a write's payload
 * back into (path, value) pairs for the resources the client knows.
 */
import { Decoder, Encoder } from 'cbor-x';
import type { Kind, Rec, Value } from './objects.js';
import { objectDef, resourceDef } from './objects.js';

export const CF = { TEXT: 0, LINK: 40, SENML_JSON: 110, SENML_CBOR: 112, TLV: 11542 } as const;
export const SUPPORTED_FORMATS: readonly number[] = [CF.TEXT, CF.LINK, CF.SENML_JSON, CF.SENML_CBOR, CF.TLV];

// plain CBOR maps for JS Maps (no tag 259), no record extension
const cborEncoder = new Encoder({ useRecords: false, variableMapSize: true, ...{ useTag259ForMaps: false } });
const cborDecoder = new Decoder({ mapsAsObjects: false, useRecords: false });

function textOf(kind: Kind, v: Value): string {
  if (kind === 'boolean') return v ? '1' : '0';
  return String(v);
}

// ---- TLV (LwM2M 1.1 Technical Specification, section 7.4.3) ----

const TLV_INSTANCE = 0b00;
const TLV_RES_INSTANCE = 0b01;
const TLV_MULTI = 0b10;
const TLV_RESOURCE = 0b11;

function tlv(kind: number, id: number, value: Buffer): Buffer {
  const idLong = id > 255;
  const len = value.length;
  const lenBytes = len < 8 ? 0 : len < 256 ? 1 : len < 65536 ? 2 : 3;
  const head = Buffer.alloc(1 + (idLong ? 2 : 1) + lenBytes);
  head[0] = (kind << 6) | (idLong ? 0x20 : 0) | (lenBytes << 3) | (lenBytes === 0 ? len : 0);
  let at = 1;
  if (idLong) head.writeUInt16BE(id, at);
  else head[at] = id;
  at += idLong ? 2 : 1;
  if (lenBytes > 0) head.writeUIntBE(len, at, lenBytes);
  return Buffer.concat([head, value]);
}

function tlvValue(kind: Kind, v: Value): Buffer {
  switch (kind) {
    case 'string':
      return Buffer.from(String(v), 'utf8');
    case 'boolean':
      return Buffer.from([v ? 1 : 0]);
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(v));
      return b;
    }
    case 'integer':
    case 'time': {
      const n = Math.trunc(Number(v));
      if (n >= -128 && n <= 127) return Buffer.from([n & 0xff]);
      if (n >= -32768 && n <= 32767) {
        const b = Buffer.alloc(2);
        b.writeInt16BE(n);
        return b;
      }
      if (n >= -2147483648 && n <= 2147483647) {
        const b = Buffer.alloc(4);
        b.writeInt32BE(n);
        return b;
      }
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(n));
      return b;
    }
  }
}

function tlvResources(recs: readonly Rec[]): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < recs.length; ) {
    const rec = recs[k]!;
    if (rec.ri === undefined) {
      out.push(tlv(TLV_RESOURCE, rec.r, tlvValue(rec.kind, rec.value)));
      k++;
      continue;
    }
    const inner: Buffer[] = [];
    while (k < recs.length && recs[k]!.r === rec.r) {
      const x = recs[k]!;
      inner.push(tlv(TLV_RES_INSTANCE, x.ri ?? 0, tlvValue(x.kind, x.value)));
      k++;
    }
    out.push(tlv(TLV_MULTI, rec.r, Buffer.concat(inner)));
  }
  return out;
}

function encodeTlv(recs: readonly Rec[], depth: number): Buffer {
  if (depth === 4) {
    const x = recs[0]!;
    return tlv(TLV_RES_INSTANCE, x.ri ?? 0, tlvValue(x.kind, x.value));
  }
  const body = Buffer.concat(tlvResources(recs));
  return depth === 1 ? tlv(TLV_INSTANCE, recs[0]?.i ?? 0, body) : body;
}

interface TlvItem {
  kind: number;
  id: number;
  value: Buffer;
}

function parseTlv(buf: Buffer): TlvItem[] {
  const out: TlvItem[] = [];
  let at = 0;
  while (at < buf.length) {
    const t = buf[at++]!;
    const idLong = (t & 0x20) !== 0;
    const lenBytes = (t >> 3) & 3;
    if (at + (idLong ? 2 : 1) + lenBytes > buf.length) throw new Error('TLV header truncated');
    const id = idLong ? buf.readUInt16BE(at) : buf[at]!;
    at += idLong ? 2 : 1;
    const len = lenBytes === 0 ? t & 7 : buf.readUIntBE(at, lenBytes);
    at += lenBytes;
    if (at + len > buf.length) throw new Error('TLV value truncated');
    out.push({ kind: t >> 6, id, value: buf.subarray(at, at + len) });
    at += len;
  }
  return out;
}

function fromTlvValue(kind: Kind, b: Buffer): Value {
  switch (kind) {
    case 'string':
      return b.toString('utf8');
    case 'boolean':
      return b[0] === 1;
    case 'float':
      return b.length === 4 ? b.readFloatBE(0) : b.readDoubleBE(0);
    case 'integer':
    case 'time':
      return b.length === 8 ? Number(b.readBigInt64BE(0)) : b.length === 0 ? 0 : b.readIntBE(0, b.length);
  }
}

// ---- SenML (RFC 8428; CBOR labels of section 6) ----

function senmlRecords(recs: readonly Rec[]): { name: string; kind: Kind; value: Value }[] {
  return recs.map((x) => ({ name: `/${x.o}/${x.i}/${x.r}${x.ri !== undefined ? `/${x.ri}` : ''}`, kind: x.kind, value: x.value }));
}

function encodeSenmlJson(recs: readonly Rec[]): Buffer {
  const list = senmlRecords(recs).map((x) => {
    const rec: Record<string, unknown> = { n: x.name };
    if (x.kind === 'string') rec.vs = x.value;
    else if (x.kind === 'boolean') rec.vb = x.value;
    else rec.v = x.value;
    return rec;
  });
  return Buffer.from(JSON.stringify(list));
}

function encodeSenmlCbor(recs: readonly Rec[]): Buffer {
  const list = senmlRecords(recs).map((x) => {
    const m = new Map<number, unknown>([[0, x.name]]);
    if (x.kind === 'string') m.set(3, x.value);
    else if (x.kind === 'boolean') m.set(4, x.value);
    else m.set(2, x.value);
    return m;
  });
  return cborEncoder.encode(list) as Buffer;
}

/** (name, value) pairs of a SenML pack, base names applied; `namesOnly`: every record, with or without a value. */
function senmlPairs(entries: readonly (Map<unknown, unknown> | Record<string, unknown>)[], cbor: boolean, namesOnly = false): [string, unknown][] {
  let bn = '';
  const out: [string, unknown][] = [];
  const get = (e: Map<unknown, unknown> | Record<string, unknown>, json: string, label: number): unknown =>
    e instanceof Map ? e.get(cbor ? label : json) : e[json];
  for (const e of entries) {
    const b = get(e, 'bn', -2);
    if (typeof b === 'string') bn = b;
    const n = get(e, 'n', 0);
    const name = bn + (typeof n === 'string' ? n : '');
    const v = get(e, 'v', 2) ?? get(e, 'vs', 3) ?? get(e, 'vb', 4);
    if (v !== undefined || namesOnly) out.push([name, v]);
  }
  return out;
}

// ---- public ----

/** The payload for `recs` read at a path of `depth` ids; undefined when the format cannot carry it. */
export function encode(format: number, recs: readonly Rec[], depth: number): Buffer | undefined {
  switch (format) {
    case CF.TEXT: {
      const x = recs[0];
      if (!x || recs.length !== 1 || depth < 3) return undefined;
      return Buffer.from(textOf(x.kind, x.value));
    }
    case CF.TLV:
      return encodeTlv(recs, depth);
    case CF.SENML_JSON:
      return encodeSenmlJson(recs);
    case CF.SENML_CBOR:
      return encodeSenmlCbor(recs);
    default:
      return undefined;
  }
}

/** A written value for a resource the model knows. */
export interface Written {
  o: number;
  r: number;
  value: Value;
}

/** `v` as a value of `kind`, undefined when it is not one. */
export function coerce(kind: Kind, v: unknown): Value | undefined {
  if (kind === 'string') return typeof v === 'string' ? v : undefined;
  if (kind === 'boolean') return typeof v === 'boolean' ? v : undefined;
  return typeof v === 'number' ? v : undefined;
}

/**
 * The values of a write at `path` ([o, i] or [o, i, r]); a string is a reason to answer
 * 4.00 (or 4.15 for an unknown format, prefixed "4.15").
 */
export function decodeWrite(format: number | undefined, payload: Buffer, path: readonly number[]): Written[] | string {
  const [o, , rid] = path;
  if (o === undefined || !objectDef(o)) return 'unknown object';
  try {
    switch (format) {
      case CF.TEXT:
      case undefined: {
        const def = rid !== undefined ? resourceDef(o, rid) : undefined;
        if (!def) return 'text needs a resource path';
        const s = payload.toString('utf8');
        const value: Value = def.kind === 'string' ? s : def.kind === 'boolean' ? s === '1' : Number(s);
        if (typeof value === 'number' && !Number.isFinite(value)) return 'not a number';
        return [{ o, r: def.id, value }];
      }
      case CF.TLV: {
        let items = parseTlv(payload);
        if (items.length === 1 && items[0]!.kind === TLV_INSTANCE) items = parseTlv(items[0]!.value);
        const out: Written[] = [];
        for (const it of items) {
          const def = resourceDef(o, it.id);
          if (!def) return `unknown resource ${it.id}`;
          if (it.kind === TLV_RESOURCE) out.push({ o, r: it.id, value: fromTlvValue(def.kind, it.value) });
        }
        return out;
      }
      case CF.SENML_JSON:
      case CF.SENML_CBOR: {
        const cbor = format === CF.SENML_CBOR;
        const pack: unknown = cbor ? cborDecoder.decode(payload) : JSON.parse(payload.toString('utf8'));
        if (!Array.isArray(pack)) return 'SenML pack is not an array';
        const out: Written[] = [];
        for (const [name, raw] of senmlPairs(pack as (Map<unknown, unknown> | Record<string, unknown>)[], cbor)) {
          const ids = name.split('/').filter((s) => s !== '').map(Number);
          const r = ids[2];
          const def = r !== undefined ? resourceDef(o, r) : undefined;
          if (!def || ids[0] !== o) return `unknown resource ${name}`;
          const value = coerce(def.kind, raw);
          if (value === undefined) return `bad value for ${name}`;
          out.push({ o, r: def.id, value });
        }
        return out;
      }
      default:
        return `4.15 content format ${format}`;
    }
  } catch (e) {
    return `undecodable payload: ${(e as Error).message}`;
  }
}

/**
 * The (name, value) pairs of a SenML JSON or CBOR pack (`namesOnly`: a path list, values
 * optional), at most `max` records; a string is a reason to answer 4.00.
 */
export function decodeSenml(format: number | undefined, payload: Buffer, max: number, namesOnly = false): [string, unknown][] | string {
  if (format !== CF.SENML_JSON && format !== CF.SENML_CBOR) return `4.15 content format ${format}`;
  const cbor = format === CF.SENML_CBOR;
  let pack: unknown;
  try {
    pack = cbor ? cborDecoder.decode(payload) : JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return `undecodable payload: ${(e as Error).message}`;
  }
  if (!Array.isArray(pack) || pack.length === 0 || pack.length > max) return 'SenML pack is not a list of 1 to max records';
  if (!pack.every((e) => e instanceof Map || (typeof e === 'object' && e !== null))) return 'SenML record is not a map';
  return senmlPairs(pack as (Map<unknown, unknown> | Record<string, unknown>)[], cbor, namesOnly);
}

/** The Discover answer (link-format) for `path`; `params` adds the attributes written at a path. */
export function discover(path: readonly number[], root: string, params: (path: number[]) => string = () => ''): Buffer {
  const [o, i, r] = path;
  const def = o !== undefined ? objectDef(o) : undefined;
  if (!def) return Buffer.alloc(0);
  const links: string[] = [];
  if (i === undefined) links.push(`<${root}/${def.id}>;ver=${def.version}${params([def.id])}`, `<${root}/${def.id}/0>${params([def.id, 0])}`);
  else if (r === undefined) links.push(`<${root}/${def.id}/0>${params([def.id, 0])}`);
  for (const d of def.resources) if (r === undefined || r === d.id) links.push(`<${root}/${def.id}/0/${d.id}>${params([def.id, 0, d.id])}`);
  return Buffer.from(links.join(','));
}
