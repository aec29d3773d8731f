/**
 * An embedded oneM2M IN-CSE, in memory, over the HTTP binding: CSEBase, AE, container,
 * contentInstance (la/ol), flexContainer, subscription with HTTP notifications, discovery,
 * and an access control on X-M2M-Origin. A component of its own: it knows nothing of LwM2M.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ACCESS, type CseAccessConfig } from './access.js';
import { CseCore } from './cse.js';
import { httpHandler } from './http-binding.js';

export interface EmbeddedCseOptions {
  host?: string;
  /** 0: any free port */
  port?: number;
  /** CSE-ID without the slash (default id-in) */
  cseId?: string;
  /** CSEBase resource name (default cse-in) */
  cseName?: string;
  access?: Partial<CseAccessConfig>;
  /** largest request body in bytes (default 64 KiB) */
  bodyLimit?: number;
  /** resources at most (default 100000) */
  maxResources?: number;
  /** cap on a container's mni (default 1000) and mbs (default 1 MiB) */
  maxInstances?: number;
  maxBytes?: number;
  notificationTimeoutMs?: number;
  maxNotificationsInFlight?: number;
}

export class EmbeddedCse {
  readonly core: CseCore;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly opts: EmbeddedCseOptions = {}) {
    this.core = new CseCore({
      cseId: opts.cseId ?? 'id-in',
      cseName: opts.cseName ?? 'cse-in',
      access: { ...DEFAULT_ACCESS, ...opts.access },
      caps: { maxInstances: opts.maxInstances ?? 1000, maxBytes: opts.maxBytes ?? 1024 * 1024 },
      maxResources: opts.maxResources ?? 100_000,
      notificationTimeoutMs: opts.notificationTimeoutMs ?? 5000,
      maxNotificationsInFlight: opts.maxNotificationsInFlight ?? 256,
    });
  }

  /** Listens (on `port`, else the configured one); resolves with the port. Again after stop(): the resources are kept. */
  async start(port?: number): Promise<number> {
    const server = createServer({ maxHeaderSize: 16 * 1024 }, httpHandler(this.core, this.opts.bodyLimit ?? 64 * 1024));
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port ?? this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** The base URL of the CSE (http://host:port). */
  get url(): string {
    const host = this.opts.host ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.core.notifier.stop();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export { RSC, httpStatusOf, type Rsc } from './status.js';
export type { CseAccessConfig } from './access.js';
