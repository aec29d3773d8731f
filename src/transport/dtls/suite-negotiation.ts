/**
 * Which suite a ClientHello gets, in the server's order of preference: a PSK suite when the
 * client offers it, an ECDHE_ECDSA suite (secp256r1, uncompressed points,
 * ecdsa_secp256r1_sha256) only with a server key and when both certificate types agree
 * (RFC 7250: raw public keys; X.509 otherwise), with the ServerHello extensions that say so.
 */
import type { ClientHello } from './handshake-message.js';
import { Reader } from './handshake-message.js';
import {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  TLS_PSK_WITH_AES_128_CBC_SHA256,
  TLS_PSK_WITH_AES_128_CCM_8,
} from './record-cipher.js';
import type { ServerCredentials } from './server-credentials.js';

/** suite names as the config writes them (`dtls.cipherSuites`) */
export const SUITE_NAMES: Readonly<Record<string, number>> = {
  TLS_PSK_WITH_AES_128_CCM_8,
  TLS_PSK_WITH_AES_128_CBC_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
};

/** the default order: PSK first (a PSK client offering ECDHE suites too has no certificate) */
export const DEFAULT_SUITES: readonly number[] = [
  TLS_PSK_WITH_AES_128_CCM_8,
  TLS_PSK_WITH_AES_128_CBC_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
];

export const CertificateType = { x509: 0, rawPublicKey: 2 } as const;
const EXT_SUPPORTED_GROUPS = 10;
const EXT_EC_POINT_FORMATS = 11;
const EXT_SIGNATURE_ALGORITHMS = 13;
const EXT_CLIENT_CERTIFICATE_TYPE = 19;
const EXT_SERVER_CERTIFICATE_TYPE = 20;
export const SECP256R1 = 23;
export const ECDSA_SECP256R1_SHA256 = 0x0403;

export interface Negotiation {
  suite: number;
  /** the certificate types of an ECDHE_ECDSA suite */
  certificates?: { client: number; server: number };
  /** extensions the ServerHello carries for this choice */
  serverHelloExtensions: Buffer[];
}

export function isEcdheSuite(suite: number): boolean {
  return suite === TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 || suite === TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256;
}

/** The first suite of `suites` the hello allows; undefined when none, no null compression or no DTLS 1.2. */
export function negotiate(ch: ClientHello, server: ServerCredentials | undefined, suites: readonly number[] = DEFAULT_SUITES): Negotiation | undefined {
  // DTLS versions count down: 0xfeff is 1.0, 0xfefd is 1.2
  if (!ch.compressions.includes(0) || ch.version > 0xfefd) return undefined;
  for (const suite of suites) {
    if (!ch.cipherSuites.includes(suite)) continue;
    if (!isEcdheSuite(suite)) return { suite, serverHelloExtensions: [] };
    const terms = server ? ecdheTerms(ch, server) : undefined;
    if (terms) return { suite, ...terms };
  }
  return undefined;
}

function ecdheTerms(ch: ClientHello, server: ServerCredentials): Omit<Negotiation, 'suite'> | undefined {
  const ext = ch.extensionData;
  // an extension left out allows any value (RFC 8422 5.1); one sent must name ours
  if (!listAllows(ext.get(EXT_SUPPORTED_GROUPS), 2, SECP256R1)) return undefined;
  if (!listAllows(ext.get(EXT_EC_POINT_FORMATS), 1, 0)) return undefined;
  if (!listAllows(ext.get(EXT_SIGNATURE_ALGORITHMS), 2, ECDSA_SECP256R1_SHA256)) return undefined;
  // the client's own certificate: the first type it lists that we can check
  const weCheck: number[] = [CertificateType.rawPublicKey, ...(server.trusted.length > 0 ? [CertificateType.x509] : [])];
  const clientType = offeredTypes(ext.get(EXT_CLIENT_CERTIFICATE_TYPE)).find((t) => weCheck.includes(t));
  // ours: X.509 when we have a chain; a client with a raw public key of its own gets ours when it takes one
  const weHave: number[] = [...(server.chain.length > 0 ? [CertificateType.x509] : []), CertificateType.rawPublicKey];
  const ours = clientType === CertificateType.rawPublicKey ? [CertificateType.rawPublicKey, ...weHave] : weHave;
  const serverOffered = offeredTypes(ext.get(EXT_SERVER_CERTIFICATE_TYPE));
  const serverType = ours.find((t) => serverOffered.includes(t));
  if (clientType === undefined || serverType === undefined) return undefined;
  const more: Buffer[] = [];
  if (ext.has(EXT_EC_POINT_FORMATS)) more.push(Buffer.from([0, EXT_EC_POINT_FORMATS, 0, 2, 1, 0]));
  if (ext.has(EXT_CLIENT_CERTIFICATE_TYPE)) more.push(Buffer.from([0, EXT_CLIENT_CERTIFICATE_TYPE, 0, 1, clientType]));
  if (ext.has(EXT_SERVER_CERTIFICATE_TYPE)) more.push(Buffer.from([0, EXT_SERVER_CERTIFICATE_TYPE, 0, 1, serverType]));
  return { certificates: { client: clientType, server: serverType }, serverHelloExtensions: more };
}

/** the values of an extension's list (one- or two-byte values behind a one- or two-byte length) */
function items(data: Buffer, width: 1 | 2): number[] | undefined {
  const r = new Reader(data);
  const list = width === 1 ? r.vec8(255) : r.vec16(512);
  if (!list || r.rest !== 0 || list.length % width !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += width) out.push(width === 1 ? list[i]! : list.readUInt16BE(i));
  return out;
}

function listAllows(data: Buffer | undefined, width: 1 | 2, value: number): boolean {
  return data === undefined || (items(data, width)?.includes(value) ?? false);
}

/** RFC 7250 4.1: the certificate types a client lists, in its order; X.509 alone when the extension is left out */
function offeredTypes(data: Buffer | undefined): number[] {
  return data === undefined ? [CertificateType.x509] : (items(data, 1) ?? []);
}
