/**
 * Listeners on the core's events that are removed together, and that never throw into
 * the core: a failing handler is logged.
 */
import type { Logger } from '../../log.js';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { ServerEvents } from '../../lwm2m/server/types.js';

type Emitter = { on(n: string, f: (...a: unknown[]) => void): unknown; off(n: string, f: (...a: unknown[]) => void): unknown };

export class ServerListeners {
  private readonly added: [string, (...a: unknown[]) => void][] = [];

  constructor(
    private readonly server: CoreApi,
    private readonly logger: Logger,
    private readonly label: string,
  ) {}

  on<K extends keyof ServerEvents>(name: K, fn: (...args: ServerEvents[K]) => void): void {
    const safe = (...args: unknown[]): void => {
      try {
        fn(...(args as ServerEvents[K]));
      } catch (e) {
        this.logger.error(`${this.label}: event handling failed`, { event: name, error: String(e) });
      }
    };
    (this.server as unknown as Emitter).on(name, safe);
    this.added.push([name, safe]);
  }

  clear(): void {
    for (const [name, fn] of this.added) (this.server as unknown as Emitter).off(name, fn);
    this.added.length = 0;
  }
}
