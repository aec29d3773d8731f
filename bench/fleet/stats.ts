/** Counters of a fleet, and the registration timing the benchmark reports. */

export interface FleetCounters {
  clients: number;
  registered: number;
  registering: number;
  registerFailures: number;
  /** ms from the first Register sent to the last 2.01 received */
  registerSpanMs: number;
  updates: number;
  updateFailures: number;
  requests: number;
  observations: number;
  notificationsSent: number;
  notificationsAcked: number;
  notifyFailures: number;
  retransmissions: number;
  droppedAsleep: number;
  socketErrors: number;
  /** retransmitted requests from the server, answered again */
  duplicates: number;
  /** DTLS handshakes completed when the fleet opened (0 over plain UDP) */
  handshakes: number;
  /** requests and outcomes by "method code" */
  outcomes: Record<string, number>;
}

export class FleetStats {
  clients = 0;
  registered = 0;
  registering = 0;
  registerFailures = 0;
  updates = 0;
  updateFailures = 0;
  requests = 0;
  observations = 0;
  notificationsSent = 0;
  notificationsAcked = 0;
  notifyFailures = 0;
  retransmissions = 0;
  droppedAsleep = 0;
  socketErrors = 0;
  duplicates = 0;
  handshakes = 0;
  private firstRegisterSent = 0;
  private lastRegistered = 0;
  private readonly outcomes = new Map<string, number>();

  count(what: string): void {
    this.outcomes.set(what, (this.outcomes.get(what) ?? 0) + 1);
  }

  markRegisterSent(): void {
    if (this.firstRegisterSent === 0) this.firstRegisterSent = performance.now();
  }

  markRegistered(): void {
    this.lastRegistered = performance.now();
  }

  /** Starts a new registration measurement. */
  resetRegisterTiming(): void {
    this.firstRegisterSent = 0;
    this.lastRegistered = 0;
  }

  snapshot(): FleetCounters {
    return {
      clients: this.clients,
      registered: this.registered,
      registering: this.registering,
      registerFailures: this.registerFailures,
      registerSpanMs: this.lastRegistered > this.firstRegisterSent ? this.lastRegistered - this.firstRegisterSent : 0,
      updates: this.updates,
      updateFailures: this.updateFailures,
      requests: this.requests,
      observations: this.observations,
      notificationsSent: this.notificationsSent,
      notificationsAcked: this.notificationsAcked,
      notifyFailures: this.notifyFailures,
      retransmissions: this.retransmissions,
      droppedAsleep: this.droppedAsleep,
      socketErrors: this.socketErrors,
      duplicates: this.duplicates,
      handshakes: this.handshakes,
      outcomes: Object.fromEntries(this.outcomes),
    };
  }
}
