/**
 * A CoAP request from a client handed to the core through the CoAP binding's own mapping
 * (uplink-map.ts), without a socket: for tests of the LwM2M meaning of CoAP paths.
 */
import type { Peer, UplinkHandler } from '../../src/lwm2m/transport.js';
import type { CoapResponse } from '../../src/transport/coap/coap-request.js';
import type { MethodName } from '../../src/transport/coap/message.js';
import { Lwm2mOverCoap } from '../../src/transport/coap/uplink-map.js';
import { text } from './memory-transport.js';

/** `path` like "/rd?ep=x&lt=60" (query items split on '&'). */
export function coapRequest(
  core: UplinkHandler,
  peer: Peer,
  method: MethodName,
  path: string,
  payload?: string | Uint8Array,
  contentFormat?: number,
): Promise<CoapResponse> {
  const [p, q] = path.split('?', 2);
  return new Lwm2mOverCoap(core).handleRequest(peer, {
    method,
    uriPath: (p ?? '').split('/').filter((s) => s !== ''),
    uriQuery: q === undefined || q === '' ? [] : q.split('&'),
    payload: typeof payload === 'string' ? text(payload) : (payload ?? new Uint8Array()),
    ...(contentFormat !== undefined ? { contentFormat } : {}),
  });
}
