/**
 * The anti-replay window of RFC 6347 4.1.2.6: 64 sequence numbers behind the highest one
 * accepted. `check` before decrypting, `accept` only once the record authenticated.
 */
const WINDOW = 64n;

export class ReplayWindow {
  private top = -1;
  private bits = 0n;

  /** the highest sequence number accepted (-1: none yet) */
  get highest(): number {
    return this.top;
  }

  /** false when `seq` was already accepted or lies left of the window */
  check(seq: number): boolean {
    if (seq > this.top) return true;
    const diff = BigInt(this.top - seq);
    if (diff >= WINDOW) return false;
    return (this.bits & (1n << diff)) === 0n;
  }

  accept(seq: number): void {
    if (seq > this.top) {
      const shift = this.top < 0 ? WINDOW : BigInt(seq - this.top);
      this.bits = shift >= WINDOW ? 1n : ((this.bits << shift) | 1n) & ((1n << WINDOW) - 1n);
      this.top = seq;
      return;
    }
    const diff = BigInt(this.top - seq);
    if (diff < WINDOW) this.bits |= 1n << diff;
  }
}
