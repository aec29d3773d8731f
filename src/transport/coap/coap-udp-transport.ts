/**
 * CoAP over UDP, the southbound transport most LwM2M devices speak: the CoAP message
 * layer (coap-message-layer.ts) on one UDP socket (udp-datagram-endpoint.ts), used for
 * requests from devices and downlinks to them alike.
 */
import type { AddressInfo } from 'node:net';
import type { UplinkHandler } from '../../lwm2m/transport.js';
import type { CoapRequestHandler } from './coap-request.js';
import { CoapMessageLayer } from './coap-message-layer.js';
import type { CoapMessageLayerOptions } from './coap-message-layer.js';
import { noopLogger } from './context.js';
import { UdpDatagramEndpoint } from './udp-datagram-endpoint.js';
import type { OpenableDatagramEndpoint } from './datagram-endpoint.js';
import { Lwm2mOverCoap } from './uplink-map.js';
import type { DownloadSource } from '../binding.js';

export interface CoapUdpTransportOptions extends Omit<CoapMessageLayerOptions, 'handler'> {
  /** the LwM2M core (its uplinks mapped by uplink-map.ts), or a handler of plain CoAP requests */
  handler: UplinkHandler | CoapRequestHandler;
  /** default 5683; 0 picks a free port */
  port?: number;
  /** default '::' (IPv6 and IPv4); '0.0.0.0' or another IPv4 address listens on IPv4 only */
  address?: string;
  /**
   * the socket's receive buffer in bytes (SO_RCVBUF; the kernel caps it, on Linux at
   * net.core.rmem_max): room for the datagrams that arrive while the event loop is busy.
   * Default 4 MiB; 0 keeps the system's default.
   */
  recvBufferSize?: number;
  /** firmware images devices GET under /fw/ (pull over CoAP) */
  downloads?: DownloadSource;
  /** the datagrams to serve instead of a UDP socket of its own (port, address and recvBufferSize are then its business) */
  endpoint?: OpenableDatagramEndpoint;
}

function coapHandler(h: UplinkHandler | CoapRequestHandler, downloads?: DownloadSource): CoapRequestHandler {
  return 'handleUplink' in h ? new Lwm2mOverCoap(h, downloads) : h;
}

export class CoapUdpTransport extends CoapMessageLayer {
  private readonly udp: OpenableDatagramEndpoint;

  constructor(options: CoapUdpTransportOptions) {
    const { handler, port, address, recvBufferSize, downloads, endpoint, ...rest } = options;
    const udp =
      endpoint ??
      new UdpDatagramEndpoint({
        ...(port !== undefined ? { port } : {}),
        ...(address !== undefined ? { address } : {}),
        ...(recvBufferSize !== undefined ? { recvBufferSize } : {}),
        log: options.logger ?? noopLogger,
      });
    super(udp, { ...rest, handler: coapHandler(handler, downloads) });
    this.udp = udp;
  }

  /** Binds the socket; a bind error is thrown as Node reports it (EADDRINUSE...). */
  async start(): Promise<{ port: number }> {
    const r = await this.udp.open();
    this.resumeMessages();
    return r;
  }

  /** Closes the socket, clears every timer and rejects pending downlinks with STOPPED. */
  async stop(): Promise<void> {
    this.stopMessages();
    await this.udp.close();
  }

  /** The socket's receive buffer in bytes as the kernel reports it (while started). */
  receiveBufferSize(): number | undefined {
    return this.udp.receiveBufferSize?.();
  }

  address(): AddressInfo | undefined {
    return this.udp.address?.();
  }
}
