/**
 * Pieces the firmware pages share: sizes, a progress bar, an update's phase and the
 * meaning of object 5's State and Update Result, a problem as one line, and the images
 * as the REST API lists them.
 */
import { html } from './html.js';
import { api, type Answer } from './api.js';
import type { FirmwareImage, FirmwareJob } from './types.js';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** An answer's problem as one line (code: title: detail). */
export function problemText(r: Answer): string {
  const p = r.problem ?? {};
  return [p.code, p.title, p.detail].filter(Boolean).join(': ') || `HTTP ${r.status}`;
}

/** `done` of `total` as a bar with its share (`label` says what it counts). */
export function Progress({ done, total, label, state }: { done: number; total: number; label?: string; state?: string }) {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return html`<span class=${`progress ${state ?? ''}`} role="progressbar" aria-valuemin="0" aria-valuemax=${total} aria-valuenow=${done} aria-label=${label ?? 'progress'}>
    <span class="bar" style=${`width: ${(share * 100).toFixed(1)}%`}></span>
  </span>`;
}

const FINAL_PHASES = new Set(['succeeded', 'failed', 'cancelled', 'skipped']);

export const jobEnded = (j: FirmwareJob): boolean => FINAL_PHASES.has(j.phase);

/**
 * The newer of two states of a device's update: a later start, else a later change, else
 * an ended one. A 202's answer can reach the page after the update's last `fota` event
 * (a fast device): it must not put the update back to its first phase.
 */
export function newerJob(a: FirmwareJob | undefined, b: FirmwareJob): FirmwareJob {
  if (!a) return b;
  const as = a.startedAt ?? '';
  const bs = b.startedAt ?? '';
  if (as !== bs) return as > bs ? a : b;
  const au = a.updatedAt ?? '';
  const bu = b.updatedAt ?? '';
  if (au !== bu) return au > bu ? a : b;
  return jobEnded(a) ? a : b;
}

/** object 5 State (/5/0/3) */
const STATES = ['idle', 'downloading', 'downloaded', 'updating'];

/** The class a phase or status is shown with. */
export function tone(s: string): string {
  if (s === 'succeeded' || s === 'finished') return 'state-online';
  if (s === 'failed' || s === 'stopped' || s === 'cancelled') return 'state-offline';
  if (s === 'skipped' || s === 'paused' || s === 'scheduled' || s === 'retrying' || s === 'pending') return 'state-sleeping';
  return 'state-running';
}

export function PhaseBadge({ phase }: { phase: string }) {
  return html`<span class=${`state ${tone(phase)}`} data-phase=${phase}>${phase}</span>`;
}

/** One device's update: phase, method, bytes delivered, the device's state and result, the error. */
export function JobView({ job, image }: { job: FirmwareJob; image?: FirmwareImage | undefined }) {
  const delivering = job.phase === 'delivering' || job.bytes > 0;
  // the device's State and Update Result as last seen: news while it runs, the reason when it failed (stale after a success)
  const device = !jobEnded(job) || job.phase === 'failed';
  return html`<div class="job" data-endpoint=${job.endpoint}>
    <div class="job-head">
      <${PhaseBadge} phase=${job.phase} />
      ${job.method ? html`<span class="badge">${job.method}</span>` : null}
      <span class="muted">${image ? `${image.name} ${image.version}` : job.imageId.slice(0, 8)}</span>
      ${job.seconds !== undefined ? html`<span class="muted">${job.seconds} s</span>` : null}
    </div>
    ${delivering ? html`<div class="job-bytes"><${Progress} done=${job.bytes} total=${job.size} label="bytes delivered" state=${job.phase} /> <span class="muted">${bytes(job.bytes)} of ${bytes(job.size)}</span></div>` : null}
    <dl class="job-facts">
      ${device && job.state !== undefined ? html`<div><dt>Device state</dt><dd>${STATES[job.state] ?? job.state} (${job.state})</dd></div>` : null}
      ${device && job.result !== undefined ? html`<div><dt>Update result</dt><dd>${job.resultText ?? ''} (${job.result})</dd></div>` : null}
      ${job.firmwareVersion !== undefined ? html`<div><dt>Version</dt><dd>${job.firmwareVersion}</dd></div>` : null}
      ${job.campaignId ? html`<div><dt>Campaign</dt><dd><a href=${`#/firmware/campaign/${job.campaignId}`}>${job.campaignId.slice(0, 8)}</a></dd></div>` : null}
    </dl>
    ${job.error ? html`<p class="error">${job.error.code}: ${job.error.message}</p>` : null}
    ${job.note ? html`<p class="note">${job.note}</p>` : null}
  </div>`;
}

/** The images, or the problem (FIRMWARE_OFF when the gateway runs no updates). */
export async function loadImages(): Promise<{ images?: FirmwareImage[]; off?: boolean; error?: string }> {
  const r = await api<{ images: FirmwareImage[] }>('GET', '/api/firmware');
  if (r.ok) return { images: r.body.images };
  if (r.problem?.code === 'FIRMWARE_OFF') return { off: true };
  return { error: problemText(r) };
}

export const FIRMWARE_OFF = html`<p class="muted">The gateway runs no firmware updates (<code>firmware.enabled</code>).</p>`;

/**
 * `fn` run at most once per `ms`, and once after the last call (a burst of events becomes a
 * read now and one at its end); `cancel` drops a pending run.
 */
export function throttled(fn: () => void, ms = 500): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  return {
    call: () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        fn();
      }, Math.max(0, ms - (Date.now() - last)));
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
