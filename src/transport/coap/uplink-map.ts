/**
 * LwM2M over CoAP, the device's side: the paths of the Registration, Reporting and
 * Bootstrap interfaces as typed uplinks for the core, and the core's results as CoAP
 * codes and options (Location-Path of a registration, Max-Age of a retry).
 *
 *   POST /rd?ep=...          Register            POST /dp        Send
 *   POST /rd/<id>?...        Update (PUT too:    POST /bs?ep=    Bootstrap-Request
 *                            old clients)        GET /bspack?ep= Bootstrap-Pack (1.2)
 *   DELETE /rd/<id>          De-register
 *
 * Other paths get 4.04, other methods on these paths 4.05, without the core. With a
 * DownloadSource, `GET /fw/<token>` is a firmware image a device pulls (Block2 by the
 * message layer), never seen by the core.
 */
import { RESULT_NUMBERS } from '../../lwm2m/transport.js';
import type { Notification, Peer, Uplink, UplinkHandler, UplinkResult } from '../../lwm2m/transport.js';
import type { CoapRequest, CoapRequestHandler, CoapResponse } from './coap-request.js';
import type { DownloadSource } from '../binding.js';

const frozen = (code: string): CoapResponse => Object.freeze({ code });

const NOT_FOUND = frozen('4.04');
const METHOD_NOT_ALLOWED = frozen('4.05');
const NOT_IMPLEMENTED = frozen('5.01');
const INTERNAL = frozen('5.00');

/** The CoAP code of each result: LwM2M's result numbers are CoAP's (RFC 7252 12.1.2). */
const CODES = RESULT_NUMBERS;

/** One shared answer per code for results that carry nothing else. */
const BARE = new Map<string, CoapResponse>(Object.entries(CODES).map(([k, c]) => [k, frozen(c)]));

function withFormat(u: { contentFormat?: number }, cf: number | undefined): void {
  if (cf !== undefined) u.contentFormat = cf;
}

/** The uplink a CoAP request means, or the answer the binding gives itself (4.04, 4.05, 5.01). */
export function toUplink(req: CoapRequest): Uplink | CoapResponse {
  const [first, second, ...rest] = req.uriPath;
  const m = req.method;
  switch (first) {
    case 'rd': {
      if (rest.length > 0) return NOT_FOUND;
      if (second === undefined || second === '') {
        if (m !== 'POST') return METHOD_NOT_ALLOWED;
        const u: Uplink = { kind: 'register', params: req.uriQuery, links: req.payload };
        withFormat(u, req.contentFormat);
        return u;
      }
      if (m === 'POST' || m === 'PUT') {
        const u: Uplink = { kind: 'update', registrationId: second, params: req.uriQuery, links: req.payload };
        withFormat(u, req.contentFormat);
        return u;
      }
      return m === 'DELETE' ? { kind: 'deregister', registrationId: second } : METHOD_NOT_ALLOWED;
    }
    case 'dp': {
      if (second !== undefined) return NOT_FOUND;
      if (m !== 'POST') return METHOD_NOT_ALLOWED;
      const u: Uplink = { kind: 'send', payload: req.payload };
      withFormat(u, req.contentFormat);
      return u;
    }
    case 'bs':
      return m === 'POST' && second === undefined ? { kind: 'bootstrapRequest', params: req.uriQuery } : NOT_FOUND;
    case 'bspack':
      if (m !== 'GET' || second !== undefined) return NOT_IMPLEMENTED;
      return req.accept !== undefined ? { kind: 'bootstrapPack', params: req.uriQuery, accept: req.accept } : { kind: 'bootstrapPack', params: req.uriQuery };
    default:
      return NOT_FOUND;
  }
}

/** The CoAP answer to a result; 5.00 for one that is not a result (the core never gives those). */
export function toCoapResponse(r: UplinkResult): CoapResponse {
  switch (r.code) {
    case 'created':
      return { code: '2.01', location: ['rd', r.registrationId] };
    case 'content': {
      const res: CoapResponse = { code: '2.05', payload: r.payload };
      if (r.contentFormat !== undefined) res.contentFormat = r.contentFormat;
      return res;
    }
    case 'changed':
    case 'deleted':
      return BARE.get(r.code) ?? INTERNAL;
    default: {
      const code = CODES[r.code];
      if (code === undefined) return INTERNAL;
      return r.retryAfter !== undefined ? { code, maxAge: r.retryAfter } : (BARE.get(r.code) ?? INTERNAL);
    }
  }
}

/** The LwM2M core behind the CoAP message layer. */
export class Lwm2mOverCoap implements CoapRequestHandler {
  constructor(
    private readonly core: UplinkHandler,
    private readonly downloads?: DownloadSource,
  ) {}

  handleRequest(peer: Peer, request: CoapRequest): Promise<CoapResponse> {
    if (this.downloads && request.uriPath[0] === 'fw' && request.uriPath.length === 2) {
      if (request.method !== 'GET') return Promise.resolve(METHOD_NOT_ALLOWED);
      return this.downloads(request.uriPath).then((b) => (b ? { code: '2.05', contentFormat: 42, payload: b } : NOT_FOUND));
    }
    const u = toUplink(request);
    if (!('kind' in u)) return Promise.resolve(u);
    return this.core.handleUplink(peer, u).then(toCoapResponse);
  }

  handleNotification(peer: Peer, notification: Notification): boolean {
    return this.core.handleNotification(peer, notification);
  }
}
