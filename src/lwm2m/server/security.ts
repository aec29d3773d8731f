/**
 * Credentials per endpoint: a PSK (identity and key), a raw public key, or an X.509
 * certificate whose subject CN is the endpoint. Kept by the store beside the
 * registrations (`ServerStore.security`), so that a persistent store keeps both.
 *
 * Keys are Buffers and never leave the gateway: not in a log line, not in a response.
 */
import { endpointNameProblem } from './endpoint-name.js';

/** the longest PSK identity and key, in bytes (LwM2M 1.1 transport, DTLS PSK) */
export const MAX_PSK_IDENTITY_BYTES = 128;
export const MAX_PSK_KEY_BYTES = 64;
/** the longest raw public key (DER SubjectPublicKeyInfo; a P-256 key takes 91 bytes) */
export const MAX_PUBLIC_KEY_BYTES = 512;

export type SecurityInfo =
  | { readonly endpoint: string; readonly mode: 'psk'; readonly identity: string; readonly key: Buffer }
  | { readonly endpoint: string; readonly mode: 'rpk'; readonly publicKey: Buffer }
  | { readonly endpoint: string; readonly mode: 'x509' };

export type SecurityMode = SecurityInfo['mode'];
export const SECURITY_MODES: readonly SecurityMode[] = ['psk', 'rpk', 'x509'];

/** When a client must have authenticated (config `security.*`). */
export interface SecurityPolicy {
  /** an endpoint with credentials may not register or update without them (default true) */
  readonly requireForKnown: boolean;
  /** no client may register or update without an authenticated identity (default false) */
  readonly requireDtls: boolean;
}

export const DEFAULT_SECURITY_POLICY: SecurityPolicy = Object.freeze({ requireForKnown: true, requireDtls: false });

/**
 * Why a client speaking with `identity` (undefined: not authenticated) may not act as
 * `endpoint`, or undefined when it may: an authenticated identity must belong to this
 * endpoint in the store, and when its `mode` is given the endpoint's credentials must be
 * of that mode (a raw public key: the one stored; a certificate: its CN is the endpoint,
 * whose entry is `{ mode: 'x509' }`); without an identity, the policy decides.
 */
export function credentialsProblem(store: SecurityStore, policy: SecurityPolicy, endpoint: string, identity: string | undefined, mode?: SecurityMode): string | undefined {
  if (identity !== undefined && mode !== undefined) {
    const info = store.get(endpoint);
    if (info?.mode !== mode) return `authenticated by ${mode}, the endpoint has ${info ? info.mode : 'no'} credentials`;
    return authenticatedIdentity(info) === identity ? undefined : 'authenticated identity of another endpoint';
  }
  if (identity !== undefined) return store.endpointOf(identity) === endpoint ? undefined : 'authenticated identity of another endpoint';
  if (policy.requireDtls) return 'not authenticated (security.requireDtls)';
  if (policy.requireForKnown && store.get(endpoint)) return 'not authenticated, the endpoint has credentials';
  return undefined;
}

/** The answer of `SecurityStore.put`: the entry it replaced, or why nothing was stored. */
export type SecurityPut = { readonly ok: true; readonly previous: SecurityInfo | undefined } | { readonly ok: false; readonly reason: string };

/** Credentials by endpoint, and the lookups the DTLS layer and the core need. Synchronous, like ServerStore. */
export interface SecurityStore {
  /**
   * Stores `info` in place of the endpoint's entry. Refused (nothing stored) when
   * `securityInfoProblem` finds one, or when its identity is another endpoint's.
   */
  put(info: SecurityInfo): SecurityPut;
  get(endpoint: string): SecurityInfo | undefined;
  /** Removes the endpoint's entry; returns it. */
  remove(endpoint: string): SecurityInfo | undefined;
  /** every entry (no order promised) */
  all(): SecurityInfo[];
  readonly size: number;
  /** For the DTLS handshake: the key of the PSK identity as the client sent it (bytes), if any. */
  pskFor(identity: Buffer): Buffer | undefined;
  /** The endpoint an authenticated identity (`Peer.identity`) belongs to, if any. */
  endpointOf(identity: string): string | undefined;
}

/**
 * The identity a DTLS session of this entry authenticates as (`Peer.identity`): the PSK
 * identity, the hex of the raw public key, or the certificate's CN (the endpoint).
 */
export function authenticatedIdentity(info: SecurityInfo): string {
  switch (info.mode) {
    case 'psk':
      return info.identity;
    case 'rpk':
      return info.publicKey.toString('hex');
    case 'x509':
      return info.endpoint;
  }
}

/** Why `info` cannot be stored, or undefined. Bounds every length; never quotes a key. */
export function securityInfoProblem(info: SecurityInfo): string | undefined {
  const ep = endpointNameProblem(info.endpoint);
  if (ep) return ep;
  switch (info.mode) {
    case 'psk': {
      const n = Buffer.byteLength(info.identity, 'utf8');
      if (n === 0 || n > MAX_PSK_IDENTITY_BYTES) return `PSK identity of ${n} bytes (1 to ${MAX_PSK_IDENTITY_BYTES})`;
      // the same characters as an endpoint name: no control characters, valid Unicode
      if (endpointNameProblem(info.identity)) return 'PSK identity with a control character or invalid Unicode';
      if (info.key.length === 0 || info.key.length > MAX_PSK_KEY_BYTES) return `PSK key of ${info.key.length} bytes (1 to ${MAX_PSK_KEY_BYTES})`;
      return undefined;
    }
    case 'rpk':
      if (info.publicKey.length === 0 || info.publicKey.length > MAX_PUBLIC_KEY_BYTES) {
        return `public key of ${info.publicKey.length} bytes (1 to ${MAX_PUBLIC_KEY_BYTES})`;
      }
      return undefined;
    case 'x509':
      return undefined;
    default:
      return 'unknown security mode';
  }
}

/** hex text -> bytes, or undefined when it is not an even number of hex digits (no backtracking) */
export function parseHex(text: string, maxBytes: number): Buffer | undefined {
  if (text.length === 0 || text.length % 2 !== 0 || text.length > maxBytes * 2) return undefined;
  if (!/^[0-9a-fA-F]+$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}
