/** The MQTT face's config section (`mqtt`): the embedded broker or an external one, the topic API. */
import { positiveInt, port, nullableString } from './schema-parts.js';

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

export interface MqttConfig {
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
}

export const DEFAULT_MQTT_CONFIG: MqttConfig = {
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
};

export const MQTT_CONFIG_SCHEMA = {
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
} as const;
