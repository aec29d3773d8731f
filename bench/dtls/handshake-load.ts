/**
 * The handshake load generator (in a fleet simulator process): `sockets` UDP sockets, each
 * running full PSK handshakes against the gateway back to back, the identities
 * `${prefix}0` ... `${prefix}${count - 1}` in turn. A new handshake from the same address
 * and port replaces the gateway's previous session with it (RFC 6347 4.2.8), so the
 * gateway's session count stays at the number of sockets. Each socket is one handshake in
 * flight.
 */
import type { Socket } from 'node:dgram';
import { bindSlots, defaultAddresses } from '../fleet/sockets.js';
import { HandshakeRunner, type HandshakeCounters } from './handshake-runner.js';

export interface HandshakeLoadOptions {
  /** the gateway's DTLS address and port */
  host: string;
  port: number;
  /** sockets, i.e. handshakes in flight */
  sockets: number;
  identities: { prefix: string; count: number };
  /** cipher suite (default TLS_PSK_WITH_AES_128_CCM_8) */
  suite?: number;
  /** local addresses to bind (default 127.0.0.2 ... 127.0.0.254) */
  addresses?: string[];
}

export class HandshakeLoad {
  private running = false;
  private next = 0;
  private sockets: Socket[] = [];
  private runner: HandshakeRunner | undefined;

  private constructor(private readonly o: HandshakeLoadOptions) {}

  /** Binds the sockets. */
  static async open(o: HandshakeLoadOptions): Promise<HandshakeLoad> {
    const load = new HandshakeLoad(o);
    const slots = await bindSlots(o.sockets, o.addresses ?? defaultAddresses(), (k, buf) => load.runner?.receive(k, buf), () => {});
    load.sockets = slots.map((s) => s.sock);
    load.runner = new HandshakeRunner(load.sockets, o.host, o.port, (k, ok) => load.ended(k, ok), o.suite);
    return load;
  }

  private identity(): string {
    const i = this.next++ % this.o.identities.count;
    return `${this.o.identities.prefix}${i}`;
  }

  /** Starts a handshake on every socket; each one that ends starts the next. */
  start(): void {
    this.running = true;
    for (let k = 0; k < this.sockets.length; k++) this.runner?.start(k, this.identity());
  }

  private ended(k: number, ok: boolean): void {
    if (!this.running) return;
    // after a failure, a short pause: a refused handshake must not turn into a busy loop
    if (ok) this.runner?.start(k, this.identity());
    else setTimeout(() => this.running && this.runner?.start(k, this.identity()), 50).unref();
  }

  counters(): HandshakeCounters {
    const c = this.runner?.counters ?? { completed: 0, failed: 0, timedOut: 0, retransmissions: 0, reasons: {} };
    return { ...c, reasons: { ...c.reasons } };
  }

  /** Stops starting handshakes and closes the sockets; the counters stay readable. */
  async close(): Promise<HandshakeCounters> {
    this.running = false;
    this.runner?.stop();
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets = [];
    return this.counters();
  }
}
