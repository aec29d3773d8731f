/** Firmware and software updates over the fleet: what the gateway builds and the faces use. */
export { FirmwareManager, campaignView, type FirmwareManagerOptions } from './firmware-manager.js';
export type { CampaignView, Download, FirmwareApi, FirmwareEvents, FotaEvent } from './api.js';
export type { CampaignDevice, CampaignRecord, CampaignStatus, CampaignTotals } from './campaign.js';
export { ImageError, labelProblem, type ImageMeta, type ImageKind } from './image-store.js';
export { InputError } from './campaign-input.js';
export type { JobProgress, JobPhase, DeliveryMethod } from './update-job.js';
export { RESULT_MEANINGS, SW_RESULT_MEANINGS, resultMeaning, swResultMeaning } from './results.js';
export { campaignEventView, fotaView } from './views.js';
