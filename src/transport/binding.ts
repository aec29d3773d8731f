/**
 * A southbound binding as the gateway sees it: something built from the config that
 * listens for LwM2M clients, hands the core typed uplinks (UplinkHandler) and carries its
 * downlinks (DeviceTransport). The core never learns which bindings exist.
 */
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { DeviceTransport, UplinkHandler } from '../lwm2m/transport.js';
import type { OpenableDatagramEndpoint } from './coap/datagram-endpoint.js';

/** Where a started binding listens. */
export interface ListenAddress {
  /** the binding's scheme: 'coap', 'coaps', 'mqtt', 'http' */
  scheme: string;
  /** what it is, for the log: 'coap+udp' */
  transport: string;
  address: string;
  port: number;
}

export interface Binding {
  readonly scheme: string;
  /** the downlink side, added to the core once started (named like its peers' `transport`) */
  readonly transport: DeviceTransport;
  /** Listens; throws BindingStartError with a line for the operator when it cannot. */
  start(): Promise<ListenAddress>;
  /** Stops listening and fails its pending downlinks; harmless when not started. */
  stop(): Promise<void>;
  /** counters for /metrics since start */
  stats?(): BindingStats;
  /** started after the northbound faces (it is a client of the MQTT face's embedded broker) */
  readonly late?: boolean;
}

export interface BindingStats {
  /** datagrams refused or dropped, by reason ("malformed", "replay", "badRecord"...) */
  refused: Readonly<Record<string, number>>;
  /** secured bindings: handshakes that completed and that failed */
  handshakes?: { completed: number; failed: number };
}

/**
 * Files the gateway serves to devices on a CoAP GET (a firmware pull): the Uri-Path
 * segments in, the bytes out (Block2 slices them), or undefined (4.04).
 */
export type DownloadSource = (uriPath: readonly string[]) => Promise<Uint8Array | undefined>;

/** What a binding is built from. */
export interface BindingContext {
  config: GatewayConfig;
  /** the LwM2M core */
  handler: UplinkHandler;
  logger: Logger;
  /** the clients' credentials (the store's): what a secured binding checks a handshake against */
  credentials?: { pskFor(identity: Buffer): Buffer | undefined };
  /** what devices may GET under /fw/... (firmware pull over CoAP); none: 4.04 */
  downloads?: DownloadSource;
  /** the MQTT face's embedded broker once started (undefined: not running): where a binding that is its client connects */
  embeddedBroker?: () => { url: string; username: string; password: string } | undefined;
  /** the CoAP/UDP binding's datagrams when another thread holds the socket (a shard of src/workers/); none: its own socket */
  coapEndpoint?: OpenableDatagramEndpoint;
}

/** Builds the binding from the config, or undefined when the config leaves it off. */
export type BindingFactory = (ctx: BindingContext) => Binding | undefined;

/** A binding that could not start, with one line for the operator naming the config key to change. */
export class BindingStartError extends Error {
  constructor(
    /** the config key at fault, e.g. "coap.port" */
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'BindingStartError';
  }
}
