/**
 * The PSK key exchange (RFC 4279): no server message beyond ServerHello (no identity hint),
 * one ClientKeyExchange carrying the identity; its key makes the premaster secret.
 */
import { HandshakeType, parsePskClientKeyExchange } from './handshake-message.js';
import { refuse } from './key-exchange.js';
import type { KeyExchange, KeyExchangeStep, OutgoingMessage } from './key-exchange.js';
import { pskPremaster } from './prf.js';
import { AlertDescription } from './record-channel.js';
import { pskDigest } from './session-cache.js';

/** The key for a PSK identity, or undefined when the identity is unknown. */
export type PskLookup = (identity: Buffer) => Buffer | undefined;

export class PskKeyExchange implements KeyExchange {
  constructor(private readonly psk: PskLookup) {}

  serverMessages(): OutgoingMessage[] {
    return [];
  }

  receive(msgType: number, body: Buffer): KeyExchangeStep {
    if (msgType !== HandshakeType.clientKeyExchange) return refuse(AlertDescription.unexpectedMessage, 'unexpected handshake message');
    const id = parsePskClientKeyExchange(body);
    if (!id) return refuse(AlertDescription.decodeError, 'malformed ClientKeyExchange');
    const name = id.toString('utf8');
    let key: Buffer | undefined;
    try {
      key = Buffer.from(name, 'utf8').equals(id) ? this.psk(id) : undefined;
    } catch {
      return refuse(AlertDescription.internalError, 'PSK lookup failed');
    }
    if (!key) return refuse(AlertDescription.unknownPskIdentity, 'unknown PSK identity');
    return { ok: true, premaster: pskPremaster(key), identity: { mode: 'psk', name }, pskDigest: pskDigest(key) };
  }
}
