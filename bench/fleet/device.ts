/**
 * One simulated client's state and how it answers the server's requests (LwM2M 1.1 device
 * management over CoAP): Read (GET with Accept), Discover (Accept 40), Observe and cancel,
 * Write replace/partial (PUT/POST), Write-Attributes (PUT with a query: pmin and pmax rule
 * the observation's notifications, see report.ts), Execute (POST on an executable resource),
 * and the composite operations on the root (composite.ts). Pure: no socket here.
 */
import type { Msg } from './coap.js';
import { CF, decodeWrite, discover, encode } from './formats.js';
import type { ClientView, Value, ValueMode } from './objects.js';
import { collect, objectDef, resourceDef } from './objects.js';
import { applyAttributes, attributeParams, parseAttributeQuery, type Attributes } from './attributes.js';
import { compositeFormat, decodePathList, renderComposite, writeComposite } from './composite.js';
import type { ReportState } from './report.js';

export const enum State {
  Idle = 0,
  Registering = 1,
  Registered = 2,
  Failed = 3,
}

export interface Observation {
  client: Client;
  token: Buffer;
  /** the observed path; [] for an Observe-Composite */
  path: number[];
  /** the paths of an Observe-Composite */
  composite: number[][] | undefined;
  format: number;
  seq: number;
  cancelled: boolean;
  /** set when pmin or pmax apply (report.ts) */
  report: ReportState | undefined;
}

/** Per-client state: a few fields, values are computed when read. */
export class Client implements ClientView {
  state: State = State.Idle;
  /** Location-Path of the registration ("rd/abc") */
  location: string | undefined = undefined;
  nextUpdateAt = 0;
  /** queue mode: answers requests until then (ms since epoch) */
  awakeUntil = 0;
  written: Map<string, Value> | undefined = undefined;
  observations: Observation[] | undefined = undefined;
  /** Write-Attributes by path ("3303", "3303/0", "3303/0/5700"), created on the first one */
  attributes: Map<string, Attributes> | undefined = undefined;
  executed = 0;

  constructor(
    readonly index: number,
    readonly endpoint: string,
    /** socket slot */
    readonly sock: number,
    /** "" or an alternate path ("/c123") when the client shares its socket */
    readonly root: string,
  ) {}
}

export interface Reply {
  code: string;
  contentFormat?: number;
  observe?: number;
  payload?: Buffer;
  /** an observation this request started */
  started?: Observation;
  /** it replaced an older observation (same token or path) */
  replaced?: boolean;
  /** a Write-Attributes changed the client's attributes */
  attributes?: boolean;
}

export interface DeviceSettings {
  /** the format of reads and notifications when the request has no Accept */
  format: number;
  valueMode: ValueMode;
}

function ids(path: readonly string[]): number[] | undefined {
  const out: number[] = [];
  for (const p of path) {
    if (!/^\d{1,5}$/.test(p)) return undefined;
    out.push(Number(p));
  }
  return out.length <= 4 ? out : undefined;
}

/** The payload of `path` in `format` (falls back to the default format when text cannot carry it). */
export function render(c: Client, path: readonly number[], format: number, now: number, s: DeviceSettings): Reply {
  const recs = collect(c, path, now, s.valueMode);
  if (typeof recs === 'string') return { code: recs };
  let f = format;
  let payload = encode(f, recs, path.length);
  if (!payload && f === CF.TEXT) {
    f = s.format;
    payload = encode(f, recs, path.length);
  }
  if (!payload) return { code: '4.06' };
  return { code: '2.05', contentFormat: f, payload };
}

/** The current payload of an observation. */
export function renderObservation(o: Observation, now: number, s: DeviceSettings): Reply {
  if (!o.composite) return render(o.client, o.path, o.format, now, s);
  const r = renderComposite(o.client, o.composite, o.format, now, s.valueMode);
  return r.payload ? { code: r.code, contentFormat: o.format, payload: r.payload } : { code: r.code };
}

function observe(c: Client, m: Msg, path: number[], now: number, s: DeviceSettings, composite?: { paths: number[][]; format: number }): Reply {
  const list = (c.observations ??= []);
  // a new Observe of the same token, or of the same single path, replaces the old one
  let replaced = false;
  const key = path.join('/');
  for (const o of list) {
    if (o.token.equals(m.token) || (!composite && !o.composite && o.path.join('/') === key)) {
      o.cancelled = true;
      replaced = true;
    }
  }
  c.observations = list.filter((o) => !o.cancelled);
  const format = composite?.format ?? m.accept ?? s.format;
  const obs: Observation = { client: c, token: Buffer.from(m.token), path, composite: composite?.paths, format, seq: 1, cancelled: false, report: undefined };
  const r = renderObservation(obs, now, s);
  if (r.code !== '2.05') return { ...r, replaced };
  obs.format = r.contentFormat ?? format;
  c.observations.push(obs);
  return { ...r, observe: obs.seq, started: obs, replaced };
}

/** Write-Attributes (a PUT with a query and no payload) on an object, instance or resource the client has. */
function writeAttributes(c: Client, m: Msg, path: number[]): Reply {
  if (path.length === 0 || path.length > 3) return { code: '4.00' };
  const [o, , r] = path;
  if (!objectDef(o!) || (r !== undefined && !resourceDef(o!, r))) return { code: '4.04' };
  const changes = parseAttributeQuery(m.uriQuery);
  if (typeof changes === 'string') return { code: '4.00' };
  if (!applyAttributes(c, path.join('/'), changes)) return { code: '5.00' };
  return { code: '2.04', attributes: true };
}

/** FETCH on the root: Read-Composite, or Observe-Composite with the Observe option. */
function fetchComposite(c: Client, m: Msg, now: number, s: DeviceSettings): Reply {
  if (m.observe === 1) cancelObservation(c, m.token);
  const paths = decodePathList(m.contentFormat, m.payload);
  if (typeof paths === 'string') return { code: paths };
  const format = compositeFormat(m.accept, m.contentFormat);
  if (format === undefined) return { code: '4.06' };
  if (m.observe === 0) return observe(c, m, [], now, s, { paths, format });
  const r = renderComposite(c, paths, format, now, s.valueMode);
  return r.payload ? { code: r.code, contentFormat: format, payload: r.payload } : { code: r.code };
}

export function cancelObservation(c: Client, token: Buffer): boolean {
  const list = c.observations;
  if (!list) return false;
  let found = false;
  for (const o of list) {
    if (o.token.equals(token)) {
      o.cancelled = true;
      found = true;
    }
  }
  if (found) c.observations = list.filter((o) => !o.cancelled);
  return found;
}

function write(c: Client, m: Msg, path: number[], replace: boolean): Reply {
  if (path.length < 2 || path.length > 3) return { code: '4.05' };
  if (!objectDef(path[0]!)) return { code: '4.04' };
  const values = decodeWrite(m.contentFormat, m.payload, path);
  if (typeof values === 'string') return { code: values.startsWith('4.15') ? '4.15' : '4.00' };
  for (const v of values) if (!resourceDef(v.o, v.r)?.writable) return { code: '4.05' };
  void replace; // single-instance resources: replace and update store the same values
  const w = (c.written ??= new Map());
  for (const v of values) w.set(`${v.o}/0/${v.r}`, v.value);
  return { code: '2.04' };
}

/** The answer to a request addressed to this client (path below its root). */
export function handle(c: Client, m: Msg, localPath: string[], now: number, s: DeviceSettings): Reply {
  const path = ids(localPath);
  if (!path) return { code: '4.04' };
  if (path.length > 0 && path[1] !== undefined && path[1] !== 0) return { code: '4.04' };
  switch (m.code) {
    case '0.01': {
      if (m.accept === CF.LINK) return { code: '2.05', contentFormat: CF.LINK, payload: discover(path, c.root, (p) => attributeParams(c, p)) };
      if (path.length === 0) return { code: '4.05' };
      if (m.observe === 0) return observe(c, m, path, now, s);
      if (m.observe === 1) cancelObservation(c, m.token);
      return render(c, path, m.accept ?? s.format, now, s);
    }
    case '0.03':
      if (m.payload.length === 0 && m.uriQuery.length > 0) return writeAttributes(c, m, path);
      return write(c, m, path, true);
    case '0.05':
      return path.length === 0 ? fetchComposite(c, m, now, s) : { code: '4.05' };
    case '0.07':
      return path.length === 0 ? { code: writeComposite(c, m.contentFormat, m.payload) } : { code: '4.05' };
    case '0.02': {
      if (path.length === 3) {
        const def = resourceDef(path[0]!, path[2]!);
        if (!def) return { code: '4.04' };
        if (!def.executable) return { code: '4.05' };
        c.executed++;
        return { code: '2.04' };
      }
      return write(c, m, path, false);
    }
    default:
      return { code: '4.05' };
  }
}
