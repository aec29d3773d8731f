/**
 * CoAP over UDP, the southbound binding most LwM2M devices speak.
 *
 * - coap-udp-transport.ts  the CoAP message layer on a UDP socket: start/stop
 * - coap-message-layer.ts  the DeviceTransport over any datagram endpoint: send(), wiring
 * - datagram-endpoint.ts, udp-datagram-endpoint.ts   the socket below (UDP; DTLS later)
 * - dispatcher.ts          incoming datagrams sorted: malformed, ACK/RST, ping, duplicate,
 *                          request, separate response, notification
 * - message.ts, options.ts, block.ts   the wire format on top of coap-packet
 * - retransmitter.ts       CON retransmission with back-off (RFC 7252 4.2)
 * - requester.ts           one request/response exchange, tokens, NSTART queue
 * - block-client.ts        Block1/Block2 for downlinks (RFC 7959)
 * - observer.ts            observations, freshness, block-wise notifications (RFC 7641)
 * - request-server.ts, block1-assembler.ts, block2-store.ts   requests from devices
 * - dedup.ts               message ids seen, with the reply sent (RFC 7252 4.5)
 * - coap-request.ts        requests from devices as the message layer hands them up
 * - downlink-map.ts, uplink-map.ts     LwM2M operations and typed uplinks <-> CoAP
 * - timing.ts, context.ts  parameters, what the parts share
 * - udp-peer.ts, udp-listen.ts   UDP peer keys and addresses, the listening socket
 */
export { CoapUdpTransport } from './coap-udp-transport.js';
export type { CoapUdpTransportOptions } from './coap-udp-transport.js';
export type { CoapTiming } from './timing.js';
export { resolveTiming } from './timing.js';
export type { CoapLogger } from './context.js';
export { CoapMessageLayer } from './coap-message-layer.js';
export type { DatagramEndpoint } from './datagram-endpoint.js';
export { Lwm2mOverCoap } from './uplink-map.js';
export type { CoapRequest, CoapRequestHandler, CoapResponse } from './coap-request.js';
export { udpPeer } from './udp-peer.js';
