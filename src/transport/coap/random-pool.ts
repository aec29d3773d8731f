/**
 * Random bytes for tokens drawn from a pooled buffer: one `randomFillSync` of 4 KiB
 * serves 512 tokens instead of a synchronous `randomBytes` call each. The bytes are as
 * unpredictable as `randomBytes`' own; each byte is handed out once.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;

export class TokenRandom {
  private readonly pool = Buffer.allocUnsafeSlow(POOL_SIZE);
  private offset = POOL_SIZE;

  /** `n` fresh random bytes in a Buffer of their own (n <= 4096). */
  bytes(n: number): Buffer {
    if (n > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} random bytes at once`);
    if (this.offset + n > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = Buffer.allocUnsafe(n);
    this.pool.copy(out, 0, this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

/** The transport's process-wide pool. */
export const tokenRandom = new TokenRandom();
