/** The gateway config: its JSON Schema, TypeScript shape and defaults. */
import { DEFAULT_MQTT_CONFIG, MQTT_CONFIG_SCHEMA, type MqttConfig, type BrokerUserConfig } from './mqtt-config.js';
import { DEFAULT_REST_CONFIG, REST_CONFIG_SCHEMA, type RestConfig } from './rest-config.js';
import { DEFAULT_ONEM2M_CONFIG, ONEM2M_CONFIG_SCHEMA, type OneM2mConfig, type OneM2mAccessOperation } from './onem2m-config.js';
import { DEFAULT_DTLS_CONFIG, DTLS_CONFIG_SCHEMA, type DtlsConfig } from './dtls-config.js';
import { DEFAULT_BOOTSTRAP_CONFIG, BOOTSTRAP_CONFIG_SCHEMA, type BootstrapConfig } from './bootstrap-config.js';
import { seconds, positiveInt, nullableString } from './schema-parts.js';
import { DEFAULT_FIRMWARE_CONFIG, FIRMWARE_CONFIG_SCHEMA, type FirmwareConfig } from './firmware-config.js';
import { DEFAULT_MQTT_BINDING_CONFIG, MQTT_BINDING_SCHEMA, type MqttBindingConfig } from './mqtt-binding-config.js';
import { DEFAULT_HTTP_BINDING, HTTP_BINDING_SCHEMA } from './http-binding-config.js';
import type { HttpBindingConfig } from './http-binding-config.js';
import { CONSOLE_CONFIG_SCHEMA, DEFAULT_CONSOLE_CONFIG, type ConsoleConfig } from './console-config.js';
import { DEFAULT_WORKERS, WORKERS_SCHEMA, type WorkersConfig } from './workers-config.js';

export type { BrokerUserConfig, OneM2mAccessOperation, MqttConfig, RestConfig, OneM2mConfig, DtlsConfig, BootstrapConfig };

export interface GatewayConfig {
  coap: {
    /** UDP port for LwM2M over CoAP; 0 picks a free one */
    port: number;
    /** listen address: "::" (IPv4 and IPv6), "0.0.0.0" (IPv4 only), or one address */
    address: string;
    /** block size for block-wise transfers: 16..1024 */
    blockSize: number;
    /** the UDP socket's receive buffer in bytes (capped by the kernel); 0: the system default */
    recvBufferSize: number;
  };
  dtls: DtlsConfig;
  /** the LwM2M 1.2 HTTP binding (src/config/http-binding-config.ts) */
  http: HttpBindingConfig;
  bootstrap: BootstrapConfig;
  lwm2m: {
    lifetime: { min: number; max: number; default: number };
    /** seconds a device request may take before it fails with a timeout */
    requestTimeout: number;
    queue: { ttl: number; maxPerDevice: number; awakeTime: number };
    /** bounds on what devices can make the gateway hold (see lwm2m/server/register-guard.ts) */
    limits: {
      /** object and instance links in a Register or Update (4.00 beyond) */
      maxLinks: number;
      /** bytes of a Register or Update payload (4.13 beyond) */
      maxPayload: number;
      /** registrations held at once (5.03 beyond) */
      maxRegistrations: number;
      /** Registers per second from one source address (4.29 beyond); 0: no limit */
      registerRatePerAddress: number;
    };
  };
  models: {
    /** a folder of DDF (.xml) object definitions that extend or override the built-in objects */
    dir: string | null;
  };
  mappings: {
    /** folder of mapping files (relative to the config file); null: none */
    dir: string | null;
    /** reload on file change (the last good mapping stays in force on errors) */
    watch: boolean;
  };
  mqtt: MqttConfig;
  rest: RestConfig;
  /** the web console on the REST port (src/config/console-config.ts) */
  console?: ConsoleConfig;
  onem2m: OneM2mConfig;
  log: {
    level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
    /** text: one readable line per event; json: one JSON object per line (time, level, msg, fields) */
    format: 'text' | 'json';
  };
  store: {
    /** where registrations, observations, queued requests and credentials are kept (src/store/index.ts): file (under data.dir, survives a restart) or memory */
    type: 'file' | 'memory' | 'redis';
  };
  /** the Redis store (store.type redis): several gateway instances share one state (docs/deploy.md) */
  redis: {
    /** redis://[user:password@]host:port[/db], rediss:// for TLS */
    url: string;
    /** prefix of every key and of the change channel: instances with the same prefix share their state */
    prefix: string;
  };
  data: {
    /** the folder of what outlives the process: the file store, the MQTT outbound buffer (relative to the config file) */
    dir: string;
  };
  /** SIGTERM/SIGINT: listeners close, requests in flight get their answers, buffers flush, presence reads offline */
  shutdown?: {
    /** seconds all of it may take; past them the process exits anyway (code 1, one log line) */
    graceSeconds: number;
  };
  security: {
    /** YAML list of per-endpoint credentials (relative to the config file), reloaded on change; null: none */
    file: string | null;
    /** an endpoint with credentials may register only over them (4.03 otherwise) */
    requireForKnown: boolean;
    /** every client must have authenticated (DTLS): plain UDP registrations are refused */
    requireDtls: boolean;
  };
  /** firmware and software updates, campaigns (src/config/firmware-config.ts) */
  firmware: FirmwareConfig;
  /** the southbound LwM2M 1.2 MQTT binding (mqtt-binding-config.ts) */
  mqttBinding: MqttBindingConfig;
  /** shards of the CoAP/UDP devices, a worker thread each (workers-config.ts, src/workers/) */
  workers: WorkersConfig;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  coap: { port: 5683, address: '::', blockSize: 1024, recvBufferSize: 4_194_304 },
  dtls: DEFAULT_DTLS_CONFIG,
  http: DEFAULT_HTTP_BINDING,
  bootstrap: DEFAULT_BOOTSTRAP_CONFIG,
  lwm2m: {
    lifetime: { min: 10, max: 31_536_000, default: 86_400 },
    requestTimeout: 30,
    queue: { ttl: 86_400, maxPerDevice: 100, awakeTime: 93 },
    limits: { maxLinks: 1000, maxPayload: 65_536, maxRegistrations: 250_000, registerRatePerAddress: 100 },
  },
  models: { dir: null },
  mappings: { dir: 'mappings', watch: true },
  mqtt: DEFAULT_MQTT_CONFIG,
  rest: DEFAULT_REST_CONFIG,
  console: DEFAULT_CONSOLE_CONFIG,
  onem2m: DEFAULT_ONEM2M_CONFIG,
  log: { level: 'info', format: 'text' },
  store: { type: 'file' },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'lwm2m:' },
  data: { dir: 'data' },
  security: { file: null, requireForKnown: true, requireDtls: false },
  shutdown: { graceSeconds: 10 },
  firmware: DEFAULT_FIRMWARE_CONFIG,
  mqttBinding: DEFAULT_MQTT_BINDING_CONFIG,
  workers: DEFAULT_WORKERS,
};


export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'lwm2m-gateway configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    coap: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        address: { type: 'string', minLength: 1 },
        blockSize: { enum: [16, 32, 64, 128, 256, 512, 1024] },
        recvBufferSize: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
      },
    },
    dtls: DTLS_CONFIG_SCHEMA,
    http: HTTP_BINDING_SCHEMA,
    bootstrap: BOOTSTRAP_CONFIG_SCHEMA,
    lwm2m: {
      type: 'object',
      additionalProperties: false,
      properties: {
        lifetime: {
          type: 'object',
          additionalProperties: false,
          properties: { min: positiveInt, max: positiveInt, default: positiveInt },
        },
        requestTimeout: { type: 'number', exclusiveMinimum: 0 },
        queue: {
          type: 'object',
          additionalProperties: false,
          properties: { ttl: seconds, maxPerDevice: positiveInt, awakeTime: { type: 'number', exclusiveMinimum: 0 } },
        },
        limits: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxLinks: positiveInt,
            maxPayload: positiveInt,
            maxRegistrations: positiveInt,
            registerRatePerAddress: { type: 'number', minimum: 0 },
          },
        },
      },
    },
    models: {
      type: 'object',
      additionalProperties: false,
      properties: { dir: { type: ['string', 'null'] } },
    },
    mappings: {
      type: 'object',
      additionalProperties: false,
      properties: { dir: nullableString, watch: { type: 'boolean' } },
    },
    mqtt: MQTT_CONFIG_SCHEMA,
    rest: REST_CONFIG_SCHEMA,
    onem2m: ONEM2M_CONFIG_SCHEMA,
    console: CONSOLE_CONFIG_SCHEMA,
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['debug', 'info', 'warn', 'error', 'silent'] }, format: { enum: ['text', 'json'] } },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: { type: { enum: ['file', 'memory', 'redis'] } },
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', pattern: '^rediss?://', maxLength: 2048 },
        prefix: { type: 'string', pattern: '^[A-Za-z0-9:._-]{1,100}$' },
      },
    },
    data: {
      type: 'object',
      additionalProperties: false,
      properties: { dir: { type: 'string', minLength: 1 } },
    },
    security: {
      type: 'object',
      additionalProperties: false,
      properties: { file: nullableString, requireForKnown: { type: 'boolean' }, requireDtls: { type: 'boolean' } },
    },
    shutdown: {
      type: 'object',
      additionalProperties: false,
      properties: { graceSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 } },
    },
    firmware: FIRMWARE_CONFIG_SCHEMA,
    mqttBinding: MQTT_BINDING_SCHEMA,
    workers: WORKERS_SCHEMA,
  },
} as const;
