export { CoapUdpTransport } from './coap-udp-transport.js';
export type { CoapUdpTransportOptions } from './coap-udp-transport.js';
export type { CoapTiming } from './timing.js';
export { resolveTiming } from './timing.js';
export type { CoapLogger } from './context.js';
