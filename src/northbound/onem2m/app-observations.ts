/**
 * LwM2M observations that oneM2M applications ask for (TS-0014: a subscription on a
 * resource the IPE created starts an observation of what it stands for). Per device: the
 * subscriptions (by resource name) on each LwM2M path's value holder; the first one starts
 * an observation through the core's public API, the last one gone cancels it. An
 * observation the device had already (a mapping's, another face's) is used, never
 * cancelled here; nor is one a mapping of this face plans. Work runs one step at a time
 * per device, so a create and a delete in quick succession end in the right state.
 */
import type { Logger } from '../../log.js';
import type { CoreApi } from '../../lwm2m/server/index.js';

/** subscriptions followed per device, at most (a bound on what applications can make the IPE hold) */
export const MAX_WATCHED_SUBSCRIPTIONS = 1000;

interface Watched {
  /** resource names of the subscriptions on the path's value holder */
  subs: Set<string>;
  observationId?: string;
  /** started here (cancelled when the last subscription goes) */
  owned: boolean;
  /** a start is queued or under way */
  starting?: boolean;
}

export interface AppObservationsOptions {
  core: CoreApi;
  endpoint: string;
  /** true for a path a mapping of this face observes (never cancelled here) */
  planned: (path: string) => boolean;
  logger: Logger;
}

export class AppObservations {
  private readonly byPath = new Map<string, Watched>();
  private chain: Promise<void> = Promise.resolve();
  private count = 0;
  private closed = false;

  constructor(private readonly o: AppObservationsOptions) {}

  /** The LwM2M paths observed for applications now (tests, diagnostics). */
  observed(): string[] {
    return [...this.byPath].filter(([, w]) => w.observationId !== undefined).map(([p]) => p);
  }

  /** An application's subscription `rn` on the value holder of `path`. */
  add(path: string, rn: string): void {
    if (this.closed) return;
    let w = this.byPath.get(path);
    if (!w) this.byPath.set(path, (w = { subs: new Set(), owned: false }));
    if (w.subs.has(rn)) {
      // known already (found again by discovery): tried again if the device refused before
      if (w.observationId === undefined && !w.starting) this.queueStart(path, w);
      return;
    }
    if (this.count >= MAX_WATCHED_SUBSCRIPTIONS) {
      this.o.logger.warn('oneM2M: too many application subscriptions on one device, ignored', { endpoint: this.o.endpoint, max: MAX_WATCHED_SUBSCRIPTIONS });
      return;
    }
    w.subs.add(rn);
    this.count++;
    if (w.subs.size === 1) this.queueStart(path, w);
  }

  private queueStart(path: string, w: Watched): void {
    w.starting = true;
    this.run(async () => {
      try {
        await this.start(path);
      } finally {
        w.starting = false;
      }
    });
  }

  /** The subscription `rn` on the value holder of `path` was deleted. */
  remove(path: string, rn: string): void {
    const w = this.byPath.get(path);
    if (!w?.subs.delete(rn)) return;
    this.count--;
    if (w.subs.size === 0) this.run(() => this.stop(path));
  }

  /** The device went (its observations with it) or the face stops: nothing more is done. */
  close(): void {
    this.closed = true;
    this.byPath.clear();
  }

  /** The device is no longer mapped to oneM2M (a reload): the observations started here are cancelled, then nothing more is done. */
  release(): void {
    if (this.closed) return;
    const owned = [...this.byPath].filter(([p, w]) => w.owned && w.observationId !== undefined && !this.o.planned(p)).map(([, w]) => w.observationId!);
    this.close();
    this.chain = this.chain.then(async () => {
      for (const id of owned) await this.o.core.cancelObservation(this.o.endpoint, id);
    }).catch((e: unknown) => this.o.logger.warn('oneM2M: application observation failed', { endpoint: this.o.endpoint, error: String(e).slice(0, 200) }));
  }

  /** Resolves when every step asked so far has run (tests). */
  settled(): Promise<void> {
    return this.chain;
  }

  private run(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((e: unknown) => this.o.logger.warn('oneM2M: application observation failed', { endpoint: this.o.endpoint, error: String(e).slice(0, 200) }));
  }

  private async start(path: string): Promise<void> {
    const w = this.byPath.get(path);
    if (this.closed || !w || w.subs.size === 0 || w.observationId !== undefined) return;
    const { core, endpoint } = this.o;
    const existing = core.observations(endpoint).find((ob) => !ob.composite && ob.paths.length === 1 && String(ob.paths[0]) === path);
    if (existing) {
      w.observationId = existing.id;
      w.owned = false;
      return;
    }
    const r = await core.observe(endpoint, path);
    if (this.closed) return;
    if (r.success && r.observationId) {
      w.observationId = r.observationId;
      w.owned = true;
    } else this.o.logger.info('oneM2M: the device refused an observation an application asked for', { endpoint, path, code: r.code ?? r.error?.code });
  }

  private async stop(path: string): Promise<void> {
    const w = this.byPath.get(path);
    if (this.closed || !w || w.subs.size > 0) return;
    this.byPath.delete(path);
    if (!w.owned || w.observationId === undefined || this.o.planned(path)) return;
    const r = await this.o.core.cancelObservation(this.o.endpoint, w.observationId);
    if (!r.success) this.o.logger.debug('oneM2M: cancel failed', { endpoint: this.o.endpoint, path, code: r.code ?? r.error?.code });
  }
}
