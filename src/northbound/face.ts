/**
 * A northbound face: what users consume (MQTT topics, a REST API, oneM2M resources). Each
 * face lives in a folder of its own behind this interface and talks to the core through
 * CoreApi alone; faces never import each other. The composition root starts the faces
 * the config turns on (faces.ts lists them) in a loop.
 */
import type { GatewayConfig } from '../config/schema.js';
import { TlsFilesError } from '../config/tls-files.js';
import type { Logger } from '../log.js';
import type { CoreApi } from '../lwm2m/server/index.js';
import type { ModelProvider } from '../lwm2m/model/types.js';
import type { MappingStore } from '../mapping/index.js';
import type { BootstrapApi } from '../lwm2m/bootstrap/index.js';
import type { FirmwareApi } from '../firmware/index.js';

/** The ports a face listens on once started, by name ("mqtt", "mqttWs", "rest"); null: that listener is off. */
export type FacePorts = Readonly<Record<string, number | null>>;

/** One part of the gateway and whether it is ready (a binding listens, a broker is connected...); detail says nothing sensitive. */
export interface ReadinessPart {
  name: string;
  ready: boolean;
  detail?: string;
}

export interface Face {
  /** the config section that turns it on: "mqtt", "rest" */
  readonly name: string;
  /** Starts listening or connecting; rejects with FaceStartError when the config is at fault. */
  start(): Promise<FacePorts>;
  /** Stops everything it started (sockets, timers, listeners on the core); safe to call twice. */
  stop(): Promise<void>;
  /** A graceful stop begins: take no new connections; those open go on until stop(). */
  stopAccepting?(): void;
  /** A reloaded mapping set is in force (mappings.watch): apply it now. */
  mappingsReloaded(): void;
  /** its parts for /readyz (a broker connection...); none: ready once started */
  readiness?(): ReadinessPart[];
  /** counters for /metrics: messages out, waiting and dropped */
  stats?(): FaceStats;
}

export interface FaceStats {
  /** messages handed on (to the broker, the CSE) since start */
  sent: number;
  /** messages waiting (the broker unreachable, or in flight) */
  buffered: number;
  /** messages dropped since start (buffer full) */
  dropped: number;
}

/** What every face is built from. */
export interface FaceDeps {
  config: GatewayConfig;
  /** the config file's folder, to resolve relative paths (TLS files) */
  baseDir: string;
  core: CoreApi;
  models: ModelProvider;
  /** the mapping files in force (undefined: mappings.dir is off) */
  mappings: MappingStore | undefined;
  logger: Logger;
  /** the gateway's version, for status messages */
  version: string;
  /** every part of the gateway and whether it is ready, for /readyz */
  readiness?: () => ReadinessPart[];
  /** the Prometheus text of /metrics (undefined: metrics are off) */
  metrics?: MetricsSource;
  /** opens a journal under the data folder (undefined: nothing a face buffers outlives the process) */
  openJournal?: OpenJournal;
  /** the Bootstrap Server: its configs, credentials, sessions and events */
  bootstrap?: BootstrapApi;
  /** firmware updates and campaigns (firmware.enabled) */
  firmware?: FirmwareApi;
  /** the embedded MQTT broker's rule for topics another part owns (the LwM2M/MQTT binding's), wired by the gateway */
  brokerTopicRule?: BrokerTopicRule;
}

/** A client as a broker topic rule sees it. */
export interface TopicRuleClient {
  clientId: string;
  username: string | undefined;
  /** the subject CN of a client certificate the TLS listener verified */
  certificateCn?: string;
  /** logged in through the rule's own login */
  gateway: boolean;
}

/** An extra rule on the embedded broker's topics; each check answers undefined for a topic it does not own. */
export interface BrokerTopicRule {
  admits(username: string | undefined, password: Buffer | undefined): boolean;
  mayPublish(who: TopicRuleClient, topic: string): boolean | undefined;
  maySubscribe(who: TopicRuleClient, filter: string): boolean | undefined;
  mayReceive(who: TopicRuleClient, topic: string): boolean | undefined;
}

export interface MetricsSource {
  contentType: string;
  /** the exposition text now */
  text(): Promise<string>;
  /** a token that may read /metrics beside the API's tokens (null: none) */
  token: string | null;
}

/**
 * A crash-safe FIFO of items a face accepted and has not delivered yet (the MQTT outbound
 * buffer): what was pending at a stop or a crash is handed back by `restored()` after the
 * restart. Delivery is at least once: an item may come back although it was delivered.
 */
export interface Journal<T> {
  /** items pending at the last stop or crash, oldest first (returned once) */
  restored(): T[];
  accepted(item: T): void;
  /** delivered, or dropped: not handed back after a restart */
  done(item: T): void;
  /** writes what is pending and closes its files */
  close(): Promise<void>;
}

/** Opens the journal `name` (a folder of its own); `check` turns what is read back into an item or throws. */
export type OpenJournal = <T extends object>(name: string, check: (value: unknown) => T) => Journal<T>;

/** One entry of the face list: whether the config turns it on, and how to build it. */
export interface FaceKind {
  readonly name: string;
  enabled(config: GatewayConfig): boolean;
  create(deps: FaceDeps): Face;
}

/** A face could not start because of its config (port in use, bad address, bad URL...): one line for the operator. */
export class FaceStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaceStartError';
  }
}

/** The TLS files a face reads at start, or the start error naming their config key. */
export function faceTls<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof TlsFilesError) throw new FaceStartError(e.message);
    throw e;
  }
}
