/**
 * Reliable transmission of CON messages (RFC 7252 section 4.2): retransmit with
 * exponential back-off until an ACK or RST with the same message id comes from the same
 * peer, or MAX_RETRANSMIT retransmissions went unanswered.
 */
import type { TimerHandle } from '../../lwm2m/clock.js';
import type { Peer } from '../../lwm2m/transport.js';
import type { WireContext } from './context.js';
import type { CoapMessage } from './message.js';
import { initialTimeout } from './timing.js';

export type ConOutcome =
  | { kind: 'ack'; message: CoapMessage }
  | { kind: 'rst'; message: CoapMessage }
  | { kind: 'timeout' }
  | { kind: 'unsendable' };

interface Pending {
  key: string;
  peer: Peer;
  datagram: Buffer;
  timer: TimerHandle | undefined;
  timeoutMs: number;
  retransmissions: number;
  done: (outcome: ConOutcome) => void;
}

export interface ConHandle {
  cancel(): void;
}

export class Retransmitter {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ctx: WireContext,
    private readonly random: () => number = Math.random,
  ) {}

  private static key(peerKey: string, messageId: number): string {
    return `${peerKey}#${messageId}`;
  }

  /** Sends a CON message; `done` is called once, unless the handle is cancelled first. */
  send(peer: Peer, message: CoapMessage, done: (outcome: ConOutcome) => void): ConHandle {
    const datagram = this.ctx.send(peer, message);
    if (!datagram) {
      done({ kind: 'unsendable' });
      return { cancel: () => {} };
    }
    const key = Retransmitter.key(peer.key, message.messageId);
    const old = this.pending.get(key);
    if (old) {
      // message ids wrapped around while an old CON was still pending: give it up
      this.finish(old);
      old.done({ kind: 'timeout' });
    }
    const p: Pending = {
      key,
      peer,
      datagram,
      timer: undefined,
      timeoutMs: initialTimeout(this.ctx.timing, this.random),
      retransmissions: 0,
      done,
    };
    this.pending.set(key, p);
    this.arm(p);
    return { cancel: () => this.finish(p) };
  }

  private arm(p: Pending): void {
    p.timer = this.ctx.setTimer(Math.min(p.timeoutMs, 2 ** 31 - 1), () => this.onTimeout(p));
  }

  private onTimeout(p: Pending): void {
    if (this.pending.get(p.key) !== p) return;
    if (p.retransmissions >= this.ctx.timing.maxRetransmit) {
      this.finish(p);
      p.done({ kind: 'timeout' });
      return;
    }
    p.retransmissions++;
    p.timeoutMs *= 2;
    this.ctx.sendRaw(p.peer, p.datagram);
    this.arm(p);
  }

  private finish(p: Pending): void {
    p.timer?.cancel();
    p.timer = undefined;
    if (this.pending.get(p.key) === p) this.pending.delete(p.key);
  }

  /** An ACK or RST arrived; true when it matched a pending CON. */
  handleReply(peer: Peer, message: CoapMessage, isReset: boolean): boolean {
    const p = this.pending.get(Retransmitter.key(peer.key, message.messageId));
    if (!p) return false;
    this.finish(p);
    p.done(isReset ? { kind: 'rst', message } : { kind: 'ack', message });
    return true;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Stops every retransmission without calling back. */
  clear(): void {
    for (const p of this.pending.values()) p.timer?.cancel();
    this.pending.clear();
  }
}
