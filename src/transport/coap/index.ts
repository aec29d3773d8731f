/**
 * CoAP over UDP, the southbound binding most LwM2M devices speak.
 *
 * - coap-udp-transport.ts  the DeviceTransport: socket, start/stop, send(), wiring
 * - dispatcher.ts          incoming datagrams sorted: malformed, ACK/RST, ping, duplicate,
 *                          request, separate response, notification
 * - message.ts, options.ts, block.ts   the wire format on top of coap-packet
 * - retransmitter.ts       CON retransmission with back-off (RFC 7252 4.2)
 * - requester.ts           one request/response exchange, tokens, NSTART queue
 * - block-client.ts        Block1/Block2 for downlinks (RFC 7959)
 * - observer.ts            observations, freshness, block-wise notifications (RFC 7641)
 * - request-server.ts, block1-assembler.ts, block2-store.ts   requests from devices
 * - dedup.ts               message ids seen, with the reply sent (RFC 7252 4.5)
 * - downlink-map.ts, uplink-map.ts     LwM2M operations <-> CoAP
 * - timing.ts, peer.ts, context.ts     parameters, peer keys, shared context
 */
export { CoapUdpTransport } from './coap-udp-transport.js';
export type { CoapUdpTransportOptions } from './coap-udp-transport.js';
export type { CoapTiming } from './timing.js';
export { resolveTiming } from './timing.js';
export type { CoapLogger } from './context.js';
export { udpPeer } from './peer.js';
