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
import type { LwM2mNode } from '../lwm2m/node.js';
import { JobAbort, JobBase, ok, why, type DeliveryMethod, type JobBaseOptions, type JobProgress } from './job-base.js';
import { intList, intValue, resourceValue, stringValue } from './node-values.js';
import { DELIVERY, FW, PROTOCOL_SCHEMES, resultMeaning } from './results.js';

export type { DeliveryMethod, JobCore, JobErrorCode, JobPhase, JobProgress } from './job-base.js';

/** Attributes a campaign asks of a device before it updates it (read from /3/0). */
export interface DeviceFilter {
  firmwareVersion?: string;
  manufacturer?: string;
  model?: string;
}

export interface UpdateJobOptions extends JobBaseOptions {
  /** the image's bytes, for a push */
  bytes: () => Promise<Uint8Array>;
  /** Package URIs this job may hand out, by scheme ('http', 'https', 'coap', 'coaps') */
  pullUrls: Readonly<Record<string, string>>;
  /** 'auto' (default): pull when the device and the gateway both can, else push */
  method?: DeliveryMethod | 'auto';
  pushTimeoutMs: number;
  filter?: DeviceFilter;
}

export class UpdateJob extends JobBase<UpdateJobOptions> {
  protected readonly objectId = FW.OBJECT;

  /** State and Update Result from a read or a notification of /5/0, /5/0/3 or /5/0/5. */
  protected absorb(node: LwM2mNode | undefined, at: number | undefined): void {
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

  protected resetDevice(): void {
    if (this.progress.state !== 1 && this.progress.state !== 2) return;
    // back to idle: an empty Package URI resets the state machine
    void this.core.write(this.o.endpoint, '/5/0/1', { kind: 'resource', id: FW.PACKAGE_URI, type: 'string', value: '' }).catch(() => undefined);
  }

  protected async steps(): Promise<void> {
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
    await this.observe(FW.STATE);
    await this.observe(FW.RESULT);
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
    this.startPolling(2);
    await this.until(() => this.progress.state === 2 || this.failedResult());
    if (this.failedResult()) throw this.resultError();
    this.emit({ phase: 'downloaded', bytes: o.image.size });
    this.watchReturn();
    const x = await this.step(core.execute(ep, '/5/0/2'));
    if (!ok(x)) throw new JobAbort('REQUEST_FAILED', why('execute /5/0/2', x));
    this.emit({ phase: 'updating' });
    for (;;) {
      await this.until(() => this.cameBack !== undefined || this.progress.result === 1 || this.failedResult());
      if (this.failedResult()) throw this.resultError();
      const how = this.cameBack;
      this.cameBack = undefined;
      this.emit({ phase: 'verifying' });
      const v = await this.step(core.read(ep, '/3/0/3'));
      if (!ok(v)) throw new JobAbort('REQUEST_FAILED', why('read /3/0/3', v));
      const now = stringValue(resourceValue(v.node, 3));
      this.emit(now !== undefined ? { firmwareVersion: now } : {});
      if (now === o.image.version) break;
      // an Update (a queue-mode device saying it is awake) while it still installs: wait on
      if (how === 'update' && this.progress.result !== 1) {
        await this.refresh();
        if (this.failedResult()) throw this.resultError();
        if (this.progress.result !== 1) {
          this.emit({ phase: 'updating' });
          continue;
        }
      }
      throw new JobAbort('VERSION_MISMATCH', `the device came back with version ${JSON.stringify(now ?? null)}, not ${JSON.stringify(o.image.version)}`);
    }
    this.emit({ phase: 'succeeded' });
  }

  private resultError(): JobAbort {
    const r = this.progress.result!;
    return new JobAbort('UPDATE_RESULT', `update result ${r}: ${resultMeaning(r)}`);
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
