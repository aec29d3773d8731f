/** The gateway config: its JSON Schema, TypeScript shape and defaults. */

export interface GatewayConfig {
  coap: {
    /** UDP port for LwM2M over CoAP; 0 picks a free one */
    port: number;
    /** listen address: "::" (IPv4 and IPv6), "0.0.0.0" (IPv4 only), or one address */
    address: string;
    /** block size for block-wise transfers: 16..1024 */
    blockSize: number;
  };
  lwm2m: {
    lifetime: { min: number; max: number; default: number };
    /** seconds a device request may take before it fails with a timeout */
    requestTimeout: number;
    queue: { ttl: number; maxPerDevice: number; awakeTime: number };
  };
  models: {
    /** a folder of DDF (.xml) object definitions that extend or override the built-in objects */
    dir: string | null;
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

export const DEFAULT_CONFIG: GatewayConfig = {
  coap: { port: 5683, address: '::', blockSize: 1024 },
  lwm2m: {
    lifetime: { min: 10, max: 31_536_000, default: 86_400 },
    requestTimeout: 30,
    queue: { ttl: 86_400, maxPerDevice: 100, awakeTime: 93 },
  },
  models: { dir: null },
  log: { level: 'info' },
};

const seconds = { type: 'number', minimum: 0 } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;

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
      },
    },
    models: {
      type: 'object',
      additionalProperties: false,
      properties: { dir: { type: ['string', 'null'] } },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['debug', 'info', 'warn', 'error', 'silent'] } },
    },
  },
} as const;
