/**
 * Who an HTTP request comes from, as the core's `Peer`:
 *
 * - a TLS client certificate that chains to `http.tls.ca`: identity = its subject CN,
 *   mode `x509` (the core then requires the endpoint's `{ mode: x509 }` entry and CN = endpoint,
 *   as for DTLS certificates);
 * - HTTP Basic credentials (RFC 7617) carrying a PSK of the security store: user-id = the
 *   PSK identity, password = the key in hex; identity = the PSK identity, mode `psk` (the
 *   core checks the identity is the endpoint's, as for DTLS PSK);
 * - nothing: anonymous, only when `http.allowAnonymous`.
 *
 * The peer's key is stable across the TCP connections of one client, so that the core does
 * not see a new address on every request: `http:<mode>:<identity>` when authenticated,
 * `http:<address>` otherwise. Its port is 0: the gateway never connects to an HTTP client.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Peer } from '../../lwm2m/transport.js';

/** What the binding checks credentials against (the store's PSKs). */
export interface PskSource {
  pskFor(identity: Buffer): Buffer | undefined;
}

export interface AuthOptions {
  allowAnonymous: boolean;
  pskAuth: boolean;
  psk: PskSource | undefined;
}

export type AuthOutcome = { ok: true; peer: Peer } | { ok: false; reason: string };

/** the longest Authorization header looked at (identity 128 bytes, key 64 bytes in hex, base64) */
const MAX_AUTHORIZATION_CHARS = 512;
const MAX_IDENTITY_BYTES = 128;
const MAX_KEY_BYTES = 64;
const MAX_CN_CHARS = 255;

function isTls(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

/** The verified client certificate's CN, or undefined (none, not trusted, no CN). */
function certificateIdentity(req: IncomingMessage): string | undefined {
  if (!isTls(req)) return undefined;
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  const name = Array.isArray(cn) ? undefined : cn;
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CN_CHARS || /[\u0000-\u001f\u007f]/.test(name)) return undefined;
  return name;
}

/** true when the client sent a certificate the CA list does not vouch for */
function untrustedCertificate(req: IncomingMessage): boolean {
  if (!isTls(req)) return false;
  const socket = req.socket as TLSSocket;
  if (socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return cert !== undefined && cert !== null && Object.keys(cert).length > 0;
}

function basicCredentials(header: string): { identity: string; key: Buffer } | undefined {
  if (header.length > MAX_AUTHORIZATION_CHARS) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const b64 = header.slice(space + 1).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const identity = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (Buffer.byteLength(identity, 'utf8') > MAX_IDENTITY_BYTES) return undefined;
  if (hex.length === 0 || hex.length % 2 !== 0 || hex.length > MAX_KEY_BYTES * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return { identity, key: Buffer.from(hex, 'hex') };
}

function pskMatches(psk: PskSource, identity: string, key: Buffer): boolean {
  const stored = psk.pskFor(Buffer.from(identity, 'utf8'));
  // compare in constant time; a missing entry costs a comparison too
  const expected = stored ?? Buffer.alloc(key.length);
  const same = expected.length === key.length && timingSafeEqual(expected, key);
  return stored !== undefined && same;
}

function remoteAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The peer of a request, or why it is refused (answered 401). */
export function authenticate(req: IncomingMessage, opts: AuthOptions): AuthOutcome {
  const address = remoteAddress(req);
  const cn = certificateIdentity(req);
  if (cn !== undefined) return { ok: true, peer: { transport: 'http', key: `http:x509:${cn}`, address, port: 0, identity: cn, identityMode: 'x509' } };
  if (untrustedCertificate(req)) return { ok: false, reason: 'client certificate not trusted' };
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    if (!opts.pskAuth || !opts.psk) return { ok: false, reason: 'credentials in Authorization are not accepted (http.pskAuth)' };
    const creds = basicCredentials(authorization);
    if (!creds) return { ok: false, reason: 'malformed Authorization' };
    if (!pskMatches(opts.psk, creds.identity, creds.key)) return { ok: false, reason: 'unknown PSK identity or wrong key' };
    return { ok: true, peer: { transport: 'http', key: `http:psk:${creds.identity}`, address, port: 0, identity: creds.identity, identityMode: 'psk' } };
  }
  if (!opts.allowAnonymous) return { ok: false, reason: 'no credentials (http.allowAnonymous is off)' };
  return { ok: true, peer: { transport: 'http', key: `http:${address}`, address, port: 0 } };
}
