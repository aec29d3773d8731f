/**
 * Stateless cookies for the HelloVerifyRequest (RFC 6347 4.2.1): an HMAC over the
 * client's address and its ClientHello parameters with a secret that rotates; a cookie
 * made with the current or the previous secret is accepted.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class CookieJar {
  private current = randomBytes(32);
  private previous = randomBytes(32);
  private rotatedAt: number;

  constructor(
    private readonly rotateMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {
    this.rotatedAt = now();
  }

  private rotate(): void {
    if (this.now() - this.rotatedAt < this.rotateMs) return;
    this.previous = this.current;
    this.current = randomBytes(32);
    this.rotatedAt = this.now();
  }

  private mac(secret: Buffer, peerKey: string, input: Buffer): Buffer {
    return createHmac('sha256', secret).update(peerKey).update(input).digest().subarray(0, 16);
  }

  make(peerKey: string, input: Buffer): Buffer {
    this.rotate();
    return this.mac(this.current, peerKey, input);
  }

  verify(peerKey: string, input: Buffer, cookie: Buffer): boolean {
    if (cookie.length !== 16) return false;
    this.rotate();
    return timingSafeEqual(cookie, this.mac(this.current, peerKey, input)) || timingSafeEqual(cookie, this.mac(this.previous, peerKey, input));
  }
}
