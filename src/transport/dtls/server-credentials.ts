/**
 * The server's own identity for the ECDHE_ECDSA suites, read from PEM files named in the
 * config: its EC P-256 private key (`dtls.privateKey`, required for those suites), its
 * certificate or chain (`dtls.certificate`, leaf first; without it only raw public keys,
 * RFC 7250) and the CAs a client certificate must chain to (`dtls.trustedCertificates`).
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MAX_CHAIN } from './certificate-chain.js';

export interface ServerCredentials {
  privateKey: KeyObject;
  /** the DER SubjectPublicKeyInfo of the key: what the server sends as its raw public key */
  publicKey: Buffer;
  /** DER certificates, leaf first; empty when the server has a raw public key only */
  chain: Buffer[];
  /** the CAs a client's chain must end at; empty: no X.509 client is accepted */
  trusted: X509Certificate[];
}

/** A credentials file that cannot be used, with the config key that names it. */
export class CredentialsError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** the most certificates a trusted-CA file may hold */
const MAX_TRUSTED = 1000;
const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** Every CERTIFICATE block of a PEM text, in order (at most `max`). */
export function pemCertificates(text: string, max: number): X509Certificate[] {
  const out: X509Certificate[] = [];
  let at = text.indexOf(BEGIN);
  while (at >= 0) {
    const end = text.indexOf(END, at);
    if (end < 0) throw new Error('a certificate without its END line');
    if (out.length >= max) throw new Error(`more than ${max} certificates`);
    out.push(new X509Certificate(text.slice(at, end + END.length)));
    at = text.indexOf(BEGIN, end);
  }
  return out;
}

function read(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CredentialsError(key, `${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function certificates(path: string, key: string, max: number): X509Certificate[] {
  try {
    const certs = pemCertificates(read(path, key), max);
    if (certs.length === 0) throw new Error('no CERTIFICATE in it');
    return certs;
  } catch (e) {
    if (e instanceof CredentialsError) throw e;
    throw new CredentialsError(key, `${key}: ${path}: ${(e as Error).message}`);
  }
}

export interface CredentialFiles {
  certificate: string | null;
  privateKey: string | null;
  trustedCertificates: string | null;
}

/** The credentials the files name; undefined without a private key (no ECDHE suite then). Throws CredentialsError. */
export function loadServerCredentials(files: CredentialFiles): ServerCredentials | undefined {
  if (!files.privateKey) {
    if (files.certificate) throw new CredentialsError('dtls.privateKey', 'dtls.privateKey: needed with dtls.certificate (the key of that certificate)');
    if (files.trustedCertificates) throw new CredentialsError('dtls.privateKey', 'dtls.privateKey: needed for client certificates (dtls.trustedCertificates)');
    return undefined;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(read(files.privateKey, 'dtls.privateKey'));
  } catch (e) {
    if (e instanceof CredentialsError) throw e;
    throw new CredentialsError('dtls.privateKey', `dtls.privateKey: ${files.privateKey}: not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new CredentialsError('dtls.privateKey', `dtls.privateKey: ${files.privateKey}: not an EC P-256 (prime256v1) key`);
  }
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const chain = files.certificate ? certificates(files.certificate, 'dtls.certificate', MAX_CHAIN) : [];
  if (chain[0] && !chain[0].checkPrivateKey(privateKey)) {
    throw new CredentialsError('dtls.certificate', `dtls.certificate: ${files.certificate}: its first certificate is not that of dtls.privateKey`);
  }
  const trusted = files.trustedCertificates ? certificates(files.trustedCertificates, 'dtls.trustedCertificates', MAX_TRUSTED) : [];
  return { privateKey, publicKey, chain: chain.map((c) => c.raw), trusted };
}
