/**
 * Firmware: the images (upload, delete), the campaigns with their totals kept current by
 * the `campaign` events of /api/events (applied at once, then the list read again), and
 * a new campaign. A device's own update is started from its page (device-firmware.ts);
 * one campaign's devices: campaign.ts.
 * Everything that changes something needs a write-scoped token.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, follow } from './api.js';
import type { CampaignSummary, FirmwareImage } from './types.js';
import { FIRMWARE_OFF, loadImages, problemText, throttled } from './firmware-parts.js';
import { ImageList } from './firmware-images.js';
import { CampaignList } from './campaigns.js';
import { CampaignForm } from './campaign-form.js';

export function FirmwarePage({ write }: { write: boolean }) {
  const [images, setImages] = useState<FirmwareImage[] | undefined>();
  const [campaigns, setCampaigns] = useState<CampaignSummary[] | undefined>();
  const [off, setOff] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [live, setLive] = useState(false);
  const known = useRef(new Set<string>());
  const seq = useRef(0);
  const reload = useRef<() => void>(() => {});

  const refreshImages = async (): Promise<void> => {
    const r = await loadImages();
    if (r.off) setOff(true);
    else if (r.images) setImages(r.images);
    else setError(r.error);
  };
  const refreshCampaigns = async (): Promise<void> => {
    const mine = ++seq.current;
    const r = await api<{ campaigns: CampaignSummary[] }>('GET', '/api/campaigns');
    // an answer older than one asked for since is dropped (it would undo newer events)
    if (mine !== seq.current) return;
    if (r.ok) {
      // the newest first
      const list = [...r.body.campaigns].sort((a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')));
      known.current = new Set(list.map((c) => c.id));
      setCampaigns(list);
    } else if (r.problem?.code !== 'FIRMWARE_OFF') setError(problemText(r));
  };

  useEffect(() => {
    void refreshImages();
    void refreshCampaigns();
    let everConnected = false;
    // the list is read again after events (at most twice a second, and once after the last one)
    const again = throttled(() => void refreshCampaigns());
    reload.current = again.call;
    const stop = follow(
      'events=campaign',
      ({ data }) => {
        const c = data as unknown as CampaignSummary;
        if (typeof c.id !== 'string') return;
        // a known campaign changes at once; a read follows, which also brings new ones
        if (known.current.has(c.id)) setCampaigns((list) => list?.map((x) => (x.id === c.id ? { ...x, ...c } : x)));
        reload.current();
      },
      (connected) => {
        setLive(connected);
        if (connected && everConnected) reload.current();
        everConnected ||= connected;
      },
    );
    return () => {
      stop();
      again.cancel();
    };
  }, []);

  if (off) return html`<section class="firmware"><h1>Firmware</h1>${FIRMWARE_OFF}</section>`;
  return html`<section class="firmware">
    <h1>Firmware <span class=${`live ${live ? 'on' : ''}`} title=${live ? 'live: following /api/events' : 'not following events'}>${live ? 'live' : 'not live'}</span></h1>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    <h2>Images</h2>
    ${images ? html`<${ImageList} images=${images} write=${write} onChange=${() => void refreshImages()} />` : html`<p class="loading">Loading...</p>`}
    <h2>Campaigns</h2>
    ${campaigns && images ? html`<${CampaignList} campaigns=${campaigns} images=${images} write=${write} onChange=${() => void refreshCampaigns()} />` : html`<p class="loading">Loading...</p>`}
    ${write && images
      ? html`<details class="card new-campaign" open=${campaigns?.length === 0 && images.length > 0}>
          <summary>New campaign</summary>
          ${images.length === 0
            ? html`<p class="muted">Upload an image first.</p>`
            : html`<${CampaignForm} images=${images} onCreated=${(c: CampaignSummary) => {
                location.hash = `#/firmware/campaign/${encodeURIComponent(c.id)}`;
              }} />`}
        </details>`
      : null}
    <p class="muted">A single device is updated from its page (Fleet, then the device).</p>
  </section>`;
}
