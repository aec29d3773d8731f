/** The CoAP-over-DTLS binding's config section (`dtls`). */
import { port, nullableString } from './schema-parts.js';

export interface DtlsConfig {
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
}

export const DEFAULT_DTLS_CONFIG: DtlsConfig = {
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
};

export const DTLS_CONFIG_SCHEMA = {
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
} as const;
