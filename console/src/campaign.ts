/**
 * One campaign (GET /api/campaigns/{id}): its spec, totals, and each device's status,
 * attempts, phase, bytes delivered, time and error. The `fota` events of its devices move
 * their rows as they come (phase, bytes); a `campaign` event reads the campaign again (at
 * most twice a second), which brings each device's status.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, follow } from './api.js';
import type { CampaignDetail, CampaignSummary, FirmwareImage, FirmwareJob } from './types.js';
import { PhaseBadge, Progress, bytes, loadImages, problemText, throttled } from './firmware-parts.js';
import { CampaignActions, Totals } from './campaigns.js';

function Spec({ c, image }: { c: CampaignDetail; image: FirmwareImage | undefined }) {
  const s = c.spec;
  const rows: [string, unknown][] = [
    ['Image', image ? `${image.name} ${image.version} (${image.kind}, ${image.deviceType}, ${bytes(image.size)})` : c.imageId],
    ['Method', s.method],
    ['Concurrency', s.concurrency],
    ['Device timeout', `${s.deviceTimeout} s`],
    ['Retries', `${s.retries}, backoff ${s.backoff} s doubled each time`],
    ['Stops', `when over ${Math.round(s.failureThreshold * 1000) / 10} % of the ended devices failed (once ${s.minFinished} ended)`],
  ];
  if (s.filter) rows.push(['Only devices with', Object.entries(s.filter).map(([k, v]) => `${k} = ${v}`).join(', ')]);
  if (s.window) rows.push(['Window', `${s.window.start ? new Date(s.window.start).toLocaleString() : 'now'} to ${s.window.end ? new Date(s.window.end).toLocaleString() : 'open'}`]);
  if (c.startedAt) rows.push(['Started', new Date(c.startedAt).toLocaleString()]);
  if (c.finishedAt) rows.push(['Ended', new Date(c.finishedAt).toLocaleString()]);
  if (c.reason) rows.push(['Reason', c.reason]);
  return html`<dl class="details">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export function CampaignPage({ id, write }: { id: string; write: boolean }) {
  const [c, setC] = useState<CampaignDetail | undefined>();
  const [images, setImages] = useState<FirmwareImage[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [live, setLive] = useState(false);
  const reload = useRef<() => void>(() => {});

  const seq = useRef(0);
  const load = async (): Promise<void> => {
    const mine = ++seq.current;
    const r = await api<CampaignDetail>('GET', `/api/campaigns/${encodeURIComponent(id)}`);
    // an answer older than one asked for since is dropped (it would undo newer events)
    if (mine !== seq.current) return;
    if (r.ok) {
      setC(r.body);
      setError(undefined);
    } else setError(r.status === 404 ? 'No campaign of this id.' : problemText(r));
  };

  useEffect(() => {
    void load();
    void loadImages().then((r) => setImages(r.images ?? []));
    let everConnected = false;
    const again = throttled(() => void load());
    reload.current = again.call;
    const stop = follow(
      'events=campaign,fota',
      ({ event, data }) => {
        if (event === 'campaign' && data.id === id) {
          const s = data as unknown as CampaignSummary;
          setC((x) => (x ? { ...x, status: s.status, totals: s.totals, startedAt: s.startedAt, finishedAt: s.finishedAt, ...(s.reason !== undefined ? { reason: s.reason } : {}) } : x));
          reload.current();
        } else if (event === 'fota' && data.campaignId === id) {
          const j = data as unknown as FirmwareJob;
          setC((x) => (x ? { ...x, devices: x.devices.map((d) => (d.endpoint === j.endpoint ? { ...d, phase: j.phase, bytes: j.bytes } : d)) } : x));
        }
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
  }, [id]);

  const image = c ? images.find((m) => m.id === c.imageId) : undefined;
  const size = image?.size ?? 0;
  return html`<section class="campaign">
    <p class="crumbs"><a href="#/firmware">Firmware</a> / campaign</p>
    <h1>${c ? c.name : 'Campaign'} ${c ? html`<${PhaseBadge} phase=${c.status} />` : null}
      <span class=${`live ${live ? 'on' : ''}`}>${live ? 'live' : 'not live'}</span></h1>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${c
      ? html`${write ? html`<p><${CampaignActions} c=${c} onChange=${(s?: CampaignSummary) => (s ? setC({ ...c, ...s }) : void load())} onDeleted=${() => (location.hash = '#/firmware')} /></p>` : null}
          <${Totals} t=${c.totals} />
          <${Spec} c=${c} image=${image} />
          <h2>Devices (${c.devices.length})</h2>
          <div class="scroll"><table class="campaign-devices">
            <thead><tr><th>Endpoint</th><th>Status</th><th>Phase</th><th>Delivered</th><th>Attempts</th><th>Time</th><th>Error</th></tr></thead>
            <tbody>
              ${c.devices.map(
                (d) => html`<tr key=${d.endpoint} data-endpoint=${d.endpoint} data-status=${d.status}>
                  <td><a href=${`#/device/${encodeURIComponent(d.endpoint)}`}>${d.endpoint}</a></td>
                  <td><${PhaseBadge} phase=${d.status} /></td>
                  <td>${d.phase ?? ''}</td>
                  <td>${size > 0 && d.bytes > 0 ? html`<${Progress} done=${d.bytes} total=${size} label=${`${d.endpoint}: bytes delivered`} /> ` : null}${d.bytes > 0 ? bytes(d.bytes) : ''}</td>
                  <td class="num">${d.attempts}</td>
                  <td>${d.seconds !== undefined ? `${d.seconds} s` : d.nextAttemptAt ? `next try ${new Date(d.nextAttemptAt).toLocaleTimeString()}` : ''}</td>
                  <td class="wrap-cell">${d.error ? html`<span class="error">${d.error.code}: ${d.error.message}</span>` : null}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
      : error ? null : html`<p class="loading">Loading...</p>`}
  </section>`;
}
