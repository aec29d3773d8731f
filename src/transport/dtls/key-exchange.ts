/**
 * What differs between the key exchanges of a DTLS 1.2 server session: the messages the
 * server sends between ServerHello and ServerHelloDone, and the client's messages before
 * its ChangeCipherSpec. The session (session.ts) runs the rest: hello, transcript, keys,
 * Finished, retransmission.
 */

/** how a peer proved who it is, and the identity it proved (`Peer.identity`) */
export interface PeerIdentity {
  /** 'psk': a PSK identity; 'rpk': a raw public key (RFC 7250); 'x509': a certificate chain to a trusted CA */
  mode: 'psk' | 'rpk' | 'x509';
  /** the PSK identity, the hex of the DER SubjectPublicKeyInfo, or the leaf certificate's subject CN */
  name: string;
}

/** one handshake message body with its type */
export interface OutgoingMessage {
  type: number;
  body: Buffer;
}

/**
 * The answer to one client message: refused (fatal alert), or accepted, with the premaster
 * secret once it is known and the peer's identity on the last message before ChangeCipherSpec.
 */
export type KeyExchangeStep =
  | { ok: false; alert: number; reason: string }
  /** `pskDigest`: with a PSK identity, the digest of its key (session-cache.ts: a changed key refuses resumption) */
  | { ok: true; premaster?: Buffer; identity?: PeerIdentity; pskDigest?: Buffer };

export interface KeyExchange {
  /** the server's messages after ServerHello, before ServerHelloDone */
  serverMessages(): OutgoingMessage[];
  /** One client handshake message; `transcript` holds every message before it. */
  receive(msgType: number, body: Buffer, transcript: () => Buffer): KeyExchangeStep;
}

export function refuse(alert: number, reason: string): KeyExchangeStep {
  return { ok: false, alert, reason };
}
