/**
 * The certificate messages of an ECDHE_ECDSA handshake (RFC 5246 7.4.2, 7.4.4, 7.4.8;
 * RFC 7250 3): Certificate as an X.509 list or a raw SubjectPublicKeyInfo, the
 * CertificateRequest (ecdsa_sign with ecdsa_secp256r1_sha256, no CA names) and the client's
 * CertificateVerify. Every vector read is bounded.
 */
import { MAX_CERTIFICATE_BYTES, MAX_CHAIN } from './certificate-chain.js';
import { Reader } from './handshake-message.js';
import { ECDSA_SECP256R1_SHA256 } from './suite-negotiation.js';

/** the longest DER SubjectPublicKeyInfo taken as a raw public key (a P-256 one has 91 bytes) */
export const MAX_RAW_PUBLIC_KEY = 512;
/** an ECDSA P-256 signature in DER is at most 72 bytes */
export const MAX_ECDSA_SIGNATURE = 80;
const ECDSA_SIGN = 64;

function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
}

function vec24(r: Reader, max: number): Buffer | undefined {
  const len = r.bytes(3);
  if (!len) return undefined;
  const n = len.readUIntBE(0, 3);
  return n > max ? undefined : r.bytes(n);
}

/** An X.509 Certificate body: the DER certificates, leaf first. */
export function x509CertificateBody(ders: readonly Buffer[]): Buffer {
  const list = ders.flatMap((d) => [u24(d.length), d]);
  const total = list.reduce((n, b) => n + b.length, 0);
  return Buffer.concat([u24(total), ...list]);
}

/** A raw public key Certificate body (RFC 7250): the DER SubjectPublicKeyInfo alone. */
export function rawPublicKeyCertificateBody(spki: Buffer): Buffer {
  return Buffer.concat([u24(spki.length), spki]);
}

/** The DER certificates of an X.509 Certificate body (possibly none); undefined when malformed or beyond the bounds. */
export function parseX509Certificate(body: Buffer): Buffer[] | undefined {
  const r = new Reader(body);
  const list = vec24(r, MAX_CHAIN * (3 + MAX_CERTIFICATE_BYTES));
  if (!list || r.rest !== 0) return undefined;
  const certs: Buffer[] = [];
  const l = new Reader(list);
  while (l.rest > 0) {
    const der = vec24(l, MAX_CERTIFICATE_BYTES);
    if (!der || der.length === 0 || certs.length >= MAX_CHAIN) return undefined;
    certs.push(der);
  }
  return certs;
}

/** The SubjectPublicKeyInfo of a raw public key Certificate body (empty when the client has none); undefined when malformed. */
export function parseRawPublicKeyCertificate(body: Buffer): Buffer | undefined {
  const r = new Reader(body);
  const spki = vec24(r, MAX_RAW_PUBLIC_KEY);
  return spki && r.rest === 0 ? spki : undefined;
}

/** CertificateRequest: certificate_types [ecdsa_sign], signature algorithms [ecdsa_secp256r1_sha256], no CA names. */
export function certificateRequestBody(): Buffer {
  return Buffer.from([1, ECDSA_SIGN, 0, 2, ECDSA_SECP256R1_SHA256 >> 8, ECDSA_SECP256R1_SHA256 & 0xff, 0, 0]);
}

/** A digitally-signed struct: signature algorithm and the DER signature. */
export function signedBody(signature: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(ECDSA_SECP256R1_SHA256, 0);
  head.writeUInt16BE(signature.length, 2);
  return Buffer.concat([head, signature]);
}

/** The signature of a CertificateVerify with ecdsa_secp256r1_sha256; undefined for another algorithm or when malformed. */
export function parseCertificateVerify(body: Buffer): Buffer | undefined {
  const r = new Reader(body);
  const alg = r.u16();
  const sig = r.vec16(MAX_ECDSA_SIGNATURE);
  return alg === ECDSA_SECP256R1_SHA256 && sig && sig.length > 0 && r.rest === 0 ? sig : undefined;
}
