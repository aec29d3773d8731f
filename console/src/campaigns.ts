/**
 * Campaigns as the firmware page lists them (GET /api/campaigns): status, totals as a bar
 * and counts, kept current by the `campaign` events; and the actions a write token may
 * take on one (POST /api/campaigns/{id}/pause|resume|cancel, DELETE an ended one).
 */
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import type { CampaignSummary, CampaignTotals, FirmwareImage } from './types.js';
import { PhaseBadge, Progress, bytes, problemText } from './firmware-parts.js';

const ENDED = new Set(['cancelled', 'stopped', 'finished']);

export const campaignEnded = (c: CampaignSummary): boolean => ENDED.has(c.status);

/** The share of a campaign's devices that reached an end. */
export function Totals({ t }: { t: CampaignTotals }) {
  const ended = t.succeeded + t.failed + t.skipped + t.cancelled;
  const parts: [string, number][] = [
    ['succeeded', t.succeeded],
    ['failed', t.failed],
    ['running', t.running],
    ['retrying', t.retrying],
    ['pending', t.pending],
    ['skipped', t.skipped],
    ['cancelled', t.cancelled],
  ];
  return html`<div class="totals">
    <${Progress} done=${ended} total=${t.devices} label="devices ended" state=${t.failed > 0 ? 'failed' : ''} />
    <span class="counts-line">${ended} of ${t.devices} ended:
      ${parts.filter(([, n]) => n > 0).map(([k, n]) => html` <span class="count-part" data-count=${k}>${n} ${k}</span>`)}
      ${t.bytes > 0 ? html` <span class="muted">(${bytes(t.bytes)} delivered)</span>` : null}
    </span>
  </div>`;
}

export function CampaignActions({ c, onChange, onDeleted }: { c: CampaignSummary; onChange: (c?: CampaignSummary) => void; onDeleted?: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const act = async (action: 'pause' | 'resume' | 'cancel'): Promise<void> => {
    if (action === 'cancel' && !confirm(`Cancel the campaign ${c.name}? Devices that are updating now are cancelled too.`)) return;
    const r = await api<CampaignSummary>('POST', `/api/campaigns/${encodeURIComponent(c.id)}/${action}`);
    setError(r.ok ? undefined : problemText(r));
    onChange(r.ok ? r.body : undefined);
  };
  const remove = async (): Promise<void> => {
    const r = await api('DELETE', `/api/campaigns/${encodeURIComponent(c.id)}`);
    setError(r.ok ? undefined : problemText(r));
    if (r.ok && onDeleted) onDeleted();
    else onChange();
  };
  return html`<span class="campaign-actions">
    ${c.status === 'paused' ? html`<button class="small" onClick=${() => void act('resume')}>Resume</button>` : null}
    ${!campaignEnded(c) && c.status !== 'paused' ? html`<button class="small" onClick=${() => void act('pause')}>Pause</button>` : null}
    ${!campaignEnded(c) ? html`<button class="small danger" onClick=${() => void act('cancel')}>Cancel</button>` : null}
    ${campaignEnded(c) ? html`<button class="small" title="forget this ended campaign" onClick=${() => void remove()}>Delete</button>` : null}
    ${error ? html`<span class="error" role="alert">${error}</span>` : null}
  </span>`;
}

export function CampaignList({ campaigns, images, write, onChange }: { campaigns: CampaignSummary[]; images: FirmwareImage[]; write: boolean; onChange: () => void }) {
  if (campaigns.length === 0) return html`<p class="muted">No campaign.</p>`;
  const imageName = (id: string): string => {
    const m = images.find((i) => i.id === id);
    return m ? `${m.name} ${m.version}` : `${id.slice(0, 8)} (deleted)`;
  };
  return html`<ul class="campaigns">
    ${campaigns.map(
      (c) => html`<li key=${c.id} class="card" data-campaign=${c.id}>
        <div class="campaign-head">
          <a href=${`#/firmware/campaign/${encodeURIComponent(c.id)}`}><strong>${c.name}</strong></a>
          <${PhaseBadge} phase=${c.status} />
          <span class="muted">${imageName(c.imageId)}</span>
          ${c.startedAt ? html`<span class="muted" title=${c.startedAt}>started ${new Date(c.startedAt).toLocaleString()}</span>` : null}
          ${write ? html`<${CampaignActions} c=${c} onChange=${onChange} />` : null}
        </div>
        <${Totals} t=${c.totals} />
        ${c.reason && c.status !== 'cancelled' ? html`<p class="note">${c.reason}</p>` : null}
      </li>`,
    )}
  </ul>`;
}
