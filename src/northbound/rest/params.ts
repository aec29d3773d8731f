/** Request parameters: LwM2M paths from route segments, `?format=`, `?timeout=`, bodies. */
import type { Request } from 'express';
import { LwM2mPath } from '../../lwm2m/path.js';
import { ContentFormat } from '../../lwm2m/codec/codec.js';
import { globListProblem, globsMatcher } from '../../glob.js';
import { ProblemError } from './errors.js';

/** Names accepted by `?format=` (a number is accepted too). */
export const FORMAT_NAMES: Record<string, number> = {
  text: ContentFormat.TEXT,
  opaque: ContentFormat.OPAQUE,
  cbor: ContentFormat.CBOR,
  tlv: ContentFormat.TLV,
  json: ContentFormat.JSON,
  'senml-json': ContentFormat.SENML_JSON,
  'senml-cbor': ContentFormat.SENML_CBOR,
  'lwm2m-cbor': ContentFormat.LWM2M_CBOR,
};

/** The longest `?timeout=` accepted, seconds. */
export const MAX_TIMEOUT_S = 3600;

const SEGMENTS = ['objectId', 'instanceId', 'resourceId', 'resourceInstanceId'] as const;

/** The LwM2M path named by the route's id segments; a segment that is not an id is a 400 BAD_PATH. */
export function pathOf(req: Request): LwM2mPath {
  const params = req.params as Record<string, string | undefined>;
  const ids: number[] = [];
  for (const name of SEGMENTS) {
    const s = params[name];
    if (s === undefined) break;
    if (!/^\d{1,5}$/.test(s) || Number(s) > 65534) throw new ProblemError('BAD_PATH', `"${s}" is not an LwM2M id (0..65534)`);
    ids.push(Number(s));
  }
  return LwM2mPath.of(...ids);
}

/** Parses a path string from a body or query ("/3/0/1"); 400 BAD_PATH. */
export function parsePath(text: unknown, where: string): LwM2mPath {
  if (typeof text !== 'string') throw new ProblemError('BAD_PATH', `${where}: a path must be a string`);
  let p: LwM2mPath;
  try {
    p = LwM2mPath.parse(text);
  } catch (e) {
    throw new ProblemError('BAD_PATH', `${where}: ${(e as Error).message}`);
  }
  if (p.isRoot()) throw new ProblemError('BAD_PATH', `${where}: the root path is not allowed`);
  return p;
}

export function queryString(req: Request, name: string): string | undefined {
  const v: unknown = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ProblemError('BAD_QUERY', `${name} must be given once`);
  return v;
}

/** `?format=` as a content-format number. */
export function formatOf(req: Request): number | undefined {
  const v = queryString(req, 'format');
  if (v === undefined || v === '') return undefined;
  const named = FORMAT_NAMES[v.toLowerCase()];
  if (named !== undefined) return named;
  if (/^\d{1,5}$/.test(v) && Number(v) <= 65535) return Number(v);
  throw new ProblemError('BAD_QUERY', `format "${v}" is not known: use one of ${Object.keys(FORMAT_NAMES).join(', ')} or a content-format number`);
}

/** `?timeout=` (seconds) as ms. */
export function timeoutOf(req: Request): number | undefined {
  const v = queryString(req, 'timeout');
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_S) throw new ProblemError('BAD_QUERY', `timeout must be a number of seconds in (0, ${MAX_TIMEOUT_S}]`);
  return Math.round(n * 1000);
}

/** A boolean query flag: `?x`, `?x=true|1` -> true; `?x=false|0` -> false; absent -> undefined. */
export function flagOf(req: Request, name: string): boolean | undefined {
  const v = queryString(req, name);
  if (v === undefined) return undefined;
  if (v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ProblemError('BAD_QUERY', `${name} must be true or false`);
}

/** A comma-separated list in the query (repeated parameters are joined). */
export function listOf(req: Request, name: string): string[] | undefined {
  const v: unknown = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : []));
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The endpoint globs of `?<name>=` (comma-separated) as one matcher; undefined without
 * the parameter. Too many or too long patterns are a 400 BAD_QUERY.
 */
export function globsOf(req: Request, name: string): ((endpoint: string) => boolean) | undefined {
  const list = listOf(req, name);
  if (!list || list.length === 0) return undefined;
  const problem = globListProblem(list);
  if (problem) throw new ProblemError('BAD_QUERY', `${name}: ${problem}`);
  return globsMatcher(list);
}

/** Devices per page of `GET /api/devices`: the default and the most `?limit=` takes. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Longest `?cursor=` accepted (base64url of an endpoint name). */
export const MAX_CURSOR_LENGTH = 4096;

/** `?limit=`: 1..MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE without it. */
export function limitOf(req: Request): number {
  const v: unknown = (req.query as Record<string, unknown>).limit;
  if (v === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof v !== 'string' || !/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > MAX_PAGE_SIZE) {
    throw new ProblemError('BAD_QUERY', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return Number(v);
}

/** The cursor that continues a listing after `endpoint` (opaque to clients). */
export function nextCursor(endpoint: string): string {
  return Buffer.from(endpoint, 'utf8').toString('base64url');
}

/** The endpoint name a `?cursor=` continues after; undefined without one; 400 BAD_QUERY when it is not one this API gave. */
export function cursorOf(req: Request): string | undefined {
  const v: unknown = (req.query as Record<string, unknown>).cursor;
  if (v === undefined) return undefined;
  const bad = (): ProblemError => new ProblemError('BAD_QUERY', 'cursor is not a cursor from a previous page (use the "next" value as it is)');
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(v)) throw bad();
  const endpoint = Buffer.from(v, 'base64url').toString('utf8');
  // only the canonical encoding of valid UTF-8 is a cursor
  if (nextCursor(endpoint) !== v) throw bad();
  return endpoint;
}

/** The JSON body as an object; anything else is a 400 BAD_BODY. */
export function bodyObject(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  const type = req.headers['content-type'];
  if (b === undefined && type !== undefined && !req.is('application/json') && !req.is('+json')) {
    throw new ProblemError('UNSUPPORTED_MEDIA_TYPE', `the body must be application/json, not ${type}`);
  }
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) {
    throw new ProblemError('BAD_BODY', 'the body must be a JSON object');
  }
  return b as Record<string, unknown>;
}

/** The `value` member of the JSON body. */
export function bodyValue(req: Request): unknown {
  const b = bodyObject(req);
  if (!('value' in b)) throw new ProblemError('BAD_BODY', 'the body must be { "value": ... }');
  return b.value;
}
