/**
 * The gateway's profile of the HTTP binding, server to client: a held downlink request as
 * the answer to a long poll (`GET /dm`), and the client's answer (`POST /dm/<token>`) back
 * as a DownlinkResponse. The request is the HTTP request the spec's binding would send to
 * the client (method, path, query, Content-Type, Accept, body), carried in headers of the
 * poll's 200 response:
 *
 *   Lwm2m-Token: 5f2c...          (hex; the client answers to /dm/<token>)
 *   Lwm2m-Operation: read         (read, discover, write, write-partial, write-attributes,
 *                                  execute, create, delete, read-composite, write-composite)
 *   Lwm2m-Method: GET             (GET, PUT, POST, DELETE, FETCH, IPATCH: the CoAP binding's)
 *   Lwm2m-Path: /3/0/0            (the alternate root path first, when the client announced one)
 *   Lwm2m-Query: pmin=10&pmax=60  (write-attributes, discover depth; percent-encoded items)
 *   Content-Type / Accept         (media types of http-codes.ts)
 *   body                          (the payload)
 *
 * The answer: `Lwm2m-Status` (2.05, or 205, or the HTTP status 200), Content-Type of the
 * body, `Location` (create: the new instance's path).
 */
import type { DownlinkOp, DownlinkRequest, DownlinkResponse } from '../../lwm2m/transport.js';
import { codeOfStatus, formatOfMediaType, mediaTypeOf } from './http-codes.js';

const LINK_FORMAT = 40;

interface Shape {
  operation: string;
  method: string;
  withPayload: boolean;
  accept?: number;
}

/** The profile's name and HTTP method of each operation; undefined: not in the HTTP binding (Observe). */
const SHAPES: Readonly<Partial<Record<DownlinkOp, Shape>>> = {
  read: { operation: 'read', method: 'GET', withPayload: false },
  discover: { operation: 'discover', method: 'GET', withPayload: false, accept: LINK_FORMAT },
  write: { operation: 'write', method: 'PUT', withPayload: true },
  writePartial: { operation: 'write-partial', method: 'POST', withPayload: true },
  writeAttributes: { operation: 'write-attributes', method: 'PUT', withPayload: false },
  execute: { operation: 'execute', method: 'POST', withPayload: true },
  create: { operation: 'create', method: 'POST', withPayload: true },
  delete: { operation: 'delete', method: 'DELETE', withPayload: false },
  readComposite: { operation: 'read-composite', method: 'FETCH', withPayload: true },
  writeComposite: { operation: 'write-composite', method: 'IPATCH', withPayload: true },
  bootstrapRead: { operation: 'bootstrap-read', method: 'GET', withPayload: false },
  bootstrapDiscover: { operation: 'bootstrap-discover', method: 'GET', withPayload: false, accept: LINK_FORMAT },
  bootstrapWrite: { operation: 'bootstrap-write', method: 'PUT', withPayload: true },
  bootstrapDelete: { operation: 'bootstrap-delete', method: 'DELETE', withPayload: false },
  bootstrapFinish: { operation: 'bootstrap-finish', method: 'POST', withPayload: false },
};

/** Whether the HTTP binding carries the operation (Observe and its cancels are not: reporting is Send). */
export function carried(op: DownlinkOp): boolean {
  return SHAPES[op] !== undefined;
}

export interface WireRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

function pathOf(req: DownlinkRequest): string {
  if (req.op === 'bootstrapFinish') return '/bs';
  const root = !req.op.startsWith('bootstrap') && req.rootPath ? req.rootPath.split('/').filter((s) => s.length > 0) : [];
  return '/' + [...root, ...req.path.ids().map(String)].join('/');
}

/** "pmin=10" as a query item: name and value percent-encoded, the "=" kept */
function queryItem(item: string): string {
  const eq = item.indexOf('=');
  return eq < 0 ? encodeURIComponent(item) : `${encodeURIComponent(item.slice(0, eq))}=${encodeURIComponent(item.slice(eq + 1))}`;
}

/** The poll answer's headers and body for a held request (its op carried: see `carried`). */
export function toWire(token: string, req: DownlinkRequest): WireRequest {
  const shape = SHAPES[req.op];
  if (!shape) throw new Error(`${req.op} is not carried by the HTTP binding`);
  const headers: Record<string, string> = {
    'lwm2m-token': token,
    'lwm2m-operation': shape.operation,
    'lwm2m-method': shape.method,
    'lwm2m-path': pathOf(req),
  };
  if (req.query && req.query.length > 0) headers['lwm2m-query'] = req.query.map(queryItem).join('&');
  const accept = shape.accept ?? req.accept;
  if (accept !== undefined) headers['accept'] = mediaTypeOf(accept);
  const body = shape.withPayload && req.payload ? req.payload : new Uint8Array(0);
  if (shape.withPayload && req.contentFormat !== undefined) headers['content-type'] = mediaTypeOf(req.contentFormat);
  return { headers, body };
}

/** The longest Location path looked at, and its most segments. */
const MAX_LOCATION_CHARS = 256;
const MAX_LOCATION_SEGMENTS = 8;

export type WireAnswer = { ok: true; response: DownlinkResponse } | { ok: false; status: number; reason: string };

/** The client's answer (headers of POST /dm/<token> and its body) to a request of `op`. */
export function fromWire(op: DownlinkOp, headers: Record<string, string | string[] | undefined>, body: Uint8Array): WireAnswer {
  const statusHeader = headers['lwm2m-status'];
  if (typeof statusHeader !== 'string') return { ok: false, status: 400, reason: 'no Lwm2m-Status' };
  const code = codeOfStatus(statusHeader.trim(), op === 'delete' || op === 'bootstrapDelete');
  if (!code) return { ok: false, status: 400, reason: 'Lwm2m-Status is not an LwM2M code' };
  const ct = headers['content-type'];
  const format = formatOfMediaType(typeof ct === 'string' ? ct : undefined);
  if (format === null) return { ok: false, status: 415, reason: 'Content-Type is no LwM2M content format' };
  const response: DownlinkResponse = { code, payload: body };
  if (format !== undefined) response.contentFormat = format;
  const location = headers['location'];
  if (typeof location === 'string' && location.length > 0) {
    if (location.length > MAX_LOCATION_CHARS) return { ok: false, status: 400, reason: 'Location too long' };
    const segments = location.split('/').filter((s) => s.length > 0);
    if (segments.length > MAX_LOCATION_SEGMENTS) return { ok: false, status: 400, reason: 'Location too deep' };
    response.location = segments;
  }
  return { ok: true, response };
}
