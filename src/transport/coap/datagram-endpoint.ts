/**
 * What the CoAP message layer needs from the socket below it: datagrams in, datagrams
 * out, and the peers it can reach. UDP is one implementation (udp-datagram-endpoint.ts);
 * a DTLS session layer is another, handing up the records it decrypted.
 */
import type { AddressInfo } from 'node:net';
import type { Peer } from '../../lwm2m/transport.js';

export interface DatagramEndpoint {
  /** the transport name its peers carry ('udp', 'dtls'); downlinks for it come here */
  readonly name: string;
  /** true while datagrams can be sent */
  readonly isOpen: boolean;
  /** where incoming datagrams go (set once, by the message layer) */
  onDatagram(receive: (peer: Peer, datagram: Buffer) => void): void;
  /** puts one datagram on the wire; a failure is logged, never thrown */
  send(peer: Peer, datagram: Buffer): void;
  /** this endpoint's own Peer for one the core hands in; undefined when it cannot be reached here */
  peerFor(peer: Peer): Peer | undefined;
}

/**
 * A DatagramEndpoint the CoAP/UDP binding opens and closes: its own UDP socket
 * (udp-datagram-endpoint.ts), or the datagrams of a socket another thread holds
 * (src/workers/forwarded-endpoint.ts: a shard of the devices).
 */
export interface OpenableDatagramEndpoint extends DatagramEndpoint {
  /** starts taking datagrams; the port they arrive at */
  open(): Promise<{ port: number }>;
  close(): Promise<void>;
  /** the socket's receive buffer in bytes (when it is this process's own socket) */
  receiveBufferSize?(): number | undefined;
  address?(): AddressInfo | undefined;
}
