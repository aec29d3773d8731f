/**
 * One device's software package install (object 9, Software Management), on the same
 * footing as the firmware job: read the instance (created when the device has none),
 * uninstall what it holds when it is not the package's version, observe Update State
 * (/9/x/7) and Update Result (/9/x/9), deliver the package by push (write /9/x/2) or
 * pull (write the Package URI /9/x/3), wait for Delivered (3), execute Install (/9/x/4),
 * wait for Installed (4), then Activate (/9/x/10) when asked, and check PkgVersion
 * (/9/x/1) when the device reports one. Update Results 50 and above are failures,
 * reported with their meaning.
 */
import type { LwM2mNode } from '../lwm2m/node.js';
import { JobAbort, JobBase, ok, why, type DeliveryMethod, type JobBaseOptions, type JobCore, type JobProgress } from './job-base.js';
import { intValue, resourceValue, stringValue } from './node-values.js';
import { SW, swResultMeaning } from './results.js';

export interface SoftwareJobOptions extends JobBaseOptions {
  bytes: () => Promise<Uint8Array>;
  /** Package URIs this job may hand out, by scheme */
  pullUrls: Readonly<Record<string, string>>;
  method?: DeliveryMethod | 'auto';
  pushTimeoutMs: number;
  /** the object 9 instance (default 0) */
  instance?: number;
  /** execute Activate once installed (default true) */
  activate?: boolean;
}

const FAILED = 50;

export class SoftwareJob extends JobBase<SoftwareJobOptions> {
  protected readonly objectId = SW.OBJECT;
  protected override readonly instanceId: number;

  constructor(core: JobCore, o: SoftwareJobOptions) {
    super(core, o);
    this.instanceId = o.instance ?? 0;
  }

  private path(rid?: number): string {
    return `/9/${this.instanceId}${rid === undefined ? '' : `/${rid}`}`;
  }

  protected absorb(node: LwM2mNode | undefined, at: number | undefined): void {
    const state = at === undefined || at === SW.STATE ? intValue(resourceValue(node, SW.STATE)) : undefined;
    const result = at === undefined || at === SW.RESULT ? intValue(resourceValue(node, SW.RESULT)) : undefined;
    const version = at === undefined || at === SW.PKG_VERSION ? stringValue(resourceValue(node, SW.PKG_VERSION)) : undefined;
    const patch: Partial<JobProgress> = {};
    if (state !== undefined && state !== this.progress.state) patch.state = state;
    if (result !== undefined && result !== this.progress.result) Object.assign(patch, { result, resultText: swResultMeaning(result) });
    if (version !== undefined && version !== '' && version !== this.progress.firmwareVersion) patch.firmwareVersion = version;
    if (Object.keys(patch).length === 0) return;
    this.emit(patch);
    this.kick();
  }

  private failedResult(): boolean {
    return (this.progress.result ?? 0) >= FAILED;
  }

  private resultError(): JobAbort {
    const r = this.progress.result!;
    return new JobAbort('UPDATE_RESULT', `update result ${r}: ${swResultMeaning(r)}`);
  }

  protected resetDevice(): void {
    const s = this.progress.state;
    if (s === 1 || s === 2 || s === 3) void this.core.execute(this.o.endpoint, this.path(SW.UNINSTALL)).catch(() => undefined);
  }

  private async exec(rid: number, what: string): Promise<void> {
    const r = await this.step(this.core.execute(this.o.endpoint, this.path(rid)));
    if (!ok(r)) throw new JobAbort('REQUEST_FAILED', why(`execute ${this.path(rid)} (${what})`, r));
  }

  private chooseMethod(): DeliveryMethod {
    const pull = ['coap', 'coaps', 'http', 'https'].find((s) => this.o.pullUrls[s]);
    const want = this.o.method ?? 'auto';
    if (want === 'pull' && !pull) throw new JobAbort('NO_DELIVERY_METHOD', 'the gateway has no Package URI to give (firmware.publicUrl, firmware.coapUrl)');
    return want === 'push' || !pull ? 'push' : 'pull';
  }

  protected async steps(): Promise<void> {
    const { core, o } = this;
    const ep = o.endpoint;
    if (!core.getRegistration(ep)) throw new JobAbort('NOT_REGISTERED', `no device "${ep}" is registered`);
    this.emit({ phase: 'checking' });
    let inst = await this.step(core.read(ep, this.path()));
    if (inst.code === '4.04') {
      const c = await this.step(core.create(ep, '/9', { kind: 'instance', id: this.instanceId, resources: new Map() }));
      if (!ok(c)) throw new JobAbort('REQUEST_FAILED', why(`create ${this.path()}`, c));
      inst = await this.step(core.read(ep, this.path()));
    }
    if (!ok(inst)) throw new JobAbort('REQUEST_FAILED', why(`read ${this.path()}`, inst));
    this.absorb(inst.node, undefined);
    if (this.progress.state === 4 && this.progress.firmwareVersion === o.image.version) {
      this.emit({ phase: 'succeeded', note: 'the device already has this version installed' });
      return;
    }
    const method = this.chooseMethod();
    this.emit({ method });
    await this.observe(SW.STATE);
    await this.observe(SW.RESULT);
    if (this.progress.state !== undefined && this.progress.state !== 0) {
      await this.exec(SW.UNINSTALL, 'the package it holds');
      this.startPolling(2);
      await this.until(() => this.progress.state === 0 || this.failedResult());
      if (this.failedResult()) throw this.resultError();
    }
    this.emit({ phase: 'delivering', result: undefined, resultText: undefined, firmwareVersion: undefined });
    if (method === 'push') {
      const bytes = await this.step(o.bytes());
      const w = await this.step(core.write(ep, this.path(SW.PACKAGE), { kind: 'resource', id: SW.PACKAGE, type: 'opaque', value: bytes }, { timeoutMs: o.pushTimeoutMs, format: 42 }));
      if (!ok(w)) throw new JobAbort('REQUEST_FAILED', why(`write ${this.path(SW.PACKAGE)}`, w));
      this.emit({ bytes: o.image.size });
    } else {
      const url = ['coap', 'coaps', 'http', 'https'].map((s) => o.pullUrls[s]).find((u) => u !== undefined)!;
      const w = await this.step(core.write(ep, this.path(SW.PACKAGE_URI), { kind: 'resource', id: SW.PACKAGE_URI, type: 'string', value: url }));
      if (!ok(w)) throw new JobAbort('REQUEST_FAILED', why(`write ${this.path(SW.PACKAGE_URI)}`, w));
    }
    this.startPolling(2);
    await this.until(() => this.progress.state === 3 || this.failedResult());
    if (this.failedResult()) throw this.resultError();
    this.emit({ phase: 'downloaded', bytes: o.image.size });
    await this.exec(SW.INSTALL, 'Install');
    this.emit({ phase: 'updating' });
    await this.until(() => this.progress.state === 4 || this.failedResult());
    if (this.failedResult()) throw this.resultError();
    if (o.activate ?? true) await this.exec(SW.ACTIVATE, 'Activate');
    this.emit({ phase: 'verifying' });
    await this.refresh();
    const v = this.progress.firmwareVersion;
    if (v !== undefined && v !== o.image.version) throw new JobAbort('VERSION_MISMATCH', `the device installed version ${JSON.stringify(v)}, not ${JSON.stringify(o.image.version)}`);
    this.emit({ phase: 'succeeded' });
  }
}
