/** Messages an MQTT link could not send (too large, refused): counted and warned about. */
import type { Logger } from '../../log.js';

/** Messages a link could not send: counted, with a warning at most once per 10 s. */
export class RejectCounter {
  count = 0;
  private lastWarn = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  reject(topic: string, reason: string): void {
    this.count++;
    const now = Date.now();
    if (now - this.lastWarn < 10_000) return;
    this.lastWarn = now;
    this.logger.warn(`${this.what}: message not sent`, { topic, reason, rejectedTotal: this.count });
  }
}
