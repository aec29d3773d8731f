/**
 * Checks a client's X.509 chain (leaf first, as the Certificate message carries it) with
 * node:crypto: each certificate within its validity dates and signed by the next, the last
 * one issued by (or being) a trusted CA, a P-256 leaf key for client authentication (when it
 * has an extended key usage), one subject CN. Bounded: at most
 * MAX_CHAIN certificates of at most MAX_CERTIFICATE_BYTES each.
 */
import { X509Certificate } from 'node:crypto';
import { AlertDescription } from './record-channel.js';

export const MAX_CHAIN = 4;
export const MAX_CERTIFICATE_BYTES = 2048;
/** the longest subject CN taken as an identity */
export const MAX_COMMON_NAME = 255;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

export type ChainCheck = { ok: true; leaf: X509Certificate; commonName: string } | { ok: false; alert: number; reason: string };

function refused(alert: number, reason: string): ChainCheck {
  return { ok: false, alert, reason };
}

function current(c: X509Certificate, now: Date): boolean {
  return new Date(c.validFrom) <= now && now <= new Date(c.validTo);
}

function issuedBy(c: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && c.checkIssued(issuer) && c.verify(issuer.publicKey);
}

/** The subject's one CN, when it has exactly one of 1..255 characters without control characters. */
export function commonName(subject: string): string | undefined {
  const cns = subject.split('\n').filter((line) => line.startsWith('CN='));
  const cn = cns.length === 1 ? cns[0]!.slice(3) : undefined;
  if (cn === undefined || cn.length === 0 || cn.length > MAX_COMMON_NAME) return undefined;
  for (let i = 0; i < cn.length; i++) {
    const c = cn.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return undefined;
  }
  return cn;
}

export function verifyChain(ders: readonly Buffer[], trusted: readonly X509Certificate[], now = new Date()): ChainCheck {
  if (ders.length === 0) return refused(AlertDescription.handshakeFailure, 'no client certificate');
  if (ders.length > MAX_CHAIN) return refused(AlertDescription.badCertificate, `more than ${MAX_CHAIN} certificates`);
  const certs: X509Certificate[] = [];
  for (const der of ders) {
    if (der.length > MAX_CERTIFICATE_BYTES) return refused(AlertDescription.badCertificate, `a certificate longer than ${MAX_CERTIFICATE_BYTES} bytes`);
    try {
      certs.push(new X509Certificate(der));
    } catch {
      return refused(AlertDescription.badCertificate, 'unreadable certificate');
    }
  }
  try {
    for (let i = 0; i + 1 < certs.length; i++) {
      if (!issuedBy(certs[i]!, certs[i + 1]!)) return refused(AlertDescription.badCertificate, 'a certificate not signed by the next one');
    }
    const last = certs[certs.length - 1]!;
    const anchor = trusted.find((ca) => ca.raw.equals(last.raw) || issuedBy(last, ca));
    if (!anchor) return refused(AlertDescription.unknownCa, 'no trusted CA issued the chain');
    if (![...certs, anchor].every((c) => current(c, now))) return refused(AlertDescription.certificateExpired, 'a certificate outside its validity dates');
    const leaf = certs[0]!;
    const key = leaf.publicKey;
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return refused(AlertDescription.unsupportedCertificate, 'the leaf key is not a P-256 key');
    }
    const usages = leaf.keyUsage as string[] | undefined; // Node names the extended key usage so
    if (usages && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
      return refused(AlertDescription.unsupportedCertificate, 'the leaf is not for client authentication');
    }
    const cn = commonName(leaf.subject);
    if (cn === undefined) return refused(AlertDescription.badCertificate, 'the leaf has no single usable subject CN');
    return { ok: true, leaf, commonName: cn };
  } catch {
    return refused(AlertDescription.badCertificate, 'certificate check failed');
  }
}
