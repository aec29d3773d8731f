/** The REST face's config section (`rest`): listener, tokens, CORS, metrics, TLS. */
import { port, nullableString } from './schema-parts.js';

export interface RestConfig {
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
}

export const DEFAULT_REST_CONFIG: RestConfig = { enabled: true, port: 8080, host: null, allowAnonymous: false, tokens: [], corsOrigins: [], metrics: { enabled: true, token: null }, tls: { cert: null, key: null } };

export const REST_CONFIG_SCHEMA = {
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
} as const;
