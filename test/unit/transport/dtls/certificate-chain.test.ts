/** The client chain check and the Certificate messages, on certificates openssl makes at test time. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CERTIFICATE_BYTES, commonName, verifyChain } from '../../../../src/transport/dtls/certificate-chain.js';
import { parseRawPublicKeyCertificate, parseX509Certificate, rawPublicKeyCertificateBody, x509CertificateBody } from '../../../../src/transport/dtls/certificate-message.js';
import { AlertDescription } from '../../../../src/transport/dtls/record-channel.js';
import { CredentialsError, loadServerCredentials } from '../../../../src/transport/dtls/server-credentials.js';
import { TestPki, noOpensslCli } from '../../../helpers/test-pki.js';

const pki = noOpensslCli ? undefined : new TestPki();
after(() => pki?.remove());
const skip = { skip: noOpensslCli };

void test('a leaf issued by the trusted CA passes with its CN; other CAs, self-signed, dates and broken chains are refused', skip, () => {
  const p = pki!;
  const trusted = [new X509Certificate(readFileSync(p.caFile))];
  const good = p.der(p.issue('good', 'dev1').cert);
  const ok = verifyChain([good], trusted);
  assert.ok(ok.ok);
  assert.equal(ok.commonName, 'dev1');
  // the CA itself may end the chain the client sends
  assert.ok(verifyChain([good, p.der(p.caFile)], trusted).ok);

  const alert = (r: ReturnType<typeof verifyChain>): number | undefined => (r.ok ? undefined : r.alert);
  assert.equal(alert(verifyChain([p.der(p.issue('foreign', 'dev1', 'other-ca').cert)], trusted)), AlertDescription.unknownCa);
  assert.equal(alert(verifyChain([p.der(p.issue('selfie', 'dev1', 'self').cert)], trusted)), AlertDescription.unknownCa);
  assert.equal(alert(verifyChain([good], trusted, new Date(Date.now() + 3 * 86_400_000))), AlertDescription.certificateExpired, 'expired');
  assert.equal(alert(verifyChain([good], trusted, new Date(Date.now() - 86_400_000))), AlertDescription.certificateExpired, 'not yet valid');
  // a chain whose second certificate did not sign the first
  assert.equal(alert(verifyChain([good, p.der(p.otherCaFile)], trusted)), AlertDescription.badCertificate);
  // a leaf cannot vouch for another certificate
  assert.equal(alert(verifyChain([p.der(p.issue('second', 'dev2').cert), good], trusted)), AlertDescription.badCertificate);
  assert.equal(alert(verifyChain([Buffer.from('not a certificate')], trusted)), AlertDescription.badCertificate);
  const flipped = Buffer.from(good);
  flipped[flipped.length - 5]! ^= 0xff; // inside the signature
  assert.notEqual(alert(verifyChain([flipped], trusted)), undefined);
  assert.equal(alert(verifyChain([], trusted)), AlertDescription.handshakeFailure);
  assert.equal(alert(verifyChain([p.der(p.issue('server-only', 'dev1', 'ca', 'extendedKeyUsage=serverAuth\n').cert)], trusted)), AlertDescription.unsupportedCertificate);
  assert.ok(verifyChain([p.der(p.issue('client-too', 'dev1', 'ca', 'extendedKeyUsage=serverAuth,clientAuth\n').cert)], trusted).ok);
  assert.equal(alert(verifyChain([good], [])), AlertDescription.unknownCa, 'no trusted CA configured');
  assert.equal(alert(verifyChain([good, good, good, good, good], trusted)), AlertDescription.badCertificate, 'chain too long');
  assert.equal(alert(verifyChain([Buffer.alloc(MAX_CERTIFICATE_BYTES + 1)], trusted)), AlertDescription.badCertificate, 'certificate too long');
});

void test('a chain through an intermediate CA passes when the client sends the intermediate', skip, () => {
  const p = pki!;
  const trusted = [new X509Certificate(readFileSync(p.caFile))];
  const inter = p.intermediate('inter');
  const leaf = p.der(p.issue('via-inter', 'dev9', 'inter').cert);
  const ok = verifyChain([leaf, p.der(inter.cert)], trusted);
  assert.ok(ok.ok && ok.commonName === 'dev9');
  assert.equal(verifyChain([leaf], trusted).ok, false, 'without the intermediate');
  assert.equal(verifyChain([p.der(inter.cert), leaf], trusted).ok, false, 'in the wrong order');
});

void test('subject CN: exactly one, no control characters', () => {
  assert.equal(commonName('C=FR\nCN=dev-7\nO=Acme'), 'dev-7');
  assert.equal(commonName('O=Acme'), undefined);
  assert.equal(commonName('CN=a\nCN=b'), undefined);
  assert.equal(commonName('CN=a\u0001b'), undefined);
  assert.equal(commonName(`CN=${'x'.repeat(256)}`), undefined);
});

void test('Certificate messages: X.509 list and raw public key round-trip; every truncation and excess refused', () => {
  const certs = [Buffer.alloc(300, 1), Buffer.alloc(200, 2)];
  const body = x509CertificateBody(certs);
  assert.deepEqual(parseX509Certificate(body), certs);
  for (let n = 0; n < body.length; n++) assert.equal(parseX509Certificate(body.subarray(0, n)), undefined, `cut at ${n}`);
  assert.equal(parseX509Certificate(Buffer.concat([body, Buffer.from([0])])), undefined, 'trailing byte');
  assert.deepEqual(parseX509Certificate(x509CertificateBody([])), [], 'an empty list: no certificate');
  assert.equal(parseX509Certificate(x509CertificateBody(Array.from({ length: 5 }, () => Buffer.alloc(10)))), undefined, 'more than 4 certificates');
  assert.equal(parseX509Certificate(x509CertificateBody([Buffer.alloc(MAX_CERTIFICATE_BYTES + 1)])), undefined, 'a certificate too long');
  const lying = Buffer.from(body);
  lying.writeUIntBE(0xffffff, 0, 3);
  assert.equal(parseX509Certificate(lying), undefined, 'a length past the message');

  const spki = Buffer.alloc(91, 7);
  assert.deepEqual(parseRawPublicKeyCertificate(rawPublicKeyCertificateBody(spki)), spki);
  assert.equal(parseRawPublicKeyCertificate(rawPublicKeyCertificateBody(spki).subarray(0, 50)), undefined);
  assert.equal(parseRawPublicKeyCertificate(rawPublicKeyCertificateBody(Buffer.alloc(600))), undefined, 'longer than a raw public key may be');
});

void test('server credentials: key and certificate must match; a certificate without a key, or a non-P-256 key, is refused', skip, () => {
  const p = pki!;
  const srv = p.issue('srv', '127.0.0.1');
  const other = p.issue('srv2', '127.0.0.1');
  const c = loadServerCredentials({ certificate: srv.cert, privateKey: srv.key, trustedCertificates: p.caFile })!;
  assert.equal(c.chain.length, 1);
  assert.equal(c.trusted.length, 1);
  assert.deepEqual(c.publicKey, srv.spki);
  assert.equal(loadServerCredentials({ certificate: null, privateKey: null, trustedCertificates: null }), undefined);
  assert.equal(loadServerCredentials({ certificate: null, privateKey: srv.key, trustedCertificates: null })!.chain.length, 0, 'raw public key only');
  const key = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof CredentialsError ? e.key : 'other';
    }
    return undefined;
  };
  assert.equal(key(() => loadServerCredentials({ certificate: srv.cert, privateKey: other.key, trustedCertificates: null })), 'dtls.certificate');
  assert.equal(key(() => loadServerCredentials({ certificate: srv.cert, privateKey: null, trustedCertificates: null })), 'dtls.privateKey');
  assert.equal(key(() => loadServerCredentials({ certificate: null, privateKey: null, trustedCertificates: p.caFile })), 'dtls.privateKey');
  assert.equal(key(() => loadServerCredentials({ certificate: null, privateKey: join(p.dir, 'missing.key'), trustedCertificates: null })), 'dtls.privateKey');
  writeFileSync(join(p.dir, 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  assert.equal(key(() => loadServerCredentials({ certificate: null, privateKey: srv.key, trustedCertificates: join(p.dir, 'garbage.pem') })), 'dtls.trustedCertificates');
  assert.equal(key(() => loadServerCredentials({ certificate: null, privateKey: p.caFile, trustedCertificates: null })), 'dtls.privateKey', 'a certificate is not a key');
});
