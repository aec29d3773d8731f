/**
 * The ECDHE_ECDSA pieces: the ServerKeyExchange signature over the randoms and params, the
 * client point read with its bounds, the client's Certificate / ClientKeyExchange /
 * CertificateVerify in order (a bad signature refused), and the suite negotiation.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createECDH, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rawPublicKeyCertificateBody, x509CertificateBody } from '../../../../src/transport/dtls/certificate-message.js';
import { EcdheKeyExchange, P256_POINT_BYTES, parseEcdhClientKeyExchange } from '../../../../src/transport/dtls/ecdhe-key-exchange.js';
import { HandshakeType, parseClientHello } from '../../../../src/transport/dtls/handshake-message.js';
import type { KeyExchangeStep } from '../../../../src/transport/dtls/key-exchange.js';
import { AlertDescription } from '../../../../src/transport/dtls/record-channel.js';
import { loadServerCredentials } from '../../../../src/transport/dtls/server-credentials.js';
import { CertificateType, negotiate } from '../../../../src/transport/dtls/suite-negotiation.js';
import { TestPki, noOpensslCli } from '../../../helpers/test-pki.js';

const pki = noOpensslCli ? undefined : new TestPki();
after(() => pki?.remove());
const skip = { skip: noOpensslCli };
const cr = Buffer.alloc(32, 1);
const sr = Buffer.alloc(32, 2);

function cke(point: Buffer): Buffer {
  return Buffer.concat([Buffer.from([point.length]), point]);
}

function certificateVerify(signature: Buffer): Buffer {
  const h = Buffer.from([4, 3, 0, signature.length]);
  return Buffer.concat([h, signature]);
}

const alertOf = (s: KeyExchangeStep): number | undefined => (s.ok ? undefined : s.alert);

void test('ClientKeyExchange: exactly one uncompressed P-256 point', () => {
  const point = createECDH('prime256v1').generateKeys();
  assert.equal(point.length, P256_POINT_BYTES);
  assert.deepEqual(parseEcdhClientKeyExchange(cke(point)), point);
  assert.equal(parseEcdhClientKeyExchange(cke(point.subarray(0, 33))), undefined, 'compressed length');
  assert.equal(parseEcdhClientKeyExchange(Buffer.concat([cke(point), Buffer.from([0])])), undefined, 'trailing byte');
  assert.equal(parseEcdhClientKeyExchange(cke(point).subarray(0, 40)), undefined, 'truncated');
  assert.equal(parseEcdhClientKeyExchange(cke(Buffer.concat([Buffer.from([2]), point.subarray(1)]))), undefined, 'not 0x04');
  assert.equal(parseEcdhClientKeyExchange(Buffer.concat([Buffer.from([200]), Buffer.alloc(200, 4)])), undefined, 'too long');
  assert.equal(parseEcdhClientKeyExchange(Buffer.alloc(0)), undefined);
});

void test('the server flight: its Certificate, a ServerKeyExchange signed over both randoms and the params, a CertificateRequest', skip, () => {
  const p = pki!;
  const srv = p.issue('s1', '127.0.0.1');
  const server = loadServerCredentials({ certificate: srv.cert, privateKey: srv.key, trustedCertificates: p.caFile })!;
  const [cert, ske, req] = new EcdheKeyExchange(server, { client: CertificateType.x509, server: CertificateType.x509 }, cr, sr).serverMessages();
  assert.deepEqual(cert, { type: HandshakeType.certificate, body: x509CertificateBody(server.chain) });
  assert.equal(ske!.type, HandshakeType.serverKeyExchange);
  const params = ske!.body.subarray(0, 4 + P256_POINT_BYTES);
  assert.deepEqual([...params.subarray(0, 4)], [3, 0, 23, 65], 'named_curve secp256r1, 65-byte point');
  assert.deepEqual([...ske!.body.subarray(params.length, params.length + 2)], [4, 3], 'ecdsa_secp256r1_sha256');
  const signature = ske!.body.subarray(params.length + 4);
  assert.equal(signature.length, ske!.body.readUInt16BE(params.length + 2));
  const pub = createPublicKey(readFileSync(srv.cert));
  assert.ok(verify('sha256', Buffer.concat([cr, sr, params]), { key: pub, dsaEncoding: 'der' }, signature));
  assert.equal(verify('sha256', Buffer.concat([sr, cr, params]), { key: pub, dsaEncoding: 'der' }, signature), false, 'randoms in order');
  assert.deepEqual(req, { type: HandshakeType.certificateRequest, body: Buffer.from([1, 64, 0, 2, 4, 3, 0, 0]) });
  // with a raw public key, the Certificate is the SubjectPublicKeyInfo alone
  const rpk = new EcdheKeyExchange(server, { client: CertificateType.rawPublicKey, server: CertificateType.rawPublicKey }, cr, sr).serverMessages();
  assert.deepEqual(rpk[0]!.body, rawPublicKeyCertificateBody(srv.spki));
});

void test('the client messages in order; a CertificateVerify not over the transcript or by another key is refused', skip, () => {
  const p = pki!;
  const srv = p.issue('s2', '127.0.0.1');
  const dev = p.issue('d2', 'dev2');
  const server = loadServerCredentials({ certificate: srv.cert, privateKey: srv.key, trustedCertificates: p.caFile })!;
  const devKey = createPrivateKey(readFileSync(dev.key));
  const transcript = Buffer.from('the handshake so far');
  const x509Types = { client: CertificateType.x509 as number, server: CertificateType.x509 as number };
  const run = (cv: Buffer, certificate = x509CertificateBody([p.der(dev.cert)]), types = x509Types): KeyExchangeStep[] => {
    const kx = new EcdheKeyExchange(server, types, cr, sr);
    const client = createECDH('prime256v1');
    const steps = [kx.receive(HandshakeType.certificate, certificate, () => transcript)];
    if (!steps[0]!.ok) return steps;
    steps.push(kx.receive(HandshakeType.clientKeyExchange, cke(client.generateKeys()), () => transcript));
    steps.push(kx.receive(HandshakeType.certificateVerify, cv, () => transcript));
    return steps;
  };
  const good = run(certificateVerify(sign('sha256', transcript, { key: devKey, dsaEncoding: 'der' })));
  assert.deepEqual(good.map((s) => s.ok), [true, true, true]);
  assert.equal((good[1] as { premaster?: Buffer }).premaster?.length, 32);
  assert.deepEqual((good[2] as { identity?: unknown }).identity, { mode: 'x509', name: 'dev2' });

  const otherData = run(certificateVerify(sign('sha256', Buffer.from('something else'), { key: devKey, dsaEncoding: 'der' })));
  assert.equal(alertOf(otherData[2]!), AlertDescription.decryptError);
  const otherKey = run(certificateVerify(sign('sha256', transcript, { key: createPrivateKey(readFileSync(srv.key)), dsaEncoding: 'der' })));
  assert.equal(alertOf(otherKey[2]!), AlertDescription.decryptError);
  assert.equal(alertOf(run(Buffer.from([4, 3, 0, 3, 1, 2, 3]))[2]!), AlertDescription.decryptError, 'not a DER signature');
  assert.equal(alertOf(run(Buffer.from([4, 1, 0, 1, 0]))[2]!), AlertDescription.decodeError, 'another algorithm');
  assert.equal(alertOf(run(Buffer.alloc(0), x509CertificateBody([]))[0]!), AlertDescription.handshakeFailure, 'no certificate');
  assert.equal(alertOf(run(Buffer.alloc(0), Buffer.from([0, 0, 9, 1, 2]))[0]!), AlertDescription.decodeError, 'garbage Certificate');
  assert.equal(alertOf(run(Buffer.alloc(0), x509CertificateBody([p.der(p.issue('u2', 'dev2', 'other-ca').cert)]))[0]!), AlertDescription.unknownCa);

  // a raw public key: the identity is its SubjectPublicKeyInfo
  const rpkTypes = { client: CertificateType.rawPublicKey, server: CertificateType.rawPublicKey };
  const rpk = run(certificateVerify(sign('sha256', transcript, { key: devKey, dsaEncoding: 'der' })), rawPublicKeyCertificateBody(dev.spki), rpkTypes);
  assert.deepEqual((rpk[2] as { identity?: unknown }).identity, { mode: 'rpk', name: dev.spki.toString('hex') });
  assert.equal(alertOf(run(Buffer.alloc(0), rawPublicKeyCertificateBody(Buffer.from('not a key')), rpkTypes)[0]!), AlertDescription.unsupportedCertificate);

  // out of order, and a point off the curve
  const kx = new EcdheKeyExchange(server, { client: 0, server: 0 }, cr, sr);
  assert.equal(alertOf(kx.receive(HandshakeType.clientKeyExchange, cke(Buffer.alloc(65, 4)), () => transcript)), AlertDescription.unexpectedMessage);
  const kx2 = new EcdheKeyExchange(server, { client: 0, server: 0 }, cr, sr);
  assert.ok(kx2.receive(HandshakeType.certificate, x509CertificateBody([p.der(dev.cert)]), () => transcript).ok);
  assert.equal(alertOf(kx2.receive(HandshakeType.clientKeyExchange, cke(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])), () => transcript)), AlertDescription.illegalParameter);
});

/** A ClientHello body offering `suites` with these extensions (type, data). */
function hello(suites: number[], exts: [number, Buffer][]): Buffer {
  const s = Buffer.alloc(2 + suites.length * 2);
  s.writeUInt16BE(suites.length * 2, 0);
  suites.forEach((v, i) => s.writeUInt16BE(v, 2 + 2 * i));
  const e = Buffer.concat(exts.map(([t, d]) => Buffer.concat([Buffer.from([t >> 8, t & 0xff, d.length >> 8, d.length & 0xff]), d])));
  return Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 9), Buffer.from([0, 0]), s, Buffer.from([1, 0]), Buffer.from([e.length >> 8, e.length & 0xff]), e]);
}

void test('negotiation: ECDHE only with a server key, secp256r1, uncompressed points, ecdsa+sha256 and agreed certificate types', skip, () => {
  const p = pki!;
  const srv = p.issue('s3', '127.0.0.1');
  const full = loadServerCredentials({ certificate: srv.cert, privateKey: srv.key, trustedCertificates: p.caFile })!;
  const keyOnly = loadServerCredentials({ certificate: null, privateKey: srv.key, trustedCertificates: null })!;
  const groups = (g: number): [number, Buffer] => [10, Buffer.from([0, 2, g >> 8, g & 0xff])];
  const ch = (suites: number[], exts: [number, Buffer][] = []) => parseClientHello(hello(suites, exts))!;
  assert.equal(negotiate(ch([0xc0ae]), undefined), undefined, 'no server key');
  assert.equal(negotiate(ch([0xc0ae, 0xc0a8]), undefined)?.suite, 0xc0a8);
  assert.equal(negotiate(ch([0xc0ae, 0xc023]), full)?.suite, 0xc0ae);
  assert.deepEqual(negotiate(ch([0xc023]), full)?.certificates, { client: 0, server: 0 });
  assert.equal(negotiate(ch([0xc0ae], [groups(24)]), full), undefined, 'secp384r1 only');
  assert.equal(negotiate(ch([0xc0ae], [groups(23)]), full)?.suite, 0xc0ae);
  assert.equal(negotiate(ch([0xc0ae], [[11, Buffer.from([1, 1])]]), full), undefined, 'compressed points only');
  assert.equal(negotiate(ch([0xc0ae], [[13, Buffer.from([0, 2, 4, 1])]]), full), undefined, 'rsa_pkcs1_sha256 only');
  assert.equal(negotiate(ch([0xc0ae, 0xc0a8]), full, [0xc0ae])?.suite, 0xc0ae, 'the configured suites alone');
  assert.equal(negotiate(ch([0xc0a8]), full, [0xc0ae]), undefined);
  // X.509 clients need trusted CAs; a key alone serves raw public keys
  assert.equal(negotiate(ch([0xc0ae]), keyOnly), undefined);
  const rpk = negotiate(ch([0xc0ae], [[19, Buffer.from([1, 2])], [20, Buffer.from([2, 2, 0])]]), keyOnly)!;
  assert.deepEqual(rpk.certificates, { client: 2, server: 2 });
  assert.deepEqual(rpk.serverHelloExtensions, [Buffer.from([0, 19, 0, 1, 2]), Buffer.from([0, 20, 0, 1, 2])]);
  // an RPK client that takes either from the server gets ours as a raw key too; X.509 clients our chain
  assert.deepEqual(negotiate(ch([0xc0ae], [[19, Buffer.from([1, 2])], [20, Buffer.from([2, 0, 2])]]), full)!.certificates, { client: 2, server: 2 });
  assert.deepEqual(negotiate(ch([0xc0ae], [[19, Buffer.from([1, 0])], [20, Buffer.from([2, 2, 0])]]), full)!.certificates, { client: 0, server: 0 });
  assert.equal(negotiate(ch([0xc0ae], [[19, Buffer.from([1, 1])]]), full), undefined, 'OpenPGP only');
});
