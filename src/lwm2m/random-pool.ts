/**
 * Random bytes drawn from a pooled buffer: one `randomFillSync` of 4 KiB serves hundreds
 * of tokens and ids instead of a synchronous `randomBytes` call each (registrations,
 * observations and the bindings' message tokens ask for one or two per device). The bytes are as unpredictable as
 * `randomBytes`' own; each byte is handed out once.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;

export class RandomPool {
  private readonly pool = Buffer.allocUnsafeSlow(POOL_SIZE);
  private offset = POOL_SIZE;

  /** `n` fresh random bytes, copied into a Uint8Array of their own (n <= 4096). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.take(n));
    return out;
  }

  /** `n` fresh random bytes in a Buffer of their own (n <= 4096), e.g. a CoAP token. */
  buffer(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.take(n).copy(out);
    return out;
  }

  /** `n` fresh random bytes as base64url text (n <= 4096; 9 bytes -> 12 characters). */
  base64url(n: number): string {
    return this.take(n).toString('base64url');
  }

  /** `n` fresh random bytes as lower-case hex text. */
  hex(n: number): string {
    return this.take(n).toString('hex');
  }

  /** A view of the next `n` unused bytes (valid until the next call). */
  private take(n: number): Buffer {
    if (n > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} random bytes at once`);
    if (this.offset + n > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const view = this.pool.subarray(this.offset, this.offset + n);
    this.offset += n;
    return view;
  }
}

/** The process-wide pool (the core's ids and tokens, the bindings' message tokens). */
export const randomPool = new RandomPool();
