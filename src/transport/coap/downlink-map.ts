/**
 * LwM2M downlink operations as CoAP requests (LwM2M 1.2 Transport, section 6.4-6.5;
 * RFC 7641 for Observe, RFC 8132 for FETCH / iPATCH), and CoAP responses back as
 * DownlinkResponse.
 */
import type { DownlinkRequest, DownlinkResponse } from '../../lwm2m/transport.js';
import type { CoapMessage } from './message.js';
import { Method, codeText } from './message.js';
import type { CoapOption } from './options.js';
import { Opt, getStringOptions, getUintOption, stringOptions, uintOption } from './options.js';
import type { RequestSpec } from './requester.js';

const LINK_FORMAT = 40;

/** Observe option values of a registration and a deregistration (RFC 7641 section 2). */
export const OBSERVE_REGISTER = 0;
export const OBSERVE_DEREGISTER = 1;

function isBootstrap(op: DownlinkRequest['op']): boolean {
  return op.startsWith('bootstrap');
}

/** The Uri-Path segments: the alternate root (DM only), then the object path. */
export function uriPathOf(req: DownlinkRequest): string[] {
  if (req.op === 'bootstrapFinish') return ['bs'];
  const root =
    !isBootstrap(req.op) && req.rootPath ? req.rootPath.split('/').filter((s) => s.length > 0) : [];
  return [...root, ...req.path.ids().map(String)];
}

interface Shape {
  method: number;
  observe?: number;
  /** Accept forced by the operation */
  accept?: number;
  withPayload: boolean;
}

function shapeOf(op: DownlinkRequest['op']): Shape {
  switch (op) {
    case 'read':
    case 'bootstrapRead':
      return { method: Method.GET, withPayload: false };
    case 'discover':
    case 'bootstrapDiscover':
      return { method: Method.GET, accept: LINK_FORMAT, withPayload: false };
    case 'write':
    case 'bootstrapWrite':
      return { method: Method.PUT, withPayload: true };
    case 'writePartial':
    case 'execute':
    case 'create':
      return { method: Method.POST, withPayload: true };
    case 'writeAttributes':
      return { method: Method.PUT, withPayload: false };
    case 'delete':
    case 'bootstrapDelete':
      return { method: Method.DELETE, withPayload: false };
    case 'bootstrapFinish':
      return { method: Method.POST, withPayload: false };
    case 'readComposite':
      return { method: Method.FETCH, withPayload: true };
    case 'writeComposite':
      return { method: Method.iPATCH, withPayload: true };
    case 'observe':
      return { method: Method.GET, observe: OBSERVE_REGISTER, withPayload: false };
    case 'cancelObserve':
      return { method: Method.GET, observe: OBSERVE_DEREGISTER, withPayload: false };
    case 'observeComposite':
      return { method: Method.FETCH, observe: OBSERVE_REGISTER, withPayload: true };
    case 'cancelObserveComposite':
      return { method: Method.FETCH, observe: OBSERVE_DEREGISTER, withPayload: true };
  }
}

/** The CoAP request for a downlink, without any Block option. */
export function buildRequest(req: DownlinkRequest): RequestSpec {
  const shape = shapeOf(req.op);
  const options: CoapOption[] = [];
  if (shape.observe !== undefined) options.push(uintOption(Opt.Observe, shape.observe));
  options.push(...stringOptions(Opt.UriPath, uriPathOf(req)));
  const payload = shape.withPayload && req.payload ? Buffer.from(req.payload) : Buffer.alloc(0);
  if (shape.withPayload && req.contentFormat !== undefined) options.push(uintOption(Opt.ContentFormat, req.contentFormat));
  if (req.query && req.query.length > 0) options.push(...stringOptions(Opt.UriQuery, req.query));
  const accept = shape.accept ?? req.accept;
  if (accept !== undefined) options.push(uintOption(Opt.Accept, accept));
  const spec: RequestSpec = { code: shape.method, options, payload };
  if (req.token && req.token.length > 0) spec.token = Buffer.from(req.token);
  if (shape.observe === OBSERVE_DEREGISTER) spec.isObserveCancel = true;
  return spec;
}

/** The response as the core sees it; `payload` may be the reassembled body of a block-wise transfer. */
export function toDownlinkResponse(m: CoapMessage, payload: Buffer = m.payload): DownlinkResponse {
  const r: DownlinkResponse = { code: codeText(m.code), payload: new Uint8Array(payload) };
  const cf = getUintOption(m.options, Opt.ContentFormat);
  if (cf !== undefined) r.contentFormat = cf;
  const location = getStringOptions(m.options, Opt.LocationPath);
  if (location.length > 0) r.location = location;
  const observe = getUintOption(m.options, Opt.Observe);
  if (observe !== undefined) r.observe = observe;
  return r;
}
