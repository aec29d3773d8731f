/**
 * What the parts of the CoAP/UDP transport share: timing, a clock, a logger and the
 * ability to put a message on the wire to a peer.
 */
import type { TimerHandle } from '../../lwm2m/clock.js';
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
  /** milliseconds since the epoch, from the transport's clock */
  now(): number;
  /** a timer on the transport's clock (tests move a fake one) */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Encodes and sends; returns the datagram, or undefined when it could not be encoded. */
  send(peer: Peer, message: CoapMessage): Buffer | undefined;
  sendRaw(peer: Peer, datagram: Buffer): void;
  /** The next message id towards this peer (random start, then incrementing). */
  nextMessageId(peer: Peer): number;
  isStopped(): boolean;
}
