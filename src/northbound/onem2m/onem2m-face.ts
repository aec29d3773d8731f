/**
 * The oneM2M face: the IPE (ipe.ts) on a CSE over the HTTP binding, with its notification
 * listener (the point of access) and the Outbox that holds requests while the CSE is down.
 * It talks to the CSE over HTTP only (an external one, or the gateway's embedded CSE,
 * whose URL the composition root puts in onem2m.cse.url).
 */
import type { GatewayConfig } from '../../config/schema.js';
import { FaceStartError } from '../face.js';
import type { Face, FaceDeps, FaceKind, FacePorts, FaceStats, ReadinessPart } from '../face.js';
import { CseClient } from './cse-client.js';
import { Ipe } from './ipe.js';
import { NotifyListener } from './notify-listener.js';
import { Outbox } from './outbox.js';

export class OneM2mFace implements Face {
  readonly name = 'onem2m';
  private listener: NotifyListener | undefined;
  private client: CseClient | undefined;
  outbox: Outbox | undefined;
  ipe: Ipe | undefined;

  constructor(private readonly d: FaceDeps) {}

  async start(): Promise<FacePorts> {
    const c = this.d.config.onem2m;
    if (!c.cse.url) throw new FaceStartError('onem2m.cse.url: no CSE to talk to (the embedded CSE did not start)');
    this.client = new CseClient({ url: c.cse.url.replace(/\/+$/, ''), release: c.release, timeoutMs: 10_000 });
    this.outbox = new Outbox({ capacity: c.bufferSize, retry: c.retry, logger: this.d.logger, onReachable: (up) => this.d.logger.info(up ? 'oneM2M CSE reachable' : 'oneM2M CSE unreachable') });
    this.listener = new NotifyListener(
      (n) => this.ipe?.command(n),
      (n) => this.ipe?.watch(n),
    );
    let port: number;
    try {
      port = await this.listener.start(c.notify.host, c.notify.port);
    } catch (e) {
      throw new FaceStartError(`onem2m.notify: cannot listen on ${c.notify.host}:${c.notify.port} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const host = c.notify.host.includes(':') ? `[${c.notify.host}]` : c.notify.host;
    const poa = (c.poa ?? `http://${host}:${port}`).replace(/\/+$/, '');
    const listener = this.listener;
    this.ipe = new Ipe({
      commandRoute: (...a) => listener.commandRoute(...a),
      watchRoute: (...a) => listener.watchRoute(...a),
      core: this.d.core,
      models: this.d.models,
      mappings: () => this.d.mappings?.current,
      client: this.client,
      outbox: this.outbox,
      config: c,
      poa,
      logger: this.d.logger,
    });
    this.ipe.start();
    this.d.logger.info('oneM2M IPE started', { cse: c.cse.url, notifyPort: port });
    return { onem2mNotify: port };
  }

  async stop(): Promise<void> {
    this.ipe?.stop();
    this.ipe = undefined;
    this.outbox?.stop();
    this.client?.stop();
    await this.listener?.stop();
    this.listener = undefined;
  }

  mappingsReloaded(): void {
    this.ipe?.reload();
  }

  readiness(): ReadinessPart[] {
    const up = this.outbox?.reachable ?? false;
    return [{ name: 'onem2m.cse', ready: up, ...(up ? {} : { detail: 'the CSE is unreachable' }) }];
  }

  stats(): FaceStats {
    return { sent: this.outbox?.sent ?? 0, buffered: this.outbox?.length ?? 0, dropped: this.outbox?.dropped ?? 0 };
  }
}

export const onem2mFace: FaceKind = {
  name: 'onem2m',
  enabled: (config: GatewayConfig) => config.onem2m.enabled,
  create: (deps) => new OneM2mFace(deps),
};
