/**
 * What the parts of the CoAP/UDP transport share: timing, a clock, a logger and the
 * ability to put a message on the wire to a peer.
 */
import type { Peer } from '../../lwm2m/transport.js';
import type { CoapMessage } from './message.js';
import type { CoapTiming } from './timing.js';

export interface CoapLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

export const noopLogger: CoapLogger = { warn: () => {}, debug: () => {} };

export interface WireContext {
  readonly timing: CoapTiming;
  readonly log: CoapLogger;
  now(): number;
  /** Encodes and sends; returns the datagram, or undefined when it could not be encoded. */
  send(peer: Peer, message: CoapMessage): Buffer | undefined;
  sendRaw(peer: Peer, datagram: Buffer): void;
  /** The next message id towards this peer (random start, then incrementing). */
  nextMessageId(peer: Peer): number;
  isStopped(): boolean;
}
