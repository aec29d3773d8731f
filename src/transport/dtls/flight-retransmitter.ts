/**
 * The server's last handshake flight and its retransmission (RFC 6347 4.2.4): sent at once,
 * again after the timeout, the timeout doubled each time (at most 60 s), given up after
 * `maxRetransmits`. The flight is built anew for each sending (fresh record sequence numbers).
 */
export interface FlightTimerOptions {
  /** first retransmission delay (RFC 6347: 1 s) */
  firstMs: number;
  maxRetransmits: number;
  /** called when the last retransmission went unanswered */
  onGiveUp(): void;
}

export class FlightRetransmitter {
  private build: (() => Buffer[]) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retransmits = 0;

  constructor(
    private readonly send: (datagram: Buffer) => void,
    private readonly o: FlightTimerOptions,
  ) {}

  /** Sends the flight and arms the timer. */
  start(build: () => Buffer[]): void {
    this.build = build;
    this.retransmits = 0;
    this.resend();
    this.arm(this.o.firstMs);
  }

  /** Sends the current flight again (the peer repeated its previous flight). */
  resend(): void {
    if (this.build) for (const d of this.build()) this.send(d);
  }

  /** The peer's next flight came (or the session ended): no more retransmissions. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (++this.retransmits > this.o.maxRetransmits) return this.o.onGiveUp();
      this.resend();
      this.arm(Math.min(ms * 2, 60_000));
    }, ms);
    this.timer.unref();
  }
}
