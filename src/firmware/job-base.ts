/**
 * What every device job (firmware object 5, software object 9) shares: its progress and
 * events, one timer bounding the whole job, waits that end on a notification or a
 * registration event (or on abort: timeout, cancel), observations forgotten at the end,
 * and a poll of the object instance when the device took no observation.
 */
import type { CoreApi } from '../lwm2m/server/index.js';
import type { NotificationEvent, OperationResult, Registration } from '../lwm2m/server/types.js';
import type { LwM2mNode } from '../lwm2m/node.js';
import type { TimerHandle } from '../lwm2m/clock.js';

/** What a job uses of the core. */
export type JobCore = Pick<CoreApi, 'read' | 'write' | 'execute' | 'observe' | 'create' | 'cancelObservation' | 'getRegistration' | 'clock' | 'on' | 'off'>;

export type JobPhase = 'starting' | 'checking' | 'delivering' | 'downloaded' | 'updating' | 'verifying' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
export type DeliveryMethod = 'push' | 'pull';

export type JobErrorCode =
  | 'NOT_REGISTERED'
  | 'REQUEST_FAILED' // a read, write or execute the device refused or never answered
  | 'NO_DELIVERY_METHOD' // nothing the device supports can be offered
  | 'UPDATE_RESULT' // the device reported a failure Update Result
  | 'VERSION_MISMATCH' // it came back with another version
  | 'TIMEOUT'
  | 'CANCELLED';

export interface JobProgress {
  endpoint: string;
  imageId: string;
  phase: JobPhase;
  method?: DeliveryMethod;
  /** the device's state resource (/5/0/3, /9/x/7) as last seen */
  state?: number;
  /** the device's update result (/5/0/5, /9/x/9) as last seen, and its meaning */
  result?: number;
  resultText?: string;
  /** bytes of the image delivered (push: all of it once written; pull: served to the device) */
  bytes: number;
  size: number;
  startedAt: number;
  updatedAt: number;
  /** the version the device runs (firmware: /3/0/3; software: /9/x/1), once read */
  firmwareVersion?: string;
  error?: { code: JobErrorCode; message: string };
  note?: string;
}

export interface JobBaseOptions {
  endpoint: string;
  image: { id: string; version: string; size: number };
  deviceTimeoutMs: number;
  /** re-read the instance this often while waiting when the device took no observation (default 30 s) */
  pollMs?: number;
  onProgress?: (p: JobProgress) => void;
}

export class JobAbort extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const ok = (r: OperationResult): boolean => r.success;
export const why = (what: string, r: OperationResult): string => `${what}: ${r.code ?? r.error?.code ?? 'failed'}${r.error ? ` (${r.error.message})` : ''}`;

export abstract class JobBase<O extends JobBaseOptions = JobBaseOptions> {
  readonly progress: JobProgress;
  private readonly waiters = new Set<() => void>();
  private abortError: JobAbort | undefined;
  private timer: TimerHandle | undefined;
  private pollTimer: TimerHandle | undefined;
  private observed = 0;
  private readonly observations: string[] = [];
  private done: Promise<JobProgress> | undefined;
  /** cancelled without telling the device (the gateway stops) */
  protected noReset = false;
  /** a Register (`register`) or Update (`update`) of the device seen since `watchReturn()` */
  protected cameBack: 'register' | 'update' | undefined;
  private watchingReturn = false;

  /** the object whose notifications the job follows (5, 9) */
  protected abstract readonly objectId: number;
  /** the instance it works on */
  protected readonly instanceId: number = 0;

  constructor(
    protected readonly core: JobCore,
    protected readonly o: O,
  ) {
    const now = core.clock.now();
    this.progress = { endpoint: o.endpoint, imageId: o.image.id, phase: 'starting', bytes: 0, size: o.image.size, startedAt: now, updatedAt: now };
  }

  /** The job's own steps; throws JobAbort on failure. */
  protected abstract steps(): Promise<void>;
  /** State and result out of a node read or notified at resource `at` (undefined: the instance). */
  protected abstract absorb(node: LwM2mNode | undefined, at: number | undefined): void;
  /** A cancelled job's device is left in a state to undo (a download begun). */
  protected abstract resetDevice(): void;

  get finished(): boolean {
    return ['succeeded', 'failed', 'cancelled', 'skipped'].includes(this.progress.phase);
  }

  /** Runs the job to its end (never rejects: failures are in the progress). */
  run(): Promise<JobProgress> {
    this.done ??= this.execute();
    return this.done;
  }

  /** Ends the job as cancelled (`reset: false`: the device is not told). */
  cancel(reason = 'cancelled', o: { reset?: boolean } = {}): void {
    this.noReset = o.reset === false;
    this.abort(new JobAbort('CANCELLED', reason));
  }

  /** Bytes of the image served to the device (pull). */
  addBytes(n: number): void {
    if (this.finished) return;
    this.progress.bytes = Math.min(this.progress.size, this.progress.bytes + n);
    this.emit();
  }

  protected abort(e: JobAbort): void {
    if (this.abortError || this.finished) return;
    this.abortError = e;
    this.kick();
  }

  protected emit(patch: Partial<JobProgress> = {}): void {
    Object.assign(this.progress, patch, { updatedAt: this.core.clock.now() });
    try {
      this.o.onProgress?.({ ...this.progress });
    } catch {
      // a listener's failure is not the job's
    }
  }

  protected kick(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `pred` holds (checked on every notification and registration event); rejects on abort. */
  protected until(pred: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.abortError) {
          this.waiters.delete(check);
          reject(this.abortError);
        } else if (pred()) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** `p`, unless the job is aborted first. */
  protected step<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.until(() => false) as Promise<never>]);
  }

  /** From now on a Register or Update of the device sets `cameBack` (reset it to wait for the next). */
  protected watchReturn(): void {
    this.watchingReturn = true;
  }

  private readonly onNotification = (e: NotificationEvent): void => {
    if (e.registration.endpoint !== this.o.endpoint) return;
    const p = e.observation.paths[0];
    if (e.observation.composite || p?.objectId !== this.objectId || p.instanceId !== this.instanceId) return;
    this.absorb(e.node, p.resourceId);
  };

  private readonly onRegistered = (r: Registration): void => this.back(r, 'register');
  private readonly onUpdated = (r: Registration): void => this.back(r, 'update');

  private back(r: Registration, how: 'register' | 'update'): void {
    if (r.endpoint !== this.o.endpoint || !this.watchingReturn) return;
    if (this.cameBack !== 'register') this.cameBack = how;
    this.kick();
  }

  private get base(): string {
    return `/${this.objectId}/${this.instanceId}`;
  }

  /** Observes resource `rid` of the instance (a device that refuses is polled instead). */
  protected async observe(rid: number): Promise<void> {
    const r = await this.step(this.core.observe(this.o.endpoint, `${this.base}/${rid}`));
    if (r.success && r.observationId) {
      this.observations.push(r.observationId);
      this.observed++;
      this.absorb(r.node, rid);
    }
  }

  /** Reads the instance again. */
  protected async refresh(): Promise<void> {
    const r = await this.step(this.core.read(this.o.endpoint, this.base));
    if (r.success) this.absorb(r.node, undefined);
  }

  /** Without `wanted` observations, the instance is read again now and then while waiting. */
  protected startPolling(wanted: number): void {
    if (this.observed >= wanted || this.pollTimer) return;
    const every = this.o.pollMs ?? 30_000;
    const tick = (): void => {
      if (this.finished || this.abortError) return;
      void this.refresh()
        .catch(() => undefined)
        .then(() => {
          if (!this.finished && !this.abortError) this.pollTimer = this.core.clock.setTimer(every, tick);
        });
    };
    this.pollTimer = this.core.clock.setTimer(every, tick);
  }

  private async execute(): Promise<JobProgress> {
    const { core, o } = this;
    core.on('notification', this.onNotification);
    core.on('registered', this.onRegistered);
    core.on('updated', this.onUpdated);
    this.timer = core.clock.setTimer(o.deviceTimeoutMs, () => this.abort(new JobAbort('TIMEOUT', `no end within ${Math.round(o.deviceTimeoutMs / 1000)} s (phase ${this.progress.phase})`)));
    try {
      await this.steps();
    } catch (e) {
      const err = e instanceof JobAbort ? e : new JobAbort('REQUEST_FAILED', e instanceof Error ? e.message : String(e));
      const cancelled = err.code === 'CANCELLED';
      if (cancelled && !this.noReset) this.resetDevice();
      this.emit({ phase: cancelled ? 'cancelled' : 'failed', error: { code: err.code, message: err.message } });
    } finally {
      this.timer.cancel();
      this.pollTimer?.cancel();
      core.off('notification', this.onNotification);
      core.off('registered', this.onRegistered);
      core.off('updated', this.onUpdated);
      for (const id of this.observations) void core.cancelObservation(o.endpoint, id, { passive: true }).catch(() => undefined);
      this.waiters.clear();
    }
    return { ...this.progress };
  }
}
