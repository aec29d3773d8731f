/** What the faces (REST, MQTT) use of the firmware manager: images, jobs, campaigns, downloads and their events. */
import type { FirmwareConfig } from '../config/firmware-config.js';
import type { CampaignRecord, CampaignStatus, CampaignTotals } from './campaign.js';
import type { ImageInput, ImageMeta } from './image-store.js';
import type { DeliveryMethod, JobProgress } from './update-job.js';

/** A device's update progress; `campaignId` when a campaign runs it. */
export type FotaEvent = JobProgress & { campaignId?: string };

export interface CampaignView {
  id: string;
  name: string;
  imageId: string;
  status: CampaignStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  reason?: string;
  totals: CampaignTotals;
}

export interface FirmwareEvents {
  fota: [event: FotaEvent];
  campaign: [view: CampaignView];
}

/** An image a device may download (pull), found by its job's token. */
export interface Download {
  image: ImageMeta;
  /** the image's file */
  file: string;
  /** bytes sent to the device (progress) */
  served(n: number): void;
}

export interface FirmwareApi {
  readonly config: FirmwareConfig;
  readonly images: { list(): ImageMeta[]; get(id: string): ImageMeta | undefined };
  addImage(input: ImageInput, body: Buffer): Promise<ImageMeta>;
  removeImage(id: string): Promise<'removed' | 'notFound' | 'inUse'>;
  /** firmware image: object 5; software image: object 9 (`instance`, default 0; `activate` after install, default true) */
  updateDevice(endpoint: string, imageId: string, o?: { method?: DeliveryMethod | 'auto'; instance?: number; activate?: boolean }): JobProgress;
  job(endpoint: string): JobProgress | undefined;
  cancelJob(endpoint: string): boolean;
  download(token: string): Download | undefined;
  createCampaign(body: unknown): CampaignView;
  campaigns(): CampaignView[];
  campaign(id: string): CampaignRecord | undefined;
  controlCampaign(id: string, action: 'pause' | 'resume' | 'cancel'): boolean | undefined;
  removeCampaign(id: string): Promise<'removed' | 'notFound' | 'active'>;
  on<K extends keyof FirmwareEvents>(event: K, listener: (...args: FirmwareEvents[K]) => void): unknown;
  off<K extends keyof FirmwareEvents>(event: K, listener: (...args: FirmwareEvents[K]) => void): unknown;
}
