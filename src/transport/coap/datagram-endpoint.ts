/**
 * What the CoAP message layer needs from the socket below it: datagrams in, datagrams
 * out, and the peers it can reach. UDP is one implementation (udp-datagram-endpoint.ts);
 * a DTLS session layer is another, handing up the records it decrypted.
 */
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
