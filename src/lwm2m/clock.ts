/** Time as the core sees it, so tests can move it (lifetime expiry, queue TTL). */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** run `fn` after `ms`; the timer never keeps the process alive (unref'd) */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** A timer of the system clock (a class: no closure made per timer on the request path). */
class SystemTimer implements TimerHandle {
  constructor(private readonly t: NodeJS.Timeout) {}

  cancel(): void {
    clearTimeout(this.t);
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    t.unref();
    return new SystemTimer(t);
  },
};
