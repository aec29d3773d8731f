/**
 * The core's downlinks as MQTT binding request maps (Transport 1.2 Tbls 8.3.3-1 and
 * 8.3.4-1), and the clients' response maps back as DownlinkResponse. The map carries the
 * LwM2M path without any alternate root (the MQTT binding has none) and no Accept: the
 * client answers in its own format, which the core decodes.
 */
import { Encoder } from 'cbor-x';
import type { DownlinkRequest, DownlinkResponse } from '../../lwm2m/transport.js';
import { TransportError } from '../../lwm2m/transport.js';
import { bytesField, type MqttMessage, type TokenKey, uintField } from './message-codec.js';
import { ATTRIBUTE_KEYS, BootstrapOp, Key, Op, resultText } from './operation-table.js';

const SENML_JSON = 110;
const SENML_CBOR = 112;
const ETCH_JSON = 320;
const ETCH_CBOR = 322;

type Entries = Array<readonly [number, unknown]>;

function refuse(message: string): never {
  throw new TransportError('UNREACHABLE', `mqtt binding: ${message}`);
}

/** A composite path list as SenML-ETCH CBOR (key 6 carries only that). */
function pathsOf(req: DownlinkRequest): Uint8Array {
  const payload = req.payload ?? new Uint8Array(0);
  const cf = req.contentFormat;
  if (cf === SENML_CBOR || cf === ETCH_CBOR) return payload;
  if (cf === SENML_JSON || cf === ETCH_JSON) {
    let records: unknown;
    try {
      records = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return refuse('a composite path list that is not JSON');
    }
    if (!Array.isArray(records)) return refuse('a composite path list that is not an array');
    const out = records.map((r: unknown) => {
      const m = new Map<number, string>();
      const rec = (r ?? {}) as { bn?: unknown; n?: unknown };
      if (typeof rec.bn === 'string') m.set(-2, rec.bn);
      if (typeof rec.n === 'string') m.set(0, rec.n);
      return m;
    });
    return encodeCborArray(out);
  }
  return refuse(`a composite path list in content format ${String(cf)}`);
}

const arrayEncoder = new Encoder({ mapsAsObjects: false, useRecords: false });
function encodeCborArray(v: unknown[]): Uint8Array {
  return arrayEncoder.encode(v);
}

function attributes(query: readonly string[]): Entries {
  const out: Entries = [];
  for (const item of query) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const key = ATTRIBUTE_KEYS[name];
    if (key === undefined) refuse(`the attribute ${name.slice(0, 16)} has no MQTT key`);
    if (eq < 0) refuse(`removing the attribute ${name} has no MQTT form`);
    const value = Number(item.slice(eq + 1));
    if (!Number.isFinite(value)) refuse(`the attribute ${name} is not a number`);
    out.push([key, value]);
  }
  return out;
}

/** The request map of a downlink, with `token`. Throws TransportError for what MQTT cannot say. */
export function encodeDownlink(req: DownlinkRequest, token: TokenKey): Entries {
  const uri = req.path.toString();
  const e: Entries = [[Key.token, token]];
  const withBody = (): void => {
    if (req.contentFormat !== undefined) e.push([Key.contentFormat, req.contentFormat]);
    e.push([Key.payload, req.payload ?? new Uint8Array(0)]);
  };
  switch (req.op) {
    case 'read':
      e.unshift([Key.operation, Op.read]);
      e.push([Key.uri, uri]);
      return e;
    case 'discover': {
      e.unshift([Key.operation, Op.discover]);
      e.push([Key.uri, uri]);
      const depth = req.query?.find((q) => q.startsWith('depth='));
      if (depth) e.push([Key.depth, Number(depth.slice(6))]);
      return e;
    }
    case 'write':
      e.unshift([Key.operation, Op.writeReplace]);
      e.push([Key.uri, uri]);
      withBody();
      return e;
    case 'writePartial':
      e.unshift([Key.operation, Op.writePartial]);
      e.push([Key.uri, uri]);
      withBody();
      return e;
    case 'writeAttributes':
      e.unshift([Key.operation, Op.writeAttributes]);
      e.push([Key.uri, uri], ...attributes(req.query ?? []));
      return e;
    case 'execute':
      e.unshift([Key.operation, Op.execute]);
      e.push([Key.uri, uri]);
      if (req.payload && req.payload.length > 0) e.push([Key.payload, req.payload]);
      return e;
    case 'create':
      e.unshift([Key.operation, Op.create]);
      e.push([Key.uri, uri]);
      withBody();
      return e;
    case 'delete':
      e.unshift([Key.operation, Op.delete]);
      e.push([Key.uri, uri]);
      return e;
    case 'readComposite':
      e.unshift([Key.operation, Op.readComposite]);
      e.push([Key.paths, pathsOf(req)]);
      return e;
    case 'writeComposite':
      e.unshift([Key.operation, Op.writeComposite]);
      withBody();
      return e;
    case 'observe':
      e.unshift([Key.operation, Op.observe]);
      e.push([Key.uri, uri]);
      return e;
    case 'observeComposite':
      e.unshift([Key.operation, Op.observeComposite]);
      e.push([Key.paths, pathsOf(req)]);
      return e;
    case 'cancelObserve':
    case 'cancelObserveComposite':
      // the observation's token names it (Tbl 8.3.4-1)
      e.unshift([Key.operation, Op.cancelObserve]);
      return e;
    // the Bootstrap interface on `bs` (Tbl 8.3.1-1)
    case 'bootstrapWrite':
      e.unshift([Key.operation, BootstrapOp.write]);
      e.push([Key.uri, uri]);
      withBody();
      return e;
    case 'bootstrapRead':
      e.unshift([Key.operation, BootstrapOp.read]);
      e.push([Key.uri, uri]);
      return e;
    case 'bootstrapDelete':
      e.unshift([Key.operation, BootstrapOp.delete]);
      e.push([Key.uri, uri]);
      return e;
    case 'bootstrapDiscover':
      e.unshift([Key.operation, BootstrapOp.discover]);
      e.push([Key.uri, uri]);
      return e;
    case 'bootstrapFinish':
      e.unshift([Key.operation, BootstrapOp.finish]);
      return e;
  }
}

/** The client's response map as the core sees it; an accepted observe carries observe 0. */
export function decodeResponse(m: MqttMessage, op: DownlinkRequest['op']): DownlinkResponse {
  const code = resultText(m.result ?? 500);
  const r: DownlinkResponse = { code, payload: bytesField(m, Key.payload) ?? new Uint8Array(0) };
  const cf = uintField(m, Key.contentFormat);
  if (cf !== undefined && cf <= 65535) r.contentFormat = cf;
  if ((op === 'observe' || op === 'observeComposite') && code.startsWith('2.')) r.observe = 0;
  return r;
}
