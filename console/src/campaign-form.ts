/**
 * A new campaign (POST /api/campaigns) with the fields the API takes: a name and an image;
 * the devices by endpoint list and/or globs over the registered endpoints (the page counts
 * what the globs match now); a filter checked on each device when its turn comes
 * (firmware version, manufacturer, model from /3/0); delivery method, concurrency, device
 * timeout, retries with backoff, a schedule window, and the failure threshold. Fields left
 * empty take the gateway's defaults.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import type { CampaignSummary, DeviceList, FirmwareImage } from './types.js';
import { bytes, problemText } from './firmware-parts.js';

const EMPTY = {
  name: '',
  imageId: '',
  endpoints: '',
  match: '',
  firmwareVersion: '',
  manufacturer: '',
  model: '',
  method: 'auto',
  concurrency: '',
  deviceTimeout: '',
  retries: '',
  backoff: '',
  windowStart: '',
  windowEnd: '',
  failureThreshold: '',
  minFinished: '',
};
type Form = typeof EMPTY;

const names = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

/** The request body of the form, or what is wrong with it. */
export function campaignBody(f: Form): { body: Record<string, unknown> } | { error: string } {
  const body: Record<string, unknown> = { name: f.name.trim(), imageId: f.imageId };
  if (!f.name.trim()) return { error: 'Give the campaign a name.' };
  if (!f.imageId) return { error: 'Choose an image.' };
  const endpoints = names(f.endpoints);
  const match = names(f.match);
  if (endpoints.length === 0 && match.length === 0) return { error: 'Name the devices: endpoints, or globs to match.' };
  if (endpoints.length) body.endpoints = endpoints;
  if (match.length) body.match = match;
  const filter: Record<string, string> = {};
  for (const k of ['firmwareVersion', 'manufacturer', 'model'] as const) if (f[k].trim()) filter[k] = f[k].trim();
  if (Object.keys(filter).length) body.filter = filter;
  body.method = f.method;
  for (const k of ['concurrency', 'deviceTimeout', 'retries', 'backoff', 'minFinished'] as const) {
    if (f[k].trim() === '') continue;
    const n = Number(f[k]);
    if (!Number.isInteger(n) || n < 0) return { error: `${k} must be a whole number.` };
    body[k] = n;
  }
  if (f.failureThreshold.trim() !== '') {
    const p = Number(f.failureThreshold);
    if (!(p >= 0 && p <= 100)) return { error: 'The failure threshold is a share from 0 to 100 %.' };
    body.failureThreshold = p / 100;
  }
  const window: Record<string, string> = {};
  for (const [k, v] of [['start', f.windowStart], ['end', f.windowEnd]] as const) {
    if (!v) continue;
    const t = new Date(v); // a datetime-local value: the browser's time zone
    if (Number.isNaN(t.getTime())) return { error: `The window's ${k} is not a date and time.` };
    window[k] = t.toISOString();
  }
  if (Object.keys(window).length) body.window = window;
  return { body };
}

export function CampaignForm({ images, onCreated }: { images: FirmwareImage[]; onCreated: (c: CampaignSummary) => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [message, setMessage] = useState<string | undefined>();
  const [matched, setMatched] = useState<number | undefined>();
  const [busy, setBusy] = useState(false);
  const field = (k: keyof Form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.target as HTMLInputElement).value }));

  // how many registered devices the globs match now (GET /api/devices takes the same globs)
  useEffect(() => {
    const globs = names(form.match);
    if (globs.length === 0) return setMatched(undefined);
    const t = setTimeout(() => {
      void api<DeviceList>('GET', `/api/devices?limit=1&endpoint=${encodeURIComponent(globs.join(','))}`).then((r) => setMatched(r.ok ? r.body.total : undefined));
    }, 300);
    return () => clearTimeout(t);
  }, [form.match]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const b = campaignBody(form);
    if ('error' in b) return setMessage(b.error);
    setBusy(true);
    const r = await api<CampaignSummary>('POST', '/api/campaigns', b.body);
    setBusy(false);
    if (!r.ok) return setMessage(problemText(r));
    setMessage(undefined);
    setForm(EMPTY);
    onCreated(r.body);
  };
  const input = (k: keyof Form, label: string, attrs: Record<string, string> = {}) =>
    html`<label>${label} <input name=${k} value=${form[k]} onInput=${field(k)} ...${attrs} /></label>`;
  return html`<form class="campaign-form grid-form" onSubmit=${submit}>
    ${input('name', 'Name', { maxLength: '100' })}
    <label>Image
      <select name="imageId" value=${form.imageId} onChange=${field('imageId')}>
        <option value="">choose...</option>
        ${images.map((m) => html`<option value=${m.id}>${m.name} ${m.version} (${m.kind}, ${m.deviceType}, ${bytes(m.size)})</option>`)}
      </select>
    </label>
    <fieldset class="wide">
      <legend>Devices</legend>
      <label>Endpoints <textarea name="endpoints" rows="2" placeholder="meter-0041, meter-0042" value=${form.endpoints} onInput=${field('endpoints')}></textarea></label>
      <label>Match (globs over the registered endpoints) <input name="match" placeholder="meter-*, lamp-??" value=${form.match} onInput=${field('match')} /></label>
      ${matched !== undefined ? html`<p class="muted" data-matched=${matched}>The globs match ${matched} registered device${matched === 1 ? '' : 's'} now.</p>` : null}
    </fieldset>
    <fieldset class="wide">
      <legend>Only devices that report (checked on each device when its turn comes)</legend>
      <div class="row">
        ${input('firmwareVersion', 'Firmware version /3/0/3')}
        ${input('manufacturer', 'Manufacturer /3/0/0')}
        ${input('model', 'Model /3/0/1')}
      </div>
    </fieldset>
    <fieldset class="wide">
      <legend>How</legend>
      <div class="row">
        <label>Method
          <select name="method" value=${form.method} onChange=${field('method')}>
            <option value="auto">auto (pull when the device can)</option>
            <option value="push">push</option>
            <option value="pull">pull</option>
          </select>
        </label>
        ${input('concurrency', 'Concurrency', { type: 'number', min: '1', placeholder: '10' })}
        ${input('deviceTimeout', 'Device timeout (s)', { type: 'number', min: '1', placeholder: 'firmware.deviceTimeout' })}
        ${input('retries', 'Retries', { type: 'number', min: '0', placeholder: '2' })}
        ${input('backoff', 'Backoff (s, doubled each retry)', { type: 'number', min: '0', placeholder: '60' })}
      </div>
      <div class="row">
        ${input('windowStart', 'Window start', { type: 'datetime-local' })}
        ${input('windowEnd', 'Window end', { type: 'datetime-local' })}
        ${input('failureThreshold', 'Stop when failed over (%)', { type: 'number', min: '0', max: '100', step: 'any', placeholder: '100' })}
        ${input('minFinished', 'after at least (devices)', { type: 'number', min: '1', placeholder: '10' })}
      </div>
    </fieldset>
    <div class="wide"><button type="submit" disabled=${busy}>Start campaign</button></div>
    ${message ? html`<p class="wide error" role="alert">${message}</p>` : null}
  </form>`;
}
