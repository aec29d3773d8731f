/**
 * How many shards serve the CoAP/UDP devices, and the config each shard runs.
 *
 * A shard is a whole gateway core in a worker thread (src/workers/shard-worker.ts) for the
 * devices whose source address and port hash to it; the main thread only holds the UDP
 * socket (datagram-front.ts). The shards are the instances of the shared-store deployment
 * (docs/deploy.md) inside one process: their state is one Redis store, a request for a
 * device another shard talks to travels by the store's router, the MQTT commands reach one
 * shard each as shared subscriptions of one external broker. So a config can be sharded
 * when those hold; shard 0 also runs every listener that is not CoAP/UDP (REST, the
 * console, DTLS, the MQTT and HTTP bindings, the Bootstrap Server), the others run the
 * CoAP/UDP binding, the core and the MQTT face for their devices.
 */
import type { GatewayConfig } from '../config/schema.js';
import { StartError } from '../start-error.js';

/** the shared subscription group of the shards' command subscriptions when mqtt.external.sharedGroup is not set */
export const SHARD_GROUP = 'lwm2m-gateway-shards';

/** Why `c` cannot be split into shards (one line naming the config key); undefined when it can. */
export function shardingBlocker(c: GatewayConfig): string | undefined {
  if (c.store.type !== 'redis') return `store.type is ${c.store.type}: shards share their state through store.type redis`;
  if (c.mqtt.enabled && c.mqtt.mode !== 'external') return 'mqtt.mode is embedded: shards publish to one broker, set mqtt.mode external';
  if (c.onem2m.enabled) return 'onem2m.enabled is true: the oneM2M face follows the devices of one shard only';
  if (c.firmware.enabled) return 'firmware.enabled is true: firmware jobs follow the devices of one shard only';
  return undefined;
}

export interface WorkersPlan {
  /** shards to run; 1: the gateway runs on the main thread as one instance */
  count: number;
  /** why `auto` came to 1 shard on a machine with more cores (for one log line) */
  note?: string;
}

/** The plan for `c.workers` on a machine with `cores` cores; throws (one line) when a number above 1 was asked of a config that cannot be sharded. */
export function planWorkers(c: GatewayConfig, cores: number): WorkersPlan {
  const blocker = shardingBlocker(c);
  if (c.workers === 'auto') {
    if (cores <= 1) return { count: 1 };
    return blocker ? { count: 1, note: `workers auto: one shard, ${blocker}` } : { count: cores };
  }
  if (c.workers > 1 && blocker) throw new StartError(`workers ${c.workers}: ${blocker} (or set workers: 1)`);
  return { count: c.workers };
}

/** The config shard `k` of `count` runs. */
export function shardConfig(c: GatewayConfig, k: number, count: number): GatewayConfig {
  const x = c.mqtt.external;
  const mqtt = {
    ...c.mqtt,
    // every shard subscribes to the commands; the broker hands each to one of them, which routes it
    external: { ...x, sharedGroup: x.sharedGroup ?? SHARD_GROUP, clientId: x.clientId !== null && k > 0 ? `${x.clientId}-${k}` : x.clientId },
  };
  const all: GatewayConfig = { ...c, workers: 1, mqtt: count > 1 ? mqtt : c.mqtt };
  if (k === 0) return all;
  return {
    ...all,
    dtls: { ...c.dtls, enabled: false },
    http: { ...c.http, enabled: false, bootstrap: { ...c.http.bootstrap, enabled: false } },
    bootstrap: { ...c.bootstrap, enabled: false },
    mqttBinding: { ...c.mqttBinding, enabled: false },
    rest: { ...c.rest, enabled: false },
    ...(c.console ? { console: { ...c.console, enabled: false } } : {}),
  };
}

/**
 * The shard of a source address and port: FNV-1a over both, so that every datagram of
 * one device (one address and port) reaches the same shard. A device whose NAT changes
 * its port may land on another shard: its next Update moves the registration there (the
 * shared store's take-over).
 */
export function shardOf(address: string, port: number, count: number): number {
  if (count <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (port & 0xff), 0x01000193);
  h = Math.imul(h ^ (port >>> 8), 0x01000193);
  return (h >>> 0) % count;
}
