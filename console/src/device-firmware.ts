/**
 * A device's firmware (object 5) or software (object 9) update, on its page: the running or
 * last update (GET /api/devices/{endpoint}/firmware), moved by the device's `fota` events
 * as they come (the device page hands them in as `live`); with a write token, an image
 * and a delivery method (a software image: also the instance and whether to activate it)
 * to start one (POST, 202) and a cancel (DELETE; an update of a
 * campaign is cancelled with its campaign).
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep } from './api.js';
import type { FirmwareImage, FirmwareJob } from './types.js';
import { FIRMWARE_OFF, JobView, bytes, jobEnded, loadImages, newerJob, problemText } from './firmware-parts.js';

export function DeviceFirmware({ endpoint, write, live }: { endpoint: string; write: boolean; live: FirmwareJob | undefined }) {
  const [job, setJob] = useState<FirmwareJob | undefined>();
  const [images, setImages] = useState<FirmwareImage[]>([]);
  const [off, setOff] = useState(false);
  const [form, setForm] = useState({ imageId: '', method: 'auto', instance: '0', activate: true });
  const [message, setMessage] = useState<string | undefined>();
  const url = `/api/devices/${ep(endpoint)}/firmware`;

  useEffect(() => {
    void loadImages().then((r) => {
      if (r.off) setOff(true);
      setImages(r.images ?? []);
    });
    void api<FirmwareJob>('GET', url).then((r) => r.ok && setJob((j) => newerJob(j, r.body)));
  }, [endpoint]);

  useEffect(() => {
    if (live) setJob((j) => newerJob(j, live));
  }, [live]);

  if (off) return FIRMWARE_OFF;
  const image = (id: string | undefined): FirmwareImage | undefined => images.find((m) => m.id === id);
  const chosen = image(form.imageId);
  const running = job !== undefined && !jobEnded(job);

  const start = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!chosen) return;
    const body: Record<string, unknown> = { imageId: chosen.id, method: form.method };
    if (chosen.kind === 'software') {
      const instance = Number(form.instance);
      if (!Number.isInteger(instance) || instance < 0 || instance > 65534) return setMessage('The instance is a whole number from 0 to 65534.');
      Object.assign(body, { instance, activate: form.activate });
    }
    const r = await api<FirmwareJob>('POST', url, body);
    setMessage(r.ok ? undefined : problemText(r));
    if (r.ok) setJob((j) => newerJob(j, r.body));
  };
  const cancel = async (): Promise<void> => {
    const r = await api('DELETE', url);
    setMessage(r.ok ? 'Cancelled.' : problemText(r));
  };
  const field = (k: 'imageId' | 'method' | 'instance') => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  return html`<div class="device-firmware">
    ${job ? html`<${JobView} job=${job} image=${image(job.imageId)} />` : html`<p class="muted">No update of this device is known.</p>`}
    ${write && running && !job?.campaignId ? html`<p><button class="small danger" onClick=${() => void cancel()}>Cancel update</button></p>` : null}
    ${write
      ? images.length === 0
        ? html`<p class="muted">No image to install: upload one on the <a href="#/firmware">Firmware</a> page.</p>`
        : html`<form class="inline fw-start" onSubmit=${start}>
            <select name="fw-image" value=${form.imageId} onChange=${field('imageId')} aria-label="image">
              <option value="">image...</option>
              ${images.map((m) => html`<option value=${m.id}>${m.name} ${m.version} (${m.kind}, ${m.deviceType}, ${bytes(m.size)})</option>`)}
            </select>
            <select name="fw-method" value=${form.method} onChange=${field('method')} aria-label="delivery method">
              <option value="auto">auto</option>
              <option value="push">push</option>
              <option value="pull">pull</option>
            </select>
            ${chosen?.kind === 'software'
              ? html`<label>instance <input name="fw-instance" type="number" min="0" max="65534" value=${form.instance} onInput=${field('instance')} class="short" /></label>
                  <label><input type="checkbox" name="fw-activate" checked=${form.activate} onChange=${(e: Event) => {
                    const on = (e.target as HTMLInputElement).checked;
                    setForm((f) => ({ ...f, activate: on }));
                  }} /> activate</label>`
              : null}
            <button type="submit" disabled=${!chosen || running}>Start update</button>
          </form>`
      : null}
    ${message ? html`<p class="note" role="status">${message}</p>` : null}
  </div>`;
}
