/**
 * A northbound face: what users consume (MQTT topics, a REST API, oneM2M resources). Each
 * face lives in a folder of its own behind this interface and talks to the core through
 * CoreApi alone; faces never import each other. The composition root starts the faces
 * the config turns on (faces.ts lists them) in a loop.
 */
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { CoreApi } from '../lwm2m/server/index.js';
import type { ModelProvider } from '../lwm2m/model/types.js';
import type { MappingStore } from '../mapping/index.js';
import type { BootstrapApi } from '../lwm2m/bootstrap/index.js';

/** The ports a face listens on once started, by name ("mqtt", "mqttWs", "rest"); null: that listener is off. */
export type FacePorts = Readonly<Record<string, number | null>>;

export interface Face {
  /** the config section that turns it on: "mqtt", "rest" */
  readonly name: string;
  /** Starts listening or connecting; rejects with FaceStartError when the config is at fault. */
  start(): Promise<FacePorts>;
  /** Stops everything it started (sockets, timers, listeners on the core); safe to call twice. */
  stop(): Promise<void>;
  /** A reloaded mapping set is in force (mappings.watch): apply it now. */
  mappingsReloaded(): void;
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
  /** the Bootstrap Server: its configs, credentials, sessions and events */
  bootstrap?: BootstrapApi;
}

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
