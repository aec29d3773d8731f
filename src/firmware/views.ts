/** Firmware events as plain JSON for the faces that publish them as they are (MQTT). */
import type { CampaignView, FotaEvent } from './api.js';

export type ViewJson = { [k: string]: string | number | boolean | null | ViewJson };

const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

export function fotaView(e: FotaEvent): ViewJson {
  const out: ViewJson = { endpoint: e.endpoint, imageId: e.imageId, phase: e.phase, bytes: e.bytes, size: e.size, startedAt: iso(e.startedAt), updatedAt: iso(e.updatedAt) };
  if (e.method) out.method = e.method;
  if (e.state !== undefined) out.state = e.state;
  if (e.result !== undefined) out.result = e.result;
  if (e.resultText !== undefined) out.resultText = e.resultText;
  if (e.firmwareVersion !== undefined) out.firmwareVersion = e.firmwareVersion;
  if (e.error) out.error = { code: e.error.code, message: e.error.message };
  if (e.campaignId) out.campaignId = e.campaignId;
  return out;
}

export function campaignEventView(v: CampaignView): ViewJson {
  return { id: v.id, name: v.name, imageId: v.imageId, status: v.status, startedAt: iso(v.startedAt), finishedAt: iso(v.finishedAt), ...(v.reason !== undefined ? { reason: v.reason } : {}), totals: { ...v.totals } };
}
