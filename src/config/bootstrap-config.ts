/** The Bootstrap Server's config section (`bootstrap`). */
import { port, nullableString } from './schema-parts.js';

export interface BootstrapConfig {
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
}

export const DEFAULT_BOOTSTRAP_CONFIG: BootstrapConfig = {
  enabled: false,
  port: 5685,
  address: '::',
  dtls: { enabled: false, port: 5686, address: '::' },
  file: null,
  ownServerUris: [],
  requestTimeout: 30,
  sessionTimeout: 180,
  maxSessions: 1000,
};

export const BOOTSTRAP_CONFIG_SCHEMA = {
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
} as const;
