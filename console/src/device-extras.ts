/**
 * Beside the object tree: the device's observations (the console's own and those of the
 * mapping files or other clients), each cancellable by id, and a trace of its CoAP
 * messages (PUT /api/devices/{endpoint}/trace; the `trace` events of /api/events).
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep } from './api.js';
import type { Observation } from './types.js';

export interface TraceLine {
  id: number;
  at: number;
  direction: string;
  type?: string;
  code?: string;
  mid?: number;
  options?: string;
  payloadSize?: number;
  malformed?: string;
}

export function Observations({ endpoint, list, write, onChange }: { endpoint: string; list: Observation[]; write: boolean; onChange: () => void }) {
  if (list.length === 0) return html`<p class="muted">No observation.</p>`;
  return html`<ul class="observations">
    ${list.map(
      (o) => html`<li key=${o.id} data-observation=${o.id}>
        <code>${o.paths.join(', ')}</code>${o.composite ? html` <span class="badge">composite</span>` : null}
        ${write
          ? html` <button class="small" onClick=${async () => {
              await api('DELETE', `/api/observations/${ep(endpoint)}/${encodeURIComponent(o.id)}`);
              onChange();
            }}>Cancel</button>`
          : null}
      </li>`,
    )}
  </ul>`;
}

export function Trace({ endpoint, lines, write }: { endpoint: string; lines: TraceLine[]; write: boolean }) {
  const [until, setUntil] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const url = `/api/devices/${ep(endpoint)}/trace`;
  useEffect(() => {
    void api<{ enabled: boolean; until?: string }>('GET', url).then((r) => setUntil(r.ok && r.body.enabled ? r.body.until : undefined));
  }, [endpoint]);
  const set = async (enabled: boolean): Promise<void> => {
    const r = await api<{ enabled: boolean; until?: string }>('PUT', url, enabled ? { enabled, seconds: 600 } : { enabled });
    if (r.ok) {
      setUntil(r.body.enabled ? r.body.until : undefined);
      setError(undefined);
    } else setError([r.problem?.title, r.problem?.detail].filter(Boolean).join(': '));
  };
  return html`<div class="trace">
    ${write
      ? until
        ? html`<p>Tracing until ${new Date(until).toLocaleTimeString()} <button class="small" onClick=${() => void set(false)}>Stop trace</button></p>`
        : html`<p><button class="small" onClick=${() => void set(true)}>Trace messages (10 min)</button></p>`
      : until ? html`<p class="muted">Traced until ${new Date(until).toLocaleTimeString()}.</p>` : null}
    ${error ? html`<p class="error">${error}</p>` : null}
    ${lines.length > 0
      ? html`<ol class="messages">${lines.map(
          (l) => html`<li key=${l.id} class=${l.direction}>
            <span class="dir">${l.direction === 'in' ? '\u2190' : '\u2192'}</span>
            <code>${[l.type, l.code, l.mid !== undefined ? `mid ${l.mid}` : '', l.options ?? '', l.payloadSize ? `${l.payloadSize} B` : '', l.malformed ?? ''].filter(Boolean).join(' ')}</code>
            <time>${new Date(l.at).toLocaleTimeString()}</time>
          </li>`,
        )}</ol>`
      : null}
  </div>`;
}
