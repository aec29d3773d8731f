/**
 * The `http` section: the southbound LwM2M 1.2 HTTP binding (src/transport/http/), on a
 * port of its own, separate from the northbound REST port. Off by default; when on, it
 * serves HTTPS only (a plain HTTP port needs `allowPlaintext`), and every client must
 * authenticate (a client certificate, or its PSK as HTTP Basic credentials) unless
 * `allowAnonymous` says otherwise.
 */

export interface HttpBindingConfig {
  /** the LwM2M HTTP binding */
  enabled: boolean;
  /** TCP port; 0 picks a free one (default 5687, beside the CoAP ports) */
  port: number;
  /** listen address, as coap.address */
  address: string;
  /** PEM files: the server's certificate and key; `ca`: the CAs a client certificate must chain to (null: no client certificates) */
  tls: { cert: string | null; key: string | null; ca: string | null };
  /** serve plain HTTP when no tls.cert is set (credentials travel in clear): for tests and trusted links only */
  allowPlaintext: boolean;
  /** accept clients that present no credentials at all (the core's security.* rules still apply) */
  allowAnonymous: boolean;
  /** accept a PSK of the security store as HTTP Basic credentials (user: PSK identity, password: key in hex) */
  pskAuth: boolean;
  /** the largest request body, bytes: larger ones get 413 */
  maxBodyBytes: number;
  /** the longest wait of a long poll (GET /dm?wait=), seconds */
  maxPollSeconds: number;
  /** long polls one client may hold open at once; one more ends the oldest with 204 */
  maxPollsPerClient: number;
  /** downlink requests held for one client until it fetches them; one more fails at once */
  maxHeldPerClient: number;
  /** simultaneous TCP connections */
  maxConnections: number;
  /** the Bootstrap Server over HTTP (POST /bs), on a port of its own, with the TLS and limits above; needs bootstrap.enabled */
  bootstrap: { enabled: boolean; port: number; address: string };
}

export const DEFAULT_HTTP_BINDING: HttpBindingConfig = {
  enabled: false,
  port: 5687,
  address: '::',
  tls: { cert: null, key: null, ca: null },
  allowPlaintext: false,
  allowAnonymous: false,
  pskAuth: true,
  maxBodyBytes: 65_536,
  maxPollSeconds: 60,
  maxPollsPerClient: 2,
  maxHeldPerClient: 16,
  maxConnections: 10_000,
  bootstrap: { enabled: false, port: 5688, address: '::' },
};

const nullableString = { type: ['string', 'null'] } as const;

export const HTTP_BINDING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    address: { type: 'string', minLength: 1 },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { cert: nullableString, key: nullableString, ca: nullableString },
    },
    allowPlaintext: { type: 'boolean' },
    allowAnonymous: { type: 'boolean' },
    pskAuth: { type: 'boolean' },
    maxBodyBytes: { type: 'integer', minimum: 256, maximum: 16_777_216 },
    maxPollSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    maxPollsPerClient: { type: 'integer', minimum: 1, maximum: 64 },
    maxHeldPerClient: { type: 'integer', minimum: 1, maximum: 1024 },
    maxConnections: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    bootstrap: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, port: { type: 'integer', minimum: 0, maximum: 65535 }, address: { type: 'string', minLength: 1 } },
    },
  },
} as const;
