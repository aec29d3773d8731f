/** What the main thread and a shard's worker say to each other (postMessage; one process). */
import type { GatewayConfig } from '../config/schema.js';

/** workerData of a shard */
export interface ShardStart {
  config: GatewayConfig;
  /** the config file, to resolve the relative paths in it */
  configFile?: string;
  shard: number;
  count: number;
  /** the port of the front's CoAP/UDP socket */
  coapPort: number;
}

export type ToShard = { t: 'in'; b: ArrayBuffer } | { t: 'stop'; graceMs: number };

export type FromShard =
  | { t: 'ready'; ports: Record<string, number | null | undefined> }
  | { t: 'failed'; message: string }
  /** datagrams to send (b), and the batches of datagrams from the front handled since the last message (acked) */
  | { t: 'out'; b?: ArrayBuffer; acked: number }
  | { t: 'stopped' };
