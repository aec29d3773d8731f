/** Callers of a link's flush(), waiting until nothing is buffered or in flight. */
export class DrainWaiters {
  private waiters: (() => void)[] = [];

  /** Resolves true when release() finds the link empty, false after `ms`. */
  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** Call whenever the link may have emptied; wakes the waiters when `empty`. */
  release(empty: boolean): void {
    if (!empty || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
