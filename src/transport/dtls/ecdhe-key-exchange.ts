/**
 * The ECDHE_ECDSA key exchange on secp256r1 (RFC 8422, RFC 5246 7.4.3), with a client
 * certificate required: the server sends its Certificate (X.509 chain or raw public key),
 * a ServerKeyExchange with an ephemeral point signed by its key and a CertificateRequest;
 * the client answers with its Certificate, its ephemeral point (ClientKeyExchange) and a
 * CertificateVerify signed over the transcript.
 */
import { createECDH, createPublicKey, sign, verify } from 'node:crypto';
import type { ECDH, KeyObject } from 'node:crypto';
import {
  certificateRequestBody,
  parseCertificateVerify,
  parseRawPublicKeyCertificate,
  parseX509Certificate,
  rawPublicKeyCertificateBody,
  signedBody,
  x509CertificateBody,
} from './certificate-message.js';
import { verifyChain } from './certificate-chain.js';
import { HandshakeType, Reader } from './handshake-message.js';
import { refuse } from './key-exchange.js';
import type { KeyExchange, KeyExchangeStep, OutgoingMessage, PeerIdentity } from './key-exchange.js';
import { AlertDescription } from './record-channel.js';
import type { ServerCredentials } from './server-credentials.js';
import { CertificateType, SECP256R1 } from './suite-negotiation.js';

/** an uncompressed P-256 point: 0x04, x, y */
export const P256_POINT_BYTES = 65;
const NAMED_CURVE = 3;

/** ServerECDHParams: named_curve secp256r1 and the point. */
export function ecdhParams(point: Buffer): Buffer {
  return Buffer.concat([Buffer.from([NAMED_CURVE, SECP256R1 >> 8, SECP256R1 & 0xff, point.length]), point]);
}

/** The client's point of an ECDH ClientKeyExchange; undefined unless one uncompressed P-256 point. */
export function parseEcdhClientKeyExchange(body: Buffer): Buffer | undefined {
  const r = new Reader(body);
  const point = r.vec8(P256_POINT_BYTES);
  return point && point.length === P256_POINT_BYTES && point[0] === 4 && r.rest === 0 ? point : undefined;
}

/** The key of a raw public key when it is a P-256 one, and its DER SubjectPublicKeyInfo as re-encoded. */
export function rawPublicKey(spki: Buffer): { key: KeyObject; der: Buffer } | undefined {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    return { key, der: key.export({ type: 'spki', format: 'der' }) };
  } catch {
    return undefined;
  }
}

type Expecting = 'certificate' | 'clientKeyExchange' | 'certificateVerify' | 'done';

export class EcdheKeyExchange implements KeyExchange {
  private readonly ecdh: ECDH = createECDH('prime256v1');
  private expecting: Expecting = 'certificate';
  private peerKey: KeyObject | undefined;
  private identity: PeerIdentity | undefined;

  constructor(
    private readonly server: ServerCredentials,
    private readonly types: { client: number; server: number },
    private readonly clientRandom: Buffer,
    private readonly serverRandom: Buffer,
  ) {
    this.ecdh.generateKeys();
  }

  serverMessages(): OutgoingMessage[] {
    const s = this.server;
    const certificate = this.types.server === CertificateType.rawPublicKey ? rawPublicKeyCertificateBody(s.publicKey) : x509CertificateBody(s.chain);
    const params = ecdhParams(this.ecdh.getPublicKey());
    const signature = sign('sha256', Buffer.concat([this.clientRandom, this.serverRandom, params]), { key: s.privateKey, dsaEncoding: 'der' });
    return [
      { type: HandshakeType.certificate, body: certificate },
      { type: HandshakeType.serverKeyExchange, body: Buffer.concat([params, signedBody(signature)]) },
      { type: HandshakeType.certificateRequest, body: certificateRequestBody() },
    ];
  }

  receive(msgType: number, body: Buffer, transcript: () => Buffer): KeyExchangeStep {
    const expected = this.expecting === 'done' ? undefined : HandshakeType[this.expecting];
    if (msgType !== expected) return refuse(AlertDescription.unexpectedMessage, 'unexpected handshake message');
    switch (this.expecting) {
      case 'certificate':
        return this.certificate(body);
      case 'clientKeyExchange':
        return this.keyExchange(body);
      default:
        return this.certificateVerify(body, transcript());
    }
  }

  private certificate(body: Buffer): KeyExchangeStep {
    if (this.types.client === CertificateType.rawPublicKey) {
      const spki = parseRawPublicKeyCertificate(body);
      if (!spki) return refuse(AlertDescription.decodeError, 'malformed Certificate');
      if (spki.length === 0) return refuse(AlertDescription.handshakeFailure, 'no client raw public key');
      const rpk = rawPublicKey(spki);
      if (!rpk) return refuse(AlertDescription.unsupportedCertificate, 'the raw public key is not a P-256 key');
      this.peerKey = rpk.key;
      this.identity = { mode: 'rpk', name: rpk.der.toString('hex') };
    } else {
      const ders = parseX509Certificate(body);
      if (!ders) return refuse(AlertDescription.decodeError, 'malformed Certificate');
      const chain = verifyChain(ders, this.server.trusted);
      if (!chain.ok) return refuse(chain.alert, chain.reason);
      this.peerKey = chain.leaf.publicKey;
      this.identity = { mode: 'x509', name: chain.commonName };
    }
    this.expecting = 'clientKeyExchange';
    return { ok: true };
  }

  private keyExchange(body: Buffer): KeyExchangeStep {
    const point = parseEcdhClientKeyExchange(body);
    if (!point) return refuse(AlertDescription.decodeError, 'malformed ClientKeyExchange');
    let premaster: Buffer;
    try {
      premaster = this.ecdh.computeSecret(point);
    } catch {
      return refuse(AlertDescription.illegalParameter, 'the client point is not on the curve');
    }
    this.expecting = 'certificateVerify';
    return { ok: true, premaster };
  }

  private certificateVerify(body: Buffer, transcript: Buffer): KeyExchangeStep {
    const signature = parseCertificateVerify(body);
    if (!signature) return refuse(AlertDescription.decodeError, 'malformed CertificateVerify');
    let good: boolean;
    try {
      good = verify('sha256', transcript, { key: this.peerKey!, dsaEncoding: 'der' }, signature);
    } catch {
      good = false;
    }
    if (!good) return refuse(AlertDescription.decryptError, 'CertificateVerify does not verify');
    this.expecting = 'done';
    return { ok: true, identity: this.identity! };
  }
}
