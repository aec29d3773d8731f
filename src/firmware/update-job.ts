/**
 * One device's firmware update (object 5), as the specification's state machine: read
 * what the device supports (/5/0/8 Protocol Support, /5/0/9 Delivery Method), observe
 * State (/5/0/3) and Update Result (/5/0/5), deliver the image by push (a write of
 * /5/0/0, which the CoAP binding sends block-wise) or pull (a write of the Package URI
 * /5/0/1 that the gateway serves), execute Update (/5/0/2) once the device is in state 2
 * (downloaded), then expect it to come back (Register or Update) with the expected
 * firmware version in /3/0/3. Every failure Update Result (2..11) ends the job with its
 * meaning; one timer bounds the whole job.
 *
 * It knows no socket: it speaks to the core's public API (a sleeping queue-mode device
 * gets each request when it wakes, the core's queue does that), and runs on the core's
 * clock, so it is tested with an in-process device.
 */
import type { CoreApi } from '../lwm2m/server/index.js';
import type { NotificationEvent, OperationResult, Registration } from '../lwm2m/server/types.js';
import type { LwM2mNode } from '../lwm2m/node.js';
import type { TimerHandle } from '../lwm2m/clock.js';
import { intList, intValue, resourceValue, stringValue } from './node-values.js';
import { DELIVERY, FW, PROTOCOL_SCHEMES, resultMeaning } from './results.js';

/** What a job uses of the core. */
export type JobCore = Pick<CoreApi, 'read' | 'write' | 'execute' | 'observe' | 'cancelObservation' | 'getRegistration' | 'clock' | 'on' | 'off'>;

export type JobPhase = 'starting' | 'checking' | 'delivering' | 'downloaded' | 'updating' | 'verifying' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
export type DeliveryMethod = 'push' | 'pull';

export type JobErrorCode =
  | 'NOT_REGISTERED'
  | 'REQUEST_FAILED' // a read, write or execute the device refused or never answered
  | 'NO_DELIVERY_METHOD' // nothing the device supports can be offered
  | 'UPDATE_RESULT' // the device reported a failure Update Result (2..11)
  | 'VERSION_MISMATCH' // it came back with another firmware version
  | 'TIMEOUT'
  | 'CANCELLED';

export interface JobProgress {
  endpoint: string;
  imageId: string;
  phase: JobPhase;
  method?: DeliveryMethod;
  /** the device's /5/0/3 as last seen */
  state?: number;
  /** the device's /5/0/5 as last seen, and its meaning */
  result?: number;
  resultText?: string;
  /** bytes of the image delivered (push: all of it once written; pull: served to the device) */
  bytes: number;
  size: number;
  startedAt: number;
  updatedAt: number;
  /** the version the device runs, once read */
  firmwareVersion?: string;
  error?: { code: JobErrorCode; message: string };
  note?: string;
}

/** Attributes a campaign asks of a device before it updates it (read from /3/0). */
export interface DeviceFilter {
  firmwareVersion?: string;
  manufacturer?: string;
  model?: string;
}

export interface UpdateJobOptions {
  endpoint: string;
  image: { id: string; version: string; size: number };
  /** the image's bytes, for a push */
  bytes: () => Promise<Uint8Array>;
  /** Package URIs this job may hand out, by scheme ('http', 'https', 'coap', 'coaps') */
  pullUrls: Readonly<Record<string, string>>;
  /** 'auto' (default): pull when the device and the gateway both can, else push */
  method?: DeliveryMethod | 'auto';
  deviceTimeoutMs: number;
  pushTimeoutMs: number;
  filter?: DeviceFilter;
  /** re-read /5/0 this often while waiting when the device took no observation (default 30 s) */
  pollMs?: number;
  onProgress?: (p: JobProgress) => void;
}

class JobAbort extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ok = (r: OperationResult): boolean => r.success;
const why = (what: string, r: OperationResult): string => `${what}: ${r.code ?? r.error?.code ?? 'failed'}${r.error ? ` (${r.error.message})` : ''}`;

export class UpdateJob {
  readonly progress: JobProgress;
  private readonly waiters = new Set<() => void>();
  private abortError: JobAbort | undefined;
  private timer: TimerHandle | undefined;
  private pollTimer: TimerHandle | undefined;
  private observed = 0;
  private readonly observations: string[] = [];
  /** set by a Register or Update of the device after the Update was executed */
  private cameBack = false;
  private executed = false;
  private done: Promise<JobProgress> | undefined;
  private noReset = false;

  constructor(
    private readonly core: JobCore,
    private readonly o: UpdateJobOptions,
  ) {
    const now = core.clock.now();
    this.progress = { endpoint: o.endpoint, imageId: o.image.id, phase: 'starting', bytes: 0, size: o.image.size, startedAt: now, updatedAt: now };
  }

  get finished(): boolean {
    return ['succeeded', 'failed', 'cancelled', 'skipped'].includes(this.progress.phase);
  }

  /** Runs the job to its end (never rejects: failures are in the progress). */
  run(): Promise<JobProgress> {
    this.done ??= this.execute();
    return this.done;
  }

  /** Ends the job as cancelled (a device in the middle of a download is told to go back to idle). */
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

  private abort(e: JobAbort): void {
    if (this.abortError || this.finished) return;
    this.abortError = e;
    this.kick();
  }

  private emit(patch: Partial<JobProgress> = {}): void {
    Object.assign(this.progress, patch, { updatedAt: this.core.clock.now() });
    try {
      this.o.onProgress?.({ ...this.progress });
    } catch {
      // a listener's failure is not the job's
    }
  }

  private kick(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `pred` holds (checked on every notification and registration event); rejects on abort. */
  private until(pred: () => boolean): Promise<void> {
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
  private step<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.until(() => false) as Promise<never>]);
  }

  private readonly onNotification = (e: NotificationEvent): void => {
    if (e.registration.endpoint !== this.o.endpoint) return;
    const p = e.observation.paths[0];
    if (e.observation.composite || p?.objectId !== FW.OBJECT) return;
    this.absorb(e.node, p.resourceId);
  };

  private readonly onBack = (r: Registration): void => {
    if (r.endpoint !== this.o.endpoint || !this.executed) return;
    this.cameBack = true;
    this.kick();
  };

  /** State and Update Result from a read or a notification of /5/0, /5/0/3 or /5/0/5. */
  private absorb(node: LwM2mNode | undefined, at: number | undefined): void {
    const state = at === undefined || at === FW.STATE ? intValue(resourceValue(node, FW.STATE)) : undefined;
    const result = at === undefined || at === FW.RESULT ? intValue(resourceValue(node, FW.RESULT)) : undefined;
    const patch: Partial<JobProgress> = {};
    if (state !== undefined && state !== this.progress.state) patch.state = state;
    if (result !== undefined && result !== this.progress.result) Object.assign(patch, { result, resultText: resultMeaning(result) });
    if (Object.keys(patch).length === 0) return;
    this.emit(patch);
    this.kick();
  }

  private failedResult(): boolean {
    const r = this.progress.result;
    return r !== undefined && r >= 2;
  }

  private async execute(): Promise<JobProgress> {
    const { core, o } = this;
    core.on('notification', this.onNotification);
    core.on('registered', this.onBack);
    core.on('updated', this.onBack);
    this.timer = core.clock.setTimer(o.deviceTimeoutMs, () => this.abort(new JobAbort('TIMEOUT', `no end within ${Math.round(o.deviceTimeoutMs / 1000)} s (phase ${this.progress.phase})`)));
    try {
      await this.steps();
    } catch (e) {
      const err = e instanceof JobAbort ? e : new JobAbort('REQUEST_FAILED', e instanceof Error ? e.message : String(e));
      const cancelled = err.code === 'CANCELLED';
      if (cancelled && !this.noReset && (this.progress.state === 1 || this.progress.state === 2)) {
        // back to idle: an empty Package URI resets the state machine
        void core.write(o.endpoint, '/5/0/1', { kind: 'resource', id: FW.PACKAGE_URI, type: 'string', value: '' }).catch(() => undefined);
      }
      this.emit({ phase: cancelled ? 'cancelled' : 'failed', error: { code: err.code, message: err.message } });
    } finally {
      this.timer.cancel();
      this.pollTimer?.cancel();
      core.off('notification', this.onNotification);
      core.off('registered', this.onBack);
      core.off('updated', this.onBack);
      for (const id of this.observations) void core.cancelObservation(o.endpoint, id, { passive: true }).catch(() => undefined);
      this.waiters.clear();
    }
    return { ...this.progress };
  }

  private async steps(): Promise<void> {
    const { core, o } = this;
    const ep = o.endpoint;
    if (!core.getRegistration(ep)) throw new JobAbort('NOT_REGISTERED', `no device "${ep}" is registered`);
    this.emit({ phase: 'checking' });
    const dev = await this.step(core.read(ep, '/3/0'));
    if (!ok(dev)) throw new JobAbort('REQUEST_FAILED', why('read /3/0', dev));
    const version = stringValue(resourceValue(dev.node, 3));
    if (version !== undefined) this.emit({ firmwareVersion: version });
    const f = o.filter;
    if (f) {
      const mismatch =
        (f.firmwareVersion !== undefined && version !== f.firmwareVersion) ||
        (f.manufacturer !== undefined && stringValue(resourceValue(dev.node, 0)) !== f.manufacturer) ||
        (f.model !== undefined && stringValue(resourceValue(dev.node, 1)) !== f.model);
      if (mismatch && version !== o.image.version) {
        this.emit({ phase: 'skipped', note: 'the device does not match the campaign filter' });
        return;
      }
    }
    if (version === o.image.version) {
      this.emit({ phase: 'succeeded', note: 'the device already runs this version' });
      return;
    }
    const fw = await this.step(core.read(ep, '/5/0'));
    if (!ok(fw)) throw new JobAbort('REQUEST_FAILED', why('read /5/0', fw));
    this.absorb(fw.node, undefined);
    const method = this.chooseMethod(fw.node);
    this.emit({ method });
    if (this.progress.state !== undefined && this.progress.state !== 0) {
      // left over from an earlier attempt: back to idle first
      await this.step(core.write(ep, '/5/0/1', { kind: 'resource', id: FW.PACKAGE_URI, type: 'string', value: '' }));
    }
    await this.observe('/5/0/3');
    await this.observe('/5/0/5');
    this.emit({ phase: 'delivering', result: undefined, resultText: undefined });
    if (method === 'push') {
      const bytes = await this.step(o.bytes());
      const w = await this.step(core.write(ep, '/5/0/0', { kind: 'resource', id: FW.PACKAGE, type: 'opaque', value: bytes }, { timeoutMs: o.pushTimeoutMs, format: 42 }));
      if (!ok(w)) {
        await this.refresh();
        if (this.failedResult()) throw this.resultError();
        throw new JobAbort('REQUEST_FAILED', why('write /5/0/0', w));
      }
      this.emit({ bytes: o.image.size });
    } else {
      const url = this.pullUrl(fw.node)!;
      const w = await this.step(core.write(ep, '/5/0/1', { kind: 'resource', id: FW.PACKAGE_URI, type: 'string', value: url }));
      if (!ok(w)) throw new JobAbort('REQUEST_FAILED', why('write /5/0/1', w));
    }
    this.startPolling();
    await this.until(() => this.progress.state === 2 || this.failedResult());
    if (this.failedResult()) throw this.resultError();
    this.emit({ phase: 'downloaded', bytes: o.image.size });
    this.executed = true;
    const x = await this.step(core.execute(ep, '/5/0/2'));
    if (!ok(x)) throw new JobAbort('REQUEST_FAILED', why('execute /5/0/2', x));
    this.emit({ phase: 'updating' });
    await this.until(() => this.cameBack || this.progress.result === 1 || this.failedResult());
    if (this.failedResult()) throw this.resultError();
    this.emit({ phase: 'verifying' });
    const v = await this.step(core.read(ep, '/3/0/3'));
    if (!ok(v)) throw new JobAbort('REQUEST_FAILED', why('read /3/0/3', v));
    const now = stringValue(resourceValue(v.node, 3));
    this.emit(now !== undefined ? { firmwareVersion: now } : {});
    if (now !== o.image.version) throw new JobAbort('VERSION_MISMATCH', `the device came back with version ${JSON.stringify(now ?? null)}, not ${JSON.stringify(o.image.version)}`);
    this.emit({ phase: 'succeeded' });
  }

  private resultError(): JobAbort {
    const r = this.progress.result!;
    return new JobAbort('UPDATE_RESULT', `update result ${r}: ${resultMeaning(r)}`);
  }

  private async observe(path: string): Promise<void> {
    const r = await this.step(this.core.observe(this.o.endpoint, path));
    if (r.success && r.observationId) {
      this.observations.push(r.observationId);
      this.observed++;
      this.absorb(r.node, Number(path.split('/')[3]));
    }
  }

  private async refresh(): Promise<void> {
    const r = await this.step(this.core.read(this.o.endpoint, '/5/0'));
    if (r.success) this.absorb(r.node, undefined);
  }

  /** Without both observations, /5/0 is read again now and then while waiting. */
  private startPolling(): void {
    if (this.observed >= 2) return;
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

  private pullUrl(node: LwM2mNode | undefined): string | undefined {
    const protocols = intList(resourceValue(node, FW.PROTOCOLS));
    const offered = this.o.pullUrls;
    // without /5/0/8 (optional in 1.0): CoAP first, the constrained device's own protocol
    const order = protocols && protocols.length > 0 ? protocols.map((p) => PROTOCOL_SCHEMES[p]) : ['coap', 'coaps', 'http', 'https'];
    for (const scheme of order) if (scheme && offered[scheme]) return offered[scheme];
    return undefined;
  }

  private chooseMethod(node: LwM2mNode | undefined): DeliveryMethod {
    const delivery = intValue(resourceValue(node, FW.DELIVERY)) ?? DELIVERY.BOTH;
    const canPull = delivery !== DELIVERY.PUSH && this.pullUrl(node) !== undefined;
    const canPush = delivery !== DELIVERY.PULL;
    const want = this.o.method ?? 'auto';
    if (want === 'pull' && canPull) return 'pull';
    if (want === 'push' && canPush) return 'push';
    if (want === 'auto' && canPull) return 'pull';
    if (want === 'auto' && canPush) return 'push';
    throw new JobAbort('NO_DELIVERY_METHOD', `the device offers ${delivery === DELIVERY.PULL ? 'pull only' : delivery === DELIVERY.PUSH ? 'push only' : 'push and pull'} and the gateway ${canPull ? 'can' : 'has no Package URI it supports for'} pull (firmware.publicUrl, firmware.coapUrl)`);
  }
}
