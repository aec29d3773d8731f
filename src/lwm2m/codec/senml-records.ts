/**
 * SenML records as the SenML JSON, SenML CBOR and OMA JSON (LwM2M 1.0) codecs share them:
 * the wire-independent record, name and time resolution (RFC 8428 section 4.5), and the
 * text forms of opaque values and object links.
 *
 * Time (RFC 8428 section 4.5.3): a record's time is bt + t. A resolved time of 2^28 or
 * more is seconds since the epoch; below that (zero, negative, or small positive) it is
 * relative to "now", the moment of decoding (ctx.now, default Date.now), and is turned
 * into an absolute time here so that notifications and Send always carry absolute times.
 * A record with neither bt in force nor t has no time (undefined: "now, not stated").
 */
import { LwM2mPath, PathError } from '../path.js';
import { CodecError, type CodecContext } from './codec.js';

/**
 * A SenML value field, as read from or written to the wire. `tag` marks a date/time that
 * SenML CBOR carried as CBOR tag 1 (epoch seconds, under v) or tag 0 (RFC 3339 text,
 * under vs), LwM2M 1.2 Core Table C.-2; such a value fits a Time resource only. Writers
 * ignore it: SenML's v is a plain number.
 */
export type RawValue =
  | { k: 'num'; v: number | bigint; int: boolean; tag?: 1 }
  | { k: 'str'; v: string; tag?: 0 }
  | { k: 'bool'; v: boolean }
  | { k: 'bytes'; v: Uint8Array }
  | { k: 'objlnk'; v: string };

/** One record as read from the wire, before names and times are resolved. */
export interface RawRecord {
  bn?: string;
  bt?: number;
  n?: string;
  t?: number;
  value?: RawValue;
}

/** One record to write; the writer emits fields in the order bn, bt, n, value, t. */
export type OutRecord = RawRecord;

/** A record with its full name parsed and its time resolved. */
export interface ResolvedRecord {
  path: LwM2mPath;
  /** Absolute seconds since the epoch, or undefined when the record states no time. */
  time: number | undefined;
  value?: RawValue;
  /** Position in the payload, for "later record wins". */
  index: number;
}

/** RFC 8428 section 4.5.3: resolved times below this are relative to now. */
export const RELATIVE_TIME_LIMIT = 2 ** 28;

export function checkRecordCount(count: number, ctx: CodecContext): void {
  if (count > ctx.limits.maxRecords) {
    throw new CodecError('LIMIT_EXCEEDED', `${count} records, more than the limit of ${ctx.limits.maxRecords}`);
  }
}

/** "/65534/65534/65534/65534" has 24 characters; longer names are refused before any parsing. */
const MAX_NAME_LENGTH = 64;

/** Parses a full SenML name into a path; a name that is not an LwM2M path is MALFORMED. */
export function nameToPath(name: string): LwM2mPath {
  if (name === '') throw new CodecError('MALFORMED', 'a record has an empty name');
  if (name.length > MAX_NAME_LENGTH) throw new CodecError('MALFORMED', `a record name of ${name.length} characters`);
  try {
    return LwM2mPath.parse(name);
  } catch (e) {
    if (e instanceof PathError) throw new CodecError('MALFORMED', `record name "${name.slice(0, 64)}" is not an LwM2M path`);
    throw e;
  }
}

/** Applies base name and base time (both carry over to later records until replaced). */
export function resolveRecords(records: readonly RawRecord[], ctx: CodecContext): ResolvedRecord[] {
  checkRecordCount(records.length, ctx);
  const nowSeconds = (ctx.now ?? Date.now)() / 1000;
  let bn = '';
  let bt: number | undefined;
  const out: ResolvedRecord[] = [];
  records.forEach((r, index) => {
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    const path = nameToPath(bn + (r.n ?? ''));
    let time: number | undefined;
    if (bt !== undefined || r.t !== undefined) {
      time = (bt ?? 0) + (r.t ?? 0);
      if (!Number.isFinite(time)) throw new CodecError('MALFORMED', 'a record time is not a finite number');
      if (time < RELATIVE_TIME_LIMIT) time = nowSeconds + time;
    }
    const rec: ResolvedRecord = { path, time, index };
    if (r.value !== undefined) rec.value = r.value;
    out.push(rec);
  });
  return out;
}

// ---- opaque values as text ----

const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes base64 in either alphabet (RFC 4648 sections 4 and 5), padded or not. */
export function decodeBase64(text: string): Uint8Array {
  const s = text.trim();
  if (!BASE64_ANY.test(s)) throw new CodecError('TYPE_MISMATCH', 'opaque value is not base64');
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) throw new CodecError('TYPE_MISMATCH', 'opaque value has a bad base64 length');
  if (s.length !== body.length && s.length % 4 !== 0) throw new CodecError('TYPE_MISMATCH', 'opaque value has bad base64 padding');
  return new Uint8Array(Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

/** base64url without padding, as SenML JSON `vd` wants (RFC 8428 section 5). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Standard base64 with padding (OMA JSON `sv` for opaque resources). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// ---- object links as text ("3:0") ----

const OBJLNK = /^(\d{1,5}):(\d{1,5})$/;

/** "oid:iid" in decimal; "FFFF:FFFF" (the null link, as some 1.0 examples write it) is accepted too. */
export function parseObjLink(text: string): { objectId: number; instanceId: number } {
  if (/^ffff:ffff$/i.test(text)) return { objectId: 0xffff, instanceId: 0xffff };
  const m = OBJLNK.exec(text);
  const o = m ? Number(m[1]) : NaN;
  const i = m ? Number(m[2]) : NaN;
  if (!(o <= 0xffff && i <= 0xffff)) throw new CodecError('TYPE_MISMATCH', `"${text.slice(0, 32)}" is not an object link`);
  return { objectId: o, instanceId: i };
}
