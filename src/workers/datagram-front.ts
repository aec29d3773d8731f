/**
 * The front of a sharded gateway, on the main thread: the CoAP/UDP socket, and nothing of
 * CoAP. Each datagram goes to the shard its source address and port hash to (shardOf),
 * batched per shard and turn of the event loop; the shards' batches of datagrams to send
 * go out of the same socket. Datagrams that arrive before the shards are connected are
 * dropped (devices retransmit, RFC 7252 4.2).
 *
 * A shard says how many batches it has handled (`acked`); while `maxPendingBatches` of
 * its batches wait unhandled, what arrives for it is dropped and counted, as a full socket
 * receive buffer would drop it: a flood, or a shard that cannot keep up, never piles up
 * datagrams in the thread's message queue.
 */
import { UdpDatagramEndpoint, type UdpEndpointOptions } from '../transport/coap/udp-datagram-endpoint.js';
import type { Peer } from '../lwm2m/transport.js';
import { TRANSPORT_NAME } from '../transport/coap/udp-peer.js';
import { BatchWriter, readBatch } from './datagram-batch.js';
import { shardOf } from './shard-plan.js';

/** default bound of a shard's unhandled batches (a batch holds the datagrams of one turn of the event loop) */
export const MAX_PENDING_BATCHES = 256;

interface Outlet {
  writer: BatchWriter;
  post: (batch: ArrayBuffer) => void;
  /** batches posted and not yet handled by the shard */
  pending: number;
}

export class DatagramFront {
  private readonly udp: UdpDatagramEndpoint;
  private outlets: Outlet[] = [];
  private flushScheduled = false;
  private readonly maxPending: number;
  /** datagrams forwarded to each shard, sent for each, and dropped for each (its batches waiting at the bound) */
  readonly forwarded: number[] = [];
  readonly sent: number[] = [];
  readonly dropped: number[] = [];
  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const o of this.outlets) {
      if (o.writer.empty) continue;
      o.pending++;
      o.post(o.writer.take());
    }
  };

  constructor(options: UdpEndpointOptions & { maxPendingBatches?: number }) {
    const { maxPendingBatches, ...udp } = options;
    this.maxPending = maxPendingBatches ?? MAX_PENDING_BATCHES;
    this.udp = new UdpDatagramEndpoint(udp);
    this.udp.onRawDatagram((datagram, address, port) => this.route(address, port, datagram));
  }

  open(): Promise<{ port: number }> {
    return this.udp.open();
  }

  /** Starts forwarding: `posts[k]` hands a batch to shard k (transferred). */
  connect(posts: readonly ((batch: ArrayBuffer) => void)[]): void {
    this.outlets = posts.map((post) => ({ writer: new BatchWriter(), post, pending: 0 }));
    for (const counts of [this.forwarded, this.sent, this.dropped]) counts.splice(0, counts.length, ...posts.map(() => 0));
  }

  private route(address: string, port: number, datagram: Buffer): void {
    const n = this.outlets.length;
    if (n === 0) return;
    const k = shardOf(address, port, n);
    const o = this.outlets[k]!;
    if (o.pending >= this.maxPending || !o.writer.add(address, port, datagram)) {
      this.dropped[k]!++;
      return;
    }
    this.forwarded[k]!++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Shard `k` handled `n` more of its batches. */
  acked(k: number, n: number): void {
    const o = this.outlets[k];
    if (o) o.pending = Math.max(0, o.pending - n);
  }

  /** Shard `k` was started again: the batches the old one held are gone. */
  restarted(k: number): void {
    const o = this.outlets[k];
    if (o) o.pending = 0;
  }

  /** A batch shard `k` sends. */
  sendFrom(k: number, batch: ArrayBuffer): void {
    readBatch(batch, (address, port, datagram) => {
      const to: Peer = { transport: TRANSPORT_NAME, key: '', address, port };
      this.udp.send(to, datagram);
      this.sent[k]!++;
    });
  }

  async close(): Promise<void> {
    this.outlets = [];
    await this.udp.close();
  }
}
