/**
 * The front of a sharded gateway, on the main thread: the CoAP/UDP socket, and nothing of
 * CoAP. Each datagram goes to the shard its source address and port hash to (shardOf),
 * batched per shard and turn of the event loop; the shards' batches of datagrams to send
 * go out of the same socket. Datagrams that arrive before the shards are connected are
 * dropped (devices retransmit, RFC 7252 4.2).
 */
import type { Peer } from '../lwm2m/transport.js';
import { UdpDatagramEndpoint, type UdpEndpointOptions } from '../transport/coap/udp-datagram-endpoint.js';
import { TRANSPORT_NAME } from '../transport/coap/udp-peer.js';
import { BatchWriter, readBatch } from './datagram-batch.js';
import { shardOf } from './shard-plan.js';

interface Outlet {
  writer: BatchWriter;
  post: (batch: ArrayBuffer) => void;
}

export class DatagramFront {
  private readonly udp: UdpDatagramEndpoint;
  private outlets: Outlet[] = [];
  private flushScheduled = false;
  /** datagrams forwarded to each shard, and sent for each */
  readonly forwarded: number[] = [];
  readonly sent: number[] = [];
  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const o of this.outlets) if (!o.writer.empty) o.post(o.writer.take());
  };

  constructor(options: UdpEndpointOptions) {
    this.udp = new UdpDatagramEndpoint(options);
    this.udp.onRawDatagram((datagram, address, port) => this.route(address, port, datagram));
  }

  open(): Promise<{ port: number }> {
    return this.udp.open();
  }

  /** Starts forwarding: `posts[k]` hands a batch to shard k (transferred). */
  connect(posts: readonly ((batch: ArrayBuffer) => void)[]): void {
    this.outlets = posts.map((post) => ({ writer: new BatchWriter(), post }));
    this.forwarded.splice(0, this.forwarded.length, ...posts.map(() => 0));
    this.sent.splice(0, this.sent.length, ...posts.map(() => 0));
  }

  private route(address: string, port: number, datagram: Buffer): void {
    const n = this.outlets.length;
    if (n === 0) return;
    const k = shardOf(address, port, n);
    if (!this.outlets[k]!.writer.add(address, port, datagram)) return;
    this.forwarded[k]!++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
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
