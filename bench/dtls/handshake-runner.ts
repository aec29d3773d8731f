/**
 * Drives PSK handshakes (psk-client.ts) over a set of UDP sockets, one handshake at a time
 * per socket: sends the flights, feeds the answers, re-sends a flight whose answer is late
 * (1 s, doubling, RFC 6347 4.2.4) and gives up after a few tries. What to do when a
 * handshake ends is the caller's: start another on the same socket (the load generator) or
 * keep the session for application data (the DTLS fleet).
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { PskClient } from './psk-client.js';

/** The key the benchmark gives an identity: the gateway is provisioned with the same (credentials.ts). */
export function benchPsk(identity: string): Buffer {
  return createHash('sha256').update(`lwm2m-gateway bench psk:${identity}`).digest().subarray(0, 16);
}

export interface HandshakeCounters {
  completed: number;
  /** refused or broken handshakes (an alert, a Finished that does not verify) */
  failed: number;
  /** handshakes given up after their retransmissions */
  timedOut: number;
  /** flights sent again */
  retransmissions: number;
  /** failures by reason */
  reasons: Record<string, number>;
}

interface Running {
  client: PskClient;
  identity: string;
  sentAt: number;
  timeoutMs: number;
  tries: number;
}

const FIRST_TIMEOUT_MS = 1000;
const MAX_TRIES = 4;

export class HandshakeRunner {
  readonly counters: HandshakeCounters = { completed: 0, failed: 0, timedOut: 0, retransmissions: 0, reasons: {} };
  private readonly running = new Map<number, Running>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sockets: readonly Socket[],
    private readonly host: string,
    private readonly port: number,
    /** a handshake on socket `k` ended: `client` is established when `ok` */
    private readonly ended: (k: number, ok: boolean, client: PskClient, identity: string) => void,
    private readonly suite?: number,
  ) {
    this.timer = setInterval(() => this.sweep(), 100);
    this.timer.unref();
  }

  /** Starts a full handshake as `identity` on socket `k` (replacing one in progress there). */
  start(k: number, identity: string): void {
    const client = new PskClient(Buffer.from(identity, 'utf8'), benchPsk(identity), this.suite);
    this.running.set(k, { client, identity, sentAt: performance.now(), timeoutMs: FIRST_TIMEOUT_MS, tries: 0 });
    this.send(k, client.start());
  }

  /** A datagram on socket `k`; false when no handshake runs there (it is application data). */
  receive(k: number, datagram: Buffer): boolean {
    const r = this.running.get(k);
    if (!r) return false;
    const step = r.client.receive(datagram);
    if (step.send) {
      r.sentAt = performance.now();
      r.timeoutMs = FIRST_TIMEOUT_MS;
      r.tries = 0;
      this.send(k, step.send);
    }
    if (step.established) this.finish(k, r, 'completed');
    else if (step.failed) this.finish(k, r, 'failed', step.failed);
    return true;
  }

  private finish(k: number, r: Running, outcome: 'completed' | 'failed' | 'timedOut', reason?: string): void {
    this.running.delete(k);
    this.counters[outcome]++;
    if (reason) this.counters.reasons[reason] = (this.counters.reasons[reason] ?? 0) + 1;
    this.ended(k, outcome === 'completed', r.client, r.identity);
  }

  private send(k: number, datagram: Buffer): void {
    this.sockets[k]!.send(datagram, this.port, this.host);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [k, r] of this.running) {
      if (now - r.sentAt < r.timeoutMs || !r.client.lastFlight) continue;
      if (++r.tries > MAX_TRIES) {
        this.finish(k, r, 'timedOut');
        continue;
      }
      this.counters.retransmissions++;
      r.sentAt = now;
      r.timeoutMs *= 2;
      this.send(k, r.client.lastFlight);
    }
  }

  /** Handshakes in progress. */
  get inProgress(): number {
    return this.running.size;
  }

  /** Stops the timer; handshakes in progress are dropped. */
  stop(): void {
    clearInterval(this.timer);
    this.running.clear();
  }
}
