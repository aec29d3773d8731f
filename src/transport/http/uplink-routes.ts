/**
 * LwM2M over HTTP, the client's side (LwM2M 1.2 Transport section 7: the paths and query
 * parameters of the CoAP binding, carried by HTTP): routes as typed uplinks for the core,
 * and the core's results as HTTP statuses and headers.
 *
 *   POST /rd?ep=&lt=&lwm2m=&b=&Q   Register          -> 201, Location: /rd/<id>
 *   POST /rd/<id>?lt=...           Update            -> 204
 *   DELETE /rd/<id>                De-register       -> 204
 *   POST /dp                       Send              -> 204
 *   POST /bs?ep=&pct=              Bootstrap-Request -> 204 (on http.bootstrap.port, whose
 *                                  handler is the Bootstrap Server; the LwM2M server: 404)
 *   GET /dm, POST /dm/<token>      the profile's downlink fetch (http-binding.ts)
 *
 * Errors: 4.xx/5.xx as http-codes.ts maps them; a retry hint (4.29, 5.03) as Retry-After.
 */
import { RESULT_NUMBERS } from '../../lwm2m/transport.js';
import type { RegisterUplink, SendUplink, UpdateUplink, Uplink, UplinkResult } from '../../lwm2m/transport.js';
import { httpStatusOf, mediaTypeOf } from './http-codes.js';

export interface HttpRequestParts {
  method: string;
  /** path segments, percent-decoded */
  segments: string[];
  /** query items, percent-decoded: "ep=dev1", "Q" */
  query: string[];
  contentFormat?: number;
  body: Uint8Array;
}

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

const answer = (status: number, headers?: Record<string, string>): HttpAnswer => (headers ? { status, headers } : { status });

export const NOT_FOUND = answer(404);
const allow = (methods: string): HttpAnswer => answer(405, { allow: methods });

function withFormat<U extends { contentFormat?: number }>(u: U, cf: number | undefined): U {
  if (cf !== undefined) u.contentFormat = cf;
  return u;
}

/** The uplink an HTTP request means, or the answer the binding gives itself (404, 405). */
export function toUplink(req: HttpRequestParts): Uplink | HttpAnswer {
  const [first, second, ...rest] = req.segments;
  const m = req.method;
  switch (first) {
    case 'rd': {
      if (rest.length > 0) return NOT_FOUND;
      if (second === undefined) {
        if (m !== 'POST') return allow('POST');
        return withFormat<RegisterUplink>({ kind: 'register', params: req.query, links: req.body }, req.contentFormat);
      }
      if (m === 'POST') return withFormat<UpdateUplink>({ kind: 'update', registrationId: second, params: req.query, links: req.body }, req.contentFormat);
      if (m === 'DELETE') return { kind: 'deregister', registrationId: second };
      return allow('POST, DELETE');
    }
    case 'dp':
      if (second !== undefined) return NOT_FOUND;
      if (m !== 'POST') return allow('POST');
      return withFormat<SendUplink>({ kind: 'send', payload: req.body }, req.contentFormat);
    case 'bs':
      if (second !== undefined) return NOT_FOUND;
      if (m !== 'POST') return allow('POST');
      return { kind: 'bootstrapRequest', params: req.query };
    default:
      return NOT_FOUND;
  }
}

/** The HTTP answer to a result of the core. */
export function toHttpAnswer(r: UplinkResult): HttpAnswer {
  switch (r.code) {
    case 'created':
      return answer(201, { location: `/rd/${encodeURIComponent(r.registrationId)}` });
    case 'content': {
      const headers: Record<string, string> = {};
      if (r.contentFormat !== undefined) headers['content-type'] = mediaTypeOf(r.contentFormat);
      return { status: 200, headers, body: r.payload };
    }
    default: {
      const code = RESULT_NUMBERS[r.code];
      const status = code !== undefined ? httpStatusOf(code) : 500;
      const retryAfter = 'retryAfter' in r ? r.retryAfter : undefined;
      return retryAfter !== undefined ? answer(status, { 'retry-after': String(Math.max(0, Math.ceil(retryAfter))) }) : answer(status);
    }
  }
}
