/** The gateway config: its JSON Schema, TypeScript shape and defaults. */
import { DEFAULT_FIRMWARE_CONFIG, FIRMWARE_CONFIG_SCHEMA, type FirmwareConfig } from './firmware-config.js';
import { DEFAULT_MQTT_BINDING_CONFIG, MQTT_BINDING_SCHEMA, type MqttBindingConfig } from './mqtt-binding-config.js';
import { DEFAULT_HTTP_BINDING, HTTP_BINDING_SCHEMA } from './http-binding-config.js';
import type { HttpBindingConfig } from './http-binding-config.js';
import { CONSOLE_CONFIG_SCHEMA, DEFAULT_CONSOLE_CONFIG, type ConsoleConfig } from './console-config.js';

/** A login of the embedded broker (mqtt.embedded.users). */
export interface BrokerUserConfig {
  username: string;
  /** in clear; or passwordHash: scrypt$..., pbkdf2-sha512$..., or $7$... from mosquitto_passwd */
  password?: string | null;
  passwordHash?: string | null;
  /** topic patterns it may publish / subscribe to: MQTT filters, %u / %c as a whole level */
  publish?: string[];
  subscribe?: string[];
}

/** an operation an <accessControlPolicy> grants (TS-0004 accessControlOperations) */
export type OneM2mAccessOperation = 'create' | 'retrieve' | 'update' | 'delete' | 'notify' | 'discover';

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
  dtls: {
    /** LwM2M over CoAP over DTLS 1.2 (PSK, and ECDHE_ECDSA with certificates or raw public keys) */
    enabled: boolean;
    /** UDP port for coaps; 0 picks a free one */
    port: number;
    /** listen address, as coap.address */
    address: string;
    /** PEM file of the server's certificate (or chain, leaf first); null: raw public key only */
    certificate: string | null;
    /** PEM file of the server's EC P-256 private key; null: no ECDHE_ECDSA suite */
    privateKey: string | null;
    /** PEM file of the CAs a client certificate must chain to; null: no X.509 client */
    trustedCertificates: string | null;
    /** the suites allowed, in order of preference */
    cipherSuites: string[];
    /** bytes of the connection IDs (RFC 9146) issued to clients that offer the extension: 0 (none) or 4..20 */
    connectionIdLength: number;
    /** sessions kept for resumption (abbreviated handshake); 0: none */
    sessionCacheSize: number;
    /** seconds after its full handshake a session can still be resumed */
    sessionLifetimeSec: number;
  };
  /** the LwM2M 1.2 HTTP binding (src/config/http-binding-config.ts) */
  http: HttpBindingConfig;
  bootstrap: {
    /** the LwM2M Bootstrap Server: CoAP/UDP listener (and CoAPS when bootstrap.dtls.enabled) */
    enabled: boolean;
    /** UDP port of the plain CoAP bootstrap listener; 0 picks a free one */
    port: number;
    /** listen address, as coap.address */
    address: string;
    /** the CoAPS (DTLS PSK) bootstrap listener: bootstrap credentials from the store (security.file entries with bootstrap: true, REST) */
    dtls: { enabled: boolean; port: number; address: string };
    /** YAML file of bootstrap configs (default and per endpoint; relative to the config file), reloaded on change; null: none */
    file: string | null;
    /** URIs of this gateway's own LwM2M server: accounts with one of them have their credentials put into the security store */
    ownServerUris: string[];
    /** seconds one request to a client may take */
    requestTimeout: number;
    /** seconds a whole bootstrap session may take */
    sessionTimeout: number;
    /** bootstrap sessions at once (5.03 beyond) */
    maxSessions: number;
  };
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
  mqtt: {
    enabled: boolean;
    /** embedded: an in-process broker (aedes); external: connect to a broker */
    mode: 'embedded' | 'external';
    embedded: {
      /** MQTT over TCP; 0 picks a free port */
      port: number;
      /** null: every address (0.0.0.0) when logins are set or allowAnonymous, else loopback only */
      host: string | null;
      /** serve clients without a login on a non-loopback address */
      allowAnonymous: boolean;
      /** MQTT over WebSocket; null: off */
      wsPort: number | null;
      /** when set, clients may log in with these: every right but the gateway's output topics */
      username: string | null;
      password: string | null;
      /** logins with topic rights (patterns with +, #, %u, %c); when any, every client logs in */
      users: BrokerUserConfig[];
      /** largest MQTT packet a client may send, bytes; a larger one closes its connection */
      maxPacketSize: number;
      /** most client connections at once (TCP and WebSocket); null: no limit */
      maxConnections: number | null;
      /** MQTT over TLS (and WebSocket over TLS): on when cert and key are set; the login rules are the same */
      tls: {
        /** mqtts port; 0 picks a free one */
        port: number;
        /** MQTT over WebSocket over TLS (wss); null: off */
        wssPort: number | null;
        /** PEM files (relative to the config file): the broker's certificate (chain) and private key */
        cert: string | null;
        key: string | null;
        /** PEM file of the CAs a client certificate must chain to; set: every TLS client shows one */
        ca: string | null;
      };
    };
    external: {
      /** mqtt://host:port, mqtts://, ws://, wss:// */
      url: string;
      /** 4: MQTT 3.1.1, 5: MQTT 5 */
      protocolVersion: 4 | 5;
      clientId: string | null;
      username: string | null;
      password: string | null;
      /** PEM files for TLS (mqtts://) */
      tls: { ca: string | null; cert: string | null; key: string | null; rejectUnauthorized: boolean };
      /** seconds between reconnect attempts */
      reconnectPeriod: number;
      /** several gateway instances on one broker: their command subscriptions are shared ($share/<group>/...), so each command is handled by one of them; null: plain subscriptions */
      sharedGroup?: string | null;
    };
    /** messages held while the broker is unreachable; beyond it the oldest are dropped and counted */
    bufferSize: number;
    /** root of the generic topic API: {prefix}/{endpoint}/dn/#, up/resp, up/notify... */
    topicPrefix: string;
    /** retained online/offline state per device and for the gateway (last will) */
    presence: boolean;
  };
  rest: {
    enabled: boolean;
    /** HTTP port; 0 picks a free port */
    port: number;
    /** null: every address (0.0.0.0) when tokens are set or allowAnonymous, else loopback only */
    host: string | null;
    /** serve the API without tokens on a non-loopback address */
    allowAnonymous: boolean;
    /** bearer tokens; none: no authentication */
    tokens: { token: string; scope: 'read' | 'write' }[];
    /** allowed CORS origins ("*" for any); empty: no CORS headers */
    corsOrigins: string[];
    /** Prometheus /metrics on the REST port: read by the API's tokens, or by `token` alone */
    metrics?: { enabled: boolean; token: string | null };
    /** HTTPS: on when cert and key (PEM files, relative to the config file) are set */
    tls?: { cert: string | null; key: string | null };
  };
  /** the web console on the REST port (src/config/console-config.ts) */
  console?: ConsoleConfig;
  onem2m: {
    /** the oneM2M IPE face: the gateway registers as an AE on a CSE over the HTTP binding */
    enabled: boolean;
    cse: {
      /** an external CSE (http://host:port); null: the embedded CSE is started */
      url: string | null;
      /** CSE-ID without the slash */
      id: string;
      /** CSEBase resource name */
      name: string;
    };
    /** the IPE's AE-ID, its X-M2M-Origin */
    originator: string;
    /** the IPE AE's resource name */
    aeName: string;
    /** X-M2M-RVI of every request ("3" or later) */
    release: string;
    /** the URL the CSE sends notifications to; null: http://<notify.host>:<notify port> */
    poa: string | null;
    /** the IPE's notification listener */
    notify: { host: string; port: number };
    /** a device's AE: its AE-ID and resource name ({endpoint} is the endpoint name, made safe) */
    deviceAe: { id: string; name: string };
    /** on de-registration and expiry: label the device AE offline, or delete it */
    onDeregister: 'offline' | 'delete';
    /** requests held while the CSE is unreachable; beyond it the oldest are dropped and counted */
    bufferSize: number;
    /** seconds between retries when the CSE is unreachable: doubles from min to max */
    retry: { min: number; max: number };
    /** the embedded CSE (when cse.url is null): the originator allowed everything, and per AE (name or AE-ID) the originators allowed on it */
    embedded: { port: number; host: string; admin: string; allowed: Record<string, string[]> };
    /** the <accessControlPolicy> the IPE gives each device AE: application originators granted access (none: no ACP), and the operations they get */
    accessControl: { originators: string[]; operations: OneM2mAccessOperation[] };
  };
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
}

export const DEFAULT_CONFIG: GatewayConfig = {
  coap: { port: 5683, address: '::', blockSize: 1024, recvBufferSize: 4_194_304 },
  dtls: {
    enabled: false,
    port: 5684,
    address: '::',
    certificate: null,
    privateKey: null,
    trustedCertificates: null,
    cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
    connectionIdLength: 6,
    sessionCacheSize: 10_000,
    sessionLifetimeSec: 86_400,
  },
  http: DEFAULT_HTTP_BINDING,
  bootstrap: {
    enabled: false,
    port: 5685,
    address: '::',
    dtls: { enabled: false, port: 5686, address: '::' },
    file: null,
    ownServerUris: [],
    requestTimeout: 30,
    sessionTimeout: 180,
    maxSessions: 1000,
  },
  lwm2m: {
    lifetime: { min: 10, max: 31_536_000, default: 86_400 },
    requestTimeout: 30,
    queue: { ttl: 86_400, maxPerDevice: 100, awakeTime: 93 },
    limits: { maxLinks: 1000, maxPayload: 65_536, maxRegistrations: 250_000, registerRatePerAddress: 100 },
  },
  models: { dir: null },
  mappings: { dir: 'mappings', watch: true },
  mqtt: {
    enabled: true,
    mode: 'embedded',
    embedded: { port: 1883, host: null, allowAnonymous: false, wsPort: null, username: null, password: null, users: [], maxPacketSize: 262_144, maxConnections: 10_000, tls: { port: 8883, wssPort: null, cert: null, key: null, ca: null } },
    external: {
      url: 'mqtt://127.0.0.1:1883',
      protocolVersion: 4,
      clientId: null,
      username: null,
      password: null,
      tls: { ca: null, cert: null, key: null, rejectUnauthorized: true },
      reconnectPeriod: 2,
      sharedGroup: null,
    },
    bufferSize: 100_000,
    topicPrefix: 'lwm2m',
    presence: true,
  },
  rest: { enabled: true, port: 8080, host: null, allowAnonymous: false, tokens: [], corsOrigins: [], metrics: { enabled: true, token: null }, tls: { cert: null, key: null } },
  console: DEFAULT_CONSOLE_CONFIG,
  onem2m: {
    enabled: false,
    cse: { url: null, id: 'id-in', name: 'cse-in' },
    originator: 'CLwm2mIpe',
    aeName: 'lwm2m-ipe',
    release: '3',
    poa: null,
    notify: { host: '127.0.0.1', port: 8181 },
    deviceAe: { id: 'C{endpoint}', name: '{endpoint}' },
    onDeregister: 'offline',
    bufferSize: 10_000,
    retry: { min: 0.5, max: 30 },
    embedded: { port: 8282, host: '127.0.0.1', admin: 'CAdmin', allowed: {} },
    accessControl: { originators: [], operations: ['retrieve', 'create', 'discover'] },
  },
  log: { level: 'info', format: 'text' },
  store: { type: 'file' },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'lwm2m:' },
  data: { dir: 'data' },
  security: { file: null, requireForKnown: true, requireDtls: false },
  shutdown: { graceSeconds: 10 },
  firmware: DEFAULT_FIRMWARE_CONFIG,
  mqttBinding: DEFAULT_MQTT_BINDING_CONFIG,
};

const seconds = { type: 'number', minimum: 0 } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const nullableString = { type: ['string', 'null'] } as const;

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
    dtls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        port,
        address: { type: 'string', minLength: 1 },
        certificate: nullableString,
        privateKey: nullableString,
        trustedCertificates: nullableString,
        cipherSuites: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { enum: ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'] },
        },
        connectionIdLength: { enum: [0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] },
        sessionCacheSize: { type: 'integer', minimum: 0, maximum: 10_000_000 },
        sessionLifetimeSec: { type: 'integer', minimum: 1, maximum: 31_536_000 },
      },
    },
    http: HTTP_BINDING_SCHEMA,
    bootstrap: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        port,
        address: { type: 'string', minLength: 1 },
        dtls: {
          type: 'object',
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, port, address: { type: 'string', minLength: 1 } },
        },
        file: nullableString,
        ownServerUris: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 255 } },
        requestTimeout: { type: 'number', minimum: 1, maximum: 600 },
        sessionTimeout: { type: 'number', minimum: 1, maximum: 3600 },
        maxSessions: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
    },
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
    mqtt: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        mode: { enum: ['embedded', 'external'] },
        embedded: {
          type: 'object',
          additionalProperties: false,
          properties: {
            port,
            host: { type: ['string', 'null'], minLength: 1 },
            allowAnonymous: { type: 'boolean' },
            wsPort: { anyOf: [port, { type: 'null' }] },
            username: nullableString,
            password: nullableString,
            users: {
              type: 'array',
              maxItems: 10_000,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['username'],
                properties: {
                  username: { type: 'string', minLength: 1 },
                  password: nullableString,
                  passwordHash: nullableString,
                  publish: { type: 'array', items: { type: 'string', minLength: 1 } },
                  subscribe: { type: 'array', items: { type: 'string', minLength: 1 } },
                },
              },
            },
            maxPacketSize: { type: 'integer', minimum: 64, maximum: 268_435_455 },
            maxConnections: { anyOf: [positiveInt, { type: 'null' }] },
            tls: {
              type: 'object',
              additionalProperties: false,
              properties: { port, wssPort: { anyOf: [port, { type: 'null' }] }, cert: nullableString, key: nullableString, ca: nullableString },
            },
          },
        },
        external: {
          type: 'object',
          additionalProperties: false,
          properties: {
            url: { type: 'string', pattern: '^(mqtts?|wss?|tcp|ssl)://' },
            protocolVersion: { enum: [4, 5] },
            clientId: nullableString,
            username: nullableString,
            password: nullableString,
            tls: {
              type: 'object',
              additionalProperties: false,
              properties: { ca: nullableString, cert: nullableString, key: nullableString, rejectUnauthorized: { type: 'boolean' } },
            },
            reconnectPeriod: { type: 'number', exclusiveMinimum: 0 },
            sharedGroup: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          },
        },
        bufferSize: { type: 'integer', minimum: 0 },
        topicPrefix: { type: 'string', minLength: 1, pattern: '^[^#+]*[^#+/]$' },
        presence: { type: 'boolean' },
      },
    },
    rest: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        port,
        host: { type: ['string', 'null'], minLength: 1 },
        allowAnonymous: { type: 'boolean' },
        tokens: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['token', 'scope'],
            properties: { token: { type: 'string', minLength: 16 }, scope: { enum: ['read', 'write'] } },
          },
        },
        corsOrigins: { type: 'array', items: { type: 'string', minLength: 1 } },
        metrics: {
          type: 'object',
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, token: { type: ['string', 'null'], minLength: 16 } },
        },
        tls: { type: 'object', additionalProperties: false, properties: { cert: nullableString, key: nullableString } },
      },
    },
    onem2m: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        cse: {
          type: 'object',
          additionalProperties: false,
          properties: {
            url: { type: ['string', 'null'], pattern: '^https?://' },
            id: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
            name: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
          },
        },
        originator: { type: 'string', pattern: '^[CS][A-Za-z0-9._~-]{1,63}$' },
        aeName: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
        release: { enum: ['3', '4', '5'] },
        poa: { type: ['string', 'null'], pattern: '^https?://' },
        notify: {
          type: 'object',
          additionalProperties: false,
          properties: { host: { type: 'string', minLength: 1 }, port },
        },
        deviceAe: {
          type: 'object',
          additionalProperties: false,
          properties: { id: { type: 'string', pattern: '^[CS].*\\{endpoint\\}' }, name: { type: 'string', pattern: '\\{endpoint\\}' } },
        },
        onDeregister: { enum: ['offline', 'delete'] },
        bufferSize: { type: 'integer', minimum: 1 },
        retry: {
          type: 'object',
          additionalProperties: false,
          properties: { min: { type: 'number', exclusiveMinimum: 0 }, max: { type: 'number', exclusiveMinimum: 0 } },
        },
        embedded: {
          type: 'object',
          additionalProperties: false,
          properties: {
            port,
            host: { type: 'string', minLength: 1 },
            admin: { type: 'string', pattern: '^[CS][A-Za-z0-9._~-]{1,63}$' },
            allowed: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } } },
          },
        },
        accessControl: {
          type: 'object',
          additionalProperties: false,
          properties: {
            originators: { type: 'array', maxItems: 64, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._~/-]{1,128}$' } },
            operations: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['create', 'retrieve', 'update', 'delete', 'notify', 'discover'] } },
          },
        },
      },
    },
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
  },
} as const;
