/**
 * Firmware updates over the fleet: the image store, one update job per device at a time
 * (from REST, or from a campaign), the download tokens of pull delivery, and the
 * campaigns, persisted under `<data.dir>/firmware/` so that a restart resumes them. The
 * faces reach it through FirmwareApi (events `fota` per device, `campaign` per campaign).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FirmwareConfig } from '../config/firmware-config.js';
import type { Logger } from '../log.js';
import type { CoreApi } from '../lwm2m/server/index.js';
import { Campaign, totalsOf, type CampaignRecord, type CampaignSpec, type RunningDevice } from './campaign.js';
import { campaignSpecOf, InputError } from './campaign-input.js';
import { CampaignStore, CAMPAIGN_ID } from './campaign-store.js';
import { ImageError, ImageStore, type ImageInput, type ImageMeta } from './image-store.js';
import { UpdateJob, type DeliveryMethod, type JobCore, type JobProgress } from './update-job.js';
import { SoftwareJob } from './software-job.js';
import type { JobBase } from './job-base.js';
import type { CampaignView, Download, FirmwareApi, FirmwareEvents, FotaEvent } from './api.js';

export type ManagerCore = JobCore & Pick<CoreApi, 'registrations'>;

export interface FirmwareManagerOptions {
  core: ManagerCore;
  config: FirmwareConfig;
  /** `<data.dir>/firmware` */
  dir: string;
  logger: Logger;
}

/** Finished jobs remembered per endpoint (for GET), oldest forgotten first. */
const MAX_REMEMBERED = 10_000;

export function campaignView(r: CampaignRecord): CampaignView {
  return {
    id: r.id,
    name: r.spec.name,
    imageId: r.spec.imageId,
    status: r.status,
    createdAt: r.createdAt,
    ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt !== undefined ? { finishedAt: r.finishedAt } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    totals: totalsOf(r),
  };
}

export class FirmwareManager extends EventEmitter<FirmwareEvents> implements FirmwareApi {
  readonly images: ImageStore;
  private readonly store: CampaignStore;
  private readonly jobs = new Map<string, { job: JobBase; token: string; campaignId?: string }>();
  private readonly last = new Map<string, JobProgress>();
  private readonly tokens = new Map<string, { imageId: string; job: JobBase }>();
  private readonly campaignsById = new Map<string, Campaign>();
  private readonly announce = new Set<string>();
  private readonly cache = new Map<string, Promise<Buffer>>();
  private announcing = false;
  private started = false;

  constructor(private readonly o: FirmwareManagerOptions) {
    super();
    this.setMaxListeners(0);
    this.images = new ImageStore({ dir: join(o.dir, 'images'), maxImageBytes: o.config.maxImageBytes, maxImages: o.config.maxImages, logger: o.logger, now: () => o.core.clock.now() });
    this.store = new CampaignStore(join(o.dir, 'campaigns'), o.logger);
  }

  get config(): FirmwareConfig {
    return this.o.config;
  }

  /**
   * Reads the images and campaigns, and resumes the campaigns that were running (with
   * `resume: false`, only when `resume()` is called: once the bindings can reach devices).
   */
  start(o: { resume?: boolean } = {}): void {
    if (this.started) return;
    this.started = true;
    this.images.load();
    for (const r of this.store.load()) this.campaign$(r);
    if (o.resume !== false) this.resume();
  }

  /** Resumes the campaigns read at start that had not ended. */
  resume(): void {
    for (const c of this.campaignsById.values()) {
      if (c.ended || c.resumed) continue;
      this.o.logger.info('firmware: campaign resumed', { id: c.id, status: c.record.status });
      c.start();
    }
  }

  /** Halts the campaigns and the jobs (a campaign resumes on the next start) and writes what is pending. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const c of this.campaignsById.values()) c.halt();
    for (const { job } of this.jobs.values()) job.cancel('the gateway stopped', { reset: false });
    this.campaignsById.clear();
    this.tokens.clear();
    this.cache.clear();
    await this.store.flush();
  }

  // ---- images ----

  addImage(input: ImageInput, body: Buffer): Promise<ImageMeta> {
    return this.images.add(input, body);
  }

  /** Refused (false) while a job or an active campaign uses the image. */
  async removeImage(id: string): Promise<'removed' | 'notFound' | 'inUse'> {
    if (!this.images.get(id)) return 'notFound';
    const used = [...this.jobs.values()].some((j) => j.job.progress.imageId === id) || [...this.campaignsById.values()].some((c) => !c.ended && c.record.spec.imageId === id);
    if (used) return 'inUse';
    await this.images.remove(id);
    return 'removed';
  }

  // ---- jobs ----

  /** Starts updating one device; a job already running for it is an error. */
  updateDevice(endpoint: string, imageId: string, o: { method?: DeliveryMethod | 'auto'; instance?: number; activate?: boolean } = {}): JobProgress {
    if (this.jobs.has(endpoint)) throw new InputError(`an update of "${endpoint}" is running`);
    if (!this.o.core.getRegistration(endpoint)) throw new ImageError('NOT_FOUND', `no device "${endpoint}" is registered`);
    const job = this.newJob(endpoint, imageId, { method: o.method ?? 'auto', deviceTimeoutSec: this.o.config.deviceTimeout }, undefined, o);
    void job.run();
    return { ...job.progress };
  }

  job(endpoint: string): JobProgress | undefined {
    const running = this.jobs.get(endpoint);
    return running ? { ...running.job.progress } : this.last.get(endpoint);
  }

  cancelJob(endpoint: string): boolean {
    const running = this.jobs.get(endpoint);
    if (!running || running.campaignId !== undefined) return false;
    running.job.cancel();
    return true;
  }

  download(token: string): Download | undefined {
    if (token.length !== 32) return undefined;
    const t = this.tokens.get(token);
    const meta = t ? this.images.get(t.imageId) : undefined;
    if (!t || !meta) return undefined;
    return { image: meta, file: this.images.binPath(meta.id), served: (n) => t.job.addBytes(n) };
  }

  /** The bytes of a pull over CoAP (the binding slices them into Block2 blocks); the last few images are kept in memory. */
  async coapDownload(token: string): Promise<Uint8Array | undefined> {
    const d = this.download(token);
    if (!d) return undefined;
    let bytes = this.cache.get(d.image.id);
    if (!bytes) {
      bytes = this.images.bytes(d.image.id);
      this.cache.set(d.image.id, bytes);
      if (this.cache.size > 2) this.cache.delete(this.cache.keys().next().value!);
      bytes.catch(() => this.cache.delete(d.image.id));
    }
    const b = await bytes.catch(() => undefined);
    // the whole image leaves block by block from here: counted as served when the first block is asked for
    if (b) d.served(b.length);
    return b;
  }

  private newJob(endpoint: string, imageId: string, s: Pick<CampaignSpec, 'method' | 'deviceTimeoutSec' | 'filter'>, campaignId?: string, sw: { instance?: number; activate?: boolean } = {}): JobBase {
    const image = this.images.get(imageId);
    if (!image) throw new ImageError('NOT_FOUND', `no image ${imageId}`);
    const token = randomBytes(24).toString('base64url');
    const c = this.o.config;
    const pullUrls: Record<string, string> = {};
    if (c.publicUrl) pullUrls[c.publicUrl.startsWith('https:') ? 'https' : 'http'] = `${c.publicUrl.replace(/\/+$/, '')}/api/fw/${token}`;
    if (c.coapUrl) pullUrls[c.coapUrl.startsWith('coaps:') ? 'coaps' : 'coap'] = `${c.coapUrl}/fw/${token}`;
    const common = {
      endpoint,
      image: { id: image.id, version: image.version, size: image.size },
      bytes: () => this.images.bytes(image.id),
      pullUrls,
      method: s.method,
      deviceTimeoutMs: s.deviceTimeoutSec * 1000,
      pushTimeoutMs: c.pushTimeout * 1000,
      onProgress: (p: JobProgress) => this.publishJob(p, campaignId),
    };
    const job: JobBase =
      image.kind === 'software'
        ? new SoftwareJob(this.o.core, { ...common, ...(sw.instance !== undefined ? { instance: sw.instance } : {}), ...(sw.activate !== undefined ? { activate: sw.activate } : {}) })
        : new UpdateJob(this.o.core, { ...common, ...(s.filter ? { filter: s.filter } : {}) });
    this.jobs.set(endpoint, { job, token, ...(campaignId ? { campaignId } : {}) });
    this.tokens.set(token, { imageId, job });
    void job.run().then((p) => {
      if (this.jobs.get(endpoint)?.job === job) this.jobs.delete(endpoint);
      this.tokens.delete(token);
      this.last.delete(endpoint);
      this.last.set(endpoint, p);
      if (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value!);
      this.o.logger.info('firmware: update ended', { endpoint, image: imageId, phase: p.phase, ...(p.error ? { error: p.error.code, reason: p.error.message } : {}) });
    });
    return job;
  }

  private publishJob(p: JobProgress, campaignId: string | undefined): void {
    const e: FotaEvent = { ...p, ...(campaignId ? { campaignId } : {}) };
    this.emit('fota', e);
  }

  // ---- campaigns ----

  createCampaign(body: unknown): CampaignView {
    if (this.campaignsById.size >= this.o.config.maxCampaigns) {
      throw new InputError(`at most ${this.o.config.maxCampaigns} campaigns are kept (firmware.maxCampaigns): delete an ended one first`);
    }
    const spec = campaignSpecOf(body, () => this.o.core.registrations().map((r) => r.endpoint), { maxDevices: this.o.config.maxCampaignDevices, defaultDeviceTimeoutSec: this.o.config.deviceTimeout });
    if (!this.images.get(spec.imageId)) throw new ImageError('NOT_FOUND', `no image ${spec.imageId}`);
    const r: CampaignRecord = {
      id: randomBytes(8).toString('hex'),
      spec,
      status: 'running',
      createdAt: this.o.core.clock.now(),
      devices: spec.endpoints.map((endpoint) => ({ endpoint, status: 'pending', attempts: 0, bytes: 0 })),
    };
    const c = this.campaign$(r);
    this.store.save(r);
    this.o.logger.info('firmware: campaign created', { id: r.id, devices: r.devices.length, image: spec.imageId });
    c.start();
    return campaignView(r);
  }

  campaigns(): CampaignView[] {
    return [...this.campaignsById.values()].map((c) => campaignView(c.record));
  }

  campaign(id: string): CampaignRecord | undefined {
    return CAMPAIGN_ID.test(id) ? this.campaignsById.get(id)?.record : undefined;
  }

  /** pause | resume | cancel; false when the campaign's status does not allow it. */
  controlCampaign(id: string, action: 'pause' | 'resume' | 'cancel'): boolean | undefined {
    const c = CAMPAIGN_ID.test(id) ? this.campaignsById.get(id) : undefined;
    if (!c) return undefined;
    return action === 'pause' ? c.pause() : action === 'resume' ? c.resume() : c.cancel();
  }

  async removeCampaign(id: string): Promise<'removed' | 'notFound' | 'active'> {
    const c = CAMPAIGN_ID.test(id) ? this.campaignsById.get(id) : undefined;
    if (!c) return 'notFound';
    if (!c.ended) return 'active';
    this.campaignsById.delete(id);
    await this.store.remove(id);
    return 'removed';
  }

  /** Waits until the campaigns' state is on disk. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  private campaign$(r: CampaignRecord): Campaign {
    const c = new Campaign(r, {
      clock: this.o.core.clock,
      runDevice: (endpoint, spec, progress) => this.runForCampaign(r.id, endpoint, spec, progress),
      changed: (rec) => {
        this.store.save(rec);
        this.announceCampaign(rec.id);
      },
    });
    this.campaignsById.set(r.id, c);
    return c;
  }

  private runForCampaign(campaignId: string, endpoint: string, spec: CampaignSpec, progress: (p: JobProgress) => void): RunningDevice {
    const now = this.o.core.clock.now();
    const failed = (code: 'NOT_REGISTERED' | 'REQUEST_FAILED', message: string): RunningDevice => ({
      done: Promise.resolve({ endpoint, imageId: spec.imageId, phase: 'failed', bytes: 0, size: 0, startedAt: now, updatedAt: now, error: { code, message } }),
      cancel: () => {},
    });
    if (this.jobs.has(endpoint)) return failed('REQUEST_FAILED', 'another update of this device is running');
    if (!this.o.core.getRegistration(endpoint)) return failed('NOT_REGISTERED', `no device "${endpoint}" is registered`);
    let job: JobBase;
    try {
      job = this.newJob(endpoint, spec.imageId, spec, campaignId);
    } catch (e) {
      return failed('REQUEST_FAILED', e instanceof Error ? e.message : String(e));
    }
    const off = (p: FotaEvent): void => {
      if (p.endpoint === endpoint && p.campaignId === campaignId) progress(p);
    };
    this.on('fota', off);
    const done = job.run().finally(() => this.off('fota', off));
    return { done, cancel: () => job.cancel('the campaign was cancelled') };
  }

  /** One `campaign` event per campaign and turn, however many of its devices changed. */
  private announceCampaign(id: string): void {
    this.announce.add(id);
    if (this.announcing) return;
    this.announcing = true;
    setImmediate(() => {
      this.announcing = false;
      const ids = [...this.announce];
      this.announce.clear();
      for (const i of ids) {
        const c = this.campaignsById.get(i);
        if (c) this.emit('campaign', campaignView(c.record));
      }
    });
  }
}
