/** The options of the external link and how they become MQTT.js connect options. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Logger } from '../../log.js';
import { BrokerStartError } from './broker.js';
import { type LinkMessage, type LinkWill, toMessage } from './link-message.js';
import type { Journal } from '../face.js';

export interface ExternalLinkOptions {
  /** mqtt://, mqtts://, ws://, wss:// (tcp:// and ssl:// as aliases) */
  url: string;
  /** 4: MQTT 3.1.1 (default), 5: MQTT 5 */
  protocolVersion?: 4 | 5;
  /** default: lwm2m-gateway-<random>; fix it when clean is false */
  clientId?: string | null;
  username?: string | null;
  password?: string | null;
  /** PEM file paths; rejectUnauthorized defaults to true */
  tls?: { ca?: string | null; cert?: string | null; key?: string | null; rejectUnauthorized?: boolean };
  /** seconds between reconnect attempts (default 2) */
  reconnectPeriod?: number;
  /** clean session / clean start (default true) */
  clean?: boolean;
  /** MQTT 5 with clean false: seconds the broker keeps the session after a disconnect (default 86,400) */
  sessionExpiry?: number;
  /** seconds (default 30) */
  keepalive?: number;
  /** seconds to wait for CONNACK (default 10) */
  connectTimeout?: number;
  /** messages waiting for the broker beyond those in flight (default 100,000) */
  /** keeps the buffer across restarts: what it restores goes out first */
  journal?: Journal<LinkMessage>;
  bufferSize?: number;
  /** QoS 1 messages handed to the broker and not yet acknowledged (default 100) */
  maxInflight?: number;
  /** the gateway's last will, e.g. a retained "offline"; also published on a clean stop() */
  will?: LinkWill;
  /** published first on every (re)connection, e.g. a retained "online" */
  birth?: LinkWill;
  /** at stop(), how long buffered messages may take to reach the broker (default 2000 ms) */
  stopTimeoutMs?: number;
  logger?: Logger;
}

function readPem(path: string | null | undefined, key: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BrokerStartError(`${key}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, key);
  }
}

const SCHEMES = ['mqtt', 'mqtts', 'tcp', 'ssl', 'tls', 'ws', 'wss'];

/** MQTT.js options for the link: no offline queue of its own, no automatic resubscription. */
export function clientOptions(o: ExternalLinkOptions): IClientOptions {
  const scheme = /^([a-z]+):\/\//i.exec(o.url)?.[1]?.toLowerCase();
  if (!scheme || !SCHEMES.includes(scheme)) {
    throw new BrokerStartError(`mqtt.external.url: "${o.url}" is not an mqtt://, mqtts://, ws:// or wss:// URL`, 'mqtt.external.url');
  }
  const tls = o.tls ?? {};
  const version = o.protocolVersion ?? 4;
  const opts: IClientOptions = {
    protocolVersion: version,
    clientId: o.clientId ?? `lwm2m-gateway-${randomBytes(4).toString('hex')}`,
    clean: o.clean ?? true,
    keepalive: o.keepalive ?? 30,
    connectTimeout: (o.connectTimeout ?? 10) * 1000,
    reconnectPeriod: Math.max(0.05, o.reconnectPeriod ?? 2) * 1000,
    queueQoSZero: false,
    resubscribe: false,
    ca: readPem(tls.ca, 'mqtt.external.tls.ca'),
    cert: readPem(tls.cert, 'mqtt.external.tls.cert'),
    key: readPem(tls.key, 'mqtt.external.tls.key'),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
  if (version === 5 && opts.clean === false) opts.properties = { sessionExpiryInterval: o.sessionExpiry ?? 86_400 };
  if (o.username != null) opts.username = o.username;
  if (o.password != null) opts.password = o.password;
  if (o.will) {
    const w = toMessage(o.will);
    opts.will = { topic: w.topic, payload: w.payload, qos: w.qos, retain: w.retain };
  }
  return opts;
}
