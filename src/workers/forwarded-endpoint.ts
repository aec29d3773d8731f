/**
 * The CoAP/UDP binding's datagrams in a shard: what the front (the main thread's socket)
 * forwards for this shard's devices comes in as batches, and what the shard sends goes
 * back the same way, batched per turn of the event loop; the front puts it on the wire
 * from the one socket, so devices and NATs see the server's port as the source.
 */
import type { Peer } from '../lwm2m/transport.js';
import type { OpenableDatagramEndpoint } from '../transport/coap/datagram-endpoint.js';
import { TRANSPORT_NAME, reachableUdpPeer, udpPeer } from '../transport/coap/udp-peer.js';
import { BatchWriter, readBatch } from './datagram-batch.js';

export class ForwardedEndpoint implements OpenableDatagramEndpoint {
  readonly name = TRANSPORT_NAME;
  private opened = false;
  private receive: (peer: Peer, datagram: Buffer) => void = () => {};
  private readonly out = new BatchWriter();
  private flushScheduled = false;
  /** batches from the front handled since the last report (the front bounds those it waits for) */
  private handled = 0;
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const acked = this.handled;
    this.handled = 0;
    if (!this.out.empty || acked > 0) this.post(this.out.empty ? undefined : this.out.take(), acked);
  };

  constructor(
    /** hands a batch to the front (transferred; none when only `acked` is news), with the batches handled since the last one */
    private readonly post: (batch: ArrayBuffer | undefined, acked: number) => void,
    /** the port the front's socket listens on */
    private readonly port: number,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  onDatagram(receive: (peer: Peer, datagram: Buffer) => void): void {
    this.receive = receive;
  }

  open(): Promise<{ port: number }> {
    this.opened = true;
    return Promise.resolve({ port: this.port });
  }

  close(): Promise<void> {
    this.flush();
    this.opened = false;
    return Promise.resolve();
  }

  /** A batch from the front: each datagram to the message layer, from its peer. */
  deliver(batch: ArrayBuffer): void {
    if (this.opened) readBatch(batch, (address, port, data) => this.receive(udpPeer(address, port), data));
    this.handled++;
    this.schedule();
  }

  peerFor(peer: Peer): Peer | undefined {
    return reachableUdpPeer(peer);
  }

  send(peer: Peer, datagram: Buffer): void {
    if (!this.opened || !this.out.add(peer.address, peer.port, datagram)) return;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }
}
