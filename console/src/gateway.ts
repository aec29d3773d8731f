/**
 * Gateway: device counts by state, queued requests, the parts and their readiness (the
 * bindings, the store, the faces: broker connected, CSE connected), the mapping files in
 * force, and which of them apply to a device.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep } from './api.js';
import type { GatewaySummary, MappingFile } from './types.js';

/** Mapping files with their targets; `collapsed`: each file a closed <details> naming its objects. */
export function MappingList({ files, empty, collapsed = false }: { files: MappingFile[]; empty: string; collapsed?: boolean }) {
  if (files.length === 0) return html`<p class="muted">${empty}</p>`;
  const targets = (f: MappingFile) => html`<ul>
          ${f.targets.map(
            (t) => html`<li>
              <span>${t.objectName} <code>/${t.objectId}</code>${t.instances ? ` instances ${t.instances.join(', ')}` : ''}</span>
              ${t.observe.length > 0 ? html`<div class="muted">observes ${t.observe.map((o) => (o.resources ? o.resources.join(', ') : 'the instance') + (Object.keys(o.attributes).length ? ` (${Object.entries(o.attributes).map(([k, v]) => `${k}=${v}`).join(' ')})` : '')).join('; ')}</div>` : null}
              ${t.mqtt?.publish.length ? html`<div>MQTT ${t.mqtt.publish.map((x) => html`<code class="topic">${x}</code>`)}</div>` : null}
              ${t.mqtt?.commands.length ? html`<div>MQTT commands ${t.mqtt.commands.map((x) => html`<code class="topic">${x}</code>`)}</div>` : null}
              ${t.rest ? html`<div>REST <code>${t.rest}</code></div>` : null}
              ${t.onem2m ? html`<div>oneM2M</div>` : null}
            </li>`,
          )}
        </ul>`;
  return html`<ul class="mappings">
    ${files.map((f) => {
      const title = html`<strong>${f.name}</strong>${f.description ? html` <span class="muted">${f.description}</span>` : null}`;
      return html`<li key=${f.name} data-mapping=${f.name}>
        ${collapsed ? html`<details><summary>${title} <span class="muted">(${f.targets.map((t) => t.objectId).join(', ')})</span></summary>${targets(f)}</details>` : html`${title}${targets(f)}`}
      </li>`;
    })}
  </ul>`;
}

export function GatewayPage() {
  const [summary, setSummary] = useState<GatewaySummary | undefined>();
  const [files, setFiles] = useState<MappingFile[] | undefined>();
  const [endpoint, setEndpoint] = useState('');
  const [forDevice, setForDevice] = useState<{ endpoint: string; files?: MappingFile[]; error?: string } | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const load = async (): Promise<void> => {
      const [g, m] = await Promise.all([api<GatewaySummary>('GET', '/api/gateway'), api<{ mappings: MappingFile[] }>('GET', '/api/mappings')]);
      if (g.ok) setSummary(g.body);
      else setError(g.problem?.detail ?? g.problem?.title);
      if (m.ok) setFiles(m.body.mappings);
    };
    void load();
    const t = setInterval(() => void load(), 5000);
    return () => clearInterval(t);
  }, []);

  const lookup = async (e: Event): Promise<void> => {
    e.preventDefault();
    const name = endpoint.trim();
    if (!name) return;
    const r = await api<{ mappings: MappingFile[] }>('GET', `/api/devices/${ep(name)}/mappings`);
    setForDevice(r.ok ? { endpoint: name, files: r.body.mappings } : { endpoint: name, error: r.problem?.detail ?? r.problem?.title ?? `HTTP ${r.status}` });
  };

  return html`<section class="gateway">
    <h1>Gateway ${summary?.version ? html`<span class="muted">${summary.version}</span>` : null}</h1>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${summary
      ? html`<div class="counts">
            <div class="card"><span class="big">${summary.devices.total}</span> devices</div>
            <div class="card"><span class="big state-online">${summary.devices.online}</span> online</div>
            <div class="card"><span class="big state-sleeping">${summary.devices.sleeping}</span> sleeping</div>
            <div class="card"><span class="big state-offline">${summary.devices.offline}</span> offline</div>
            <div class="card"><span class="big">${summary.queuedRequests}</span> queued requests</div>
            <div class="card"><span class="big">${summary.mappings}</span> mapping files</div>
          </div>
          <h2>Parts ${summary.ready ? html`<span class="state state-online">ready</span>` : html`<span class="state state-offline">not ready</span>`}</h2>
          <table class="parts">
            <thead><tr><th>Part</th><th>State</th><th>Detail</th></tr></thead>
            <tbody>${summary.parts.map((p) => html`<tr><td>${p.name}</td><td>${p.ready ? html`<span class="state state-online">ready</span>` : html`<span class="state state-offline">not ready</span>`}</td><td>${p.detail ?? ''}</td></tr>`)}</tbody>
          </table>`
      : html`<p class="loading">Loading...</p>`}
    <h2>Mapping files that apply to a device</h2>
    <form class="inline" onSubmit=${lookup}>
      <input name="endpoint" placeholder="endpoint name" value=${endpoint} onInput=${(e: Event) => setEndpoint((e.target as HTMLInputElement).value)} />
      <button type="submit">Show</button>
    </form>
    ${forDevice ? (forDevice.error ? html`<p class="error">${forDevice.error}</p>` : html`<div class="for-device"><${MappingList} files=${forDevice.files ?? []} empty=${`No mapping file selects ${forDevice.endpoint}.`} /></div>`) : null}
    <h2>Mapping files in force${files ? ` (${files.length})` : ''}</h2>
    ${files ? html`<${MappingList} files=${files} empty="No mapping file is in force." collapsed />` : null}
  </section>`;
}
