/**
 * The `mqttBinding` section: the southbound LwM2M 1.2 MQTT transport binding
 * (src/transport/mqtt). On by default; with `broker.url` null it uses the embedded broker
 * of the MQTT face (and is off when that broker is not running), otherwise the broker at
 * the URL (TLS and credentials as for any MQTT client).
 */

export interface MqttBindingConfig {
  enabled: boolean;
  /** topic prefix before `lwm2m/rd/<endpoint>` (a tenant or server id); '' for none */
  prefix: string;
  broker: {
    /** mqtt://, mqtts://, ws://, wss://; null: the MQTT face's embedded broker */
    url: string | null;
    clientId: string | null;
    username: string | null;
    password: string | null;
    /** PEM files (relative to the working directory) for mqtts:// and wss:// */
    tls: { ca: string | null; cert: string | null; key: string | null; rejectUnauthorized: boolean };
  };
  /** the largest CBOR map accepted from a client, bytes; larger ones are dropped */
  maxPayloadBytes: number;
  /** requests to clients awaiting their answer, all clients together */
  maxPending: number;
}

export const DEFAULT_MQTT_BINDING_CONFIG: MqttBindingConfig = {
  enabled: true,
  prefix: '',
  broker: { url: null, clientId: null, username: null, password: null, tls: { ca: null, cert: null, key: null, rejectUnauthorized: true } },
  maxPayloadBytes: 65_536,
  maxPending: 10_000,
};

const nullableString = { type: ['string', 'null'] } as const;

export const MQTT_BINDING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    // one or more topic levels without wildcards, no leading or trailing "/"
    prefix: { type: 'string', maxLength: 200, pattern: '^([^/+#\\u0000]+(/[^/+#\\u0000]+)*)?$' },
    broker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: ['string', 'null'], pattern: '^(mqtts?|wss?|tcp|ssl|tls)://', maxLength: 2048 },
        clientId: { type: ['string', 'null'], maxLength: 128 },
        username: nullableString,
        password: nullableString,
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { ca: nullableString, cert: nullableString, key: nullableString, rejectUnauthorized: { type: 'boolean' } },
        },
      },
    },
    maxPayloadBytes: { type: 'integer', minimum: 64, maximum: 16_777_216 },
    maxPending: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;
