/** Rate-limited warnings for messages a link's full outbound buffer dropped. */
import type { Logger } from '../../log.js';

export interface OverflowReporterOptions {
  logger: Logger;
  /** what the warning names, e.g. "mqtt external" */
  what: string;
  capacity: number;
  /** at most one warning per interval; default 10 s */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Counts dropped messages and logs a warning at the first drop, then at most one per interval
 * with the number dropped since the previous warning.
 */
export class OverflowReporter {
  private total = 0;
  private sinceLog = 0;
  private lastLog = -Infinity;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OverflowReporterOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get dropped(): number {
    return this.total;
  }

  drop(topic: string, count = 1): void {
    this.total += count;
    this.sinceLog += count;
    const t = this.now();
    if (t - this.lastLog < this.intervalMs) return;
    this.lastLog = t;
    this.options.logger.warn(`${this.options.what}: outbound buffer full, oldest messages dropped`, {
      dropped: this.sinceLog,
      droppedTotal: this.total,
      bufferSize: this.options.capacity,
      lastTopic: topic,
    });
    this.sinceLog = 0;
  }
}
