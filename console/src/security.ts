/**
 * Security: a client's DTLS credentials (PSK identity, raw public key, X.509), looked up,
 * set and removed by endpoint over /api/clients/{endpoint}/security. Keys are write-only:
 * the API never returns them. The routes need a write-scoped token.
 */
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep } from './api.js';

interface Info {
  endpoint: string;
  mode: 'psk' | 'rpk' | 'x509';
  identity?: string;
  publicKey?: string;
}

export function SecurityPage({ write }: { write: boolean }) {
  const [endpoint, setEndpoint] = useState('');
  const [info, setInfo] = useState<Info | null | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [form, setForm] = useState({ mode: 'psk', identity: '', key: '', publicKey: '' });
  if (!write) return html`<section><h1>Security</h1><p class="muted">Client credentials need a write-scoped token.</p></section>`;
  const url = (): string => `/api/clients/${ep(endpoint.trim())}/security`;
  const look = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    if (!endpoint.trim()) return;
    const r = await api<Info>('GET', url());
    setInfo(r.ok ? r.body : null);
    setMessage(r.ok ? undefined : (r.problem?.title ?? `HTTP ${r.status}`));
  };
  const put = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body = form.mode === 'psk' ? { mode: 'psk', identity: form.identity, key: form.key } : form.mode === 'rpk' ? { mode: 'rpk', publicKey: form.publicKey } : { mode: 'x509' };
    const r = await api<Info>('PUT', url(), body);
    setMessage(r.ok ? 'Saved.' : [r.problem?.title, r.problem?.detail].filter(Boolean).join(': '));
    if (r.ok) setInfo(r.body);
  };
  const remove = async (): Promise<void> => {
    const r = await api('DELETE', url());
    setMessage(r.ok ? 'Removed.' : (r.problem?.title ?? `HTTP ${r.status}`));
    if (r.ok) setInfo(null);
  };
  const field = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return html`<section class="security">
    <h1>Security</h1>
    <form class="inline" onSubmit=${look}>
      <input name="endpoint" placeholder="endpoint name" value=${endpoint} onInput=${(e: Event) => setEndpoint((e.target as HTMLInputElement).value)} />
      <button type="submit">Look up</button>
    </form>
    ${message ? html`<p class="note">${message}</p>` : null}
    ${info ? html`<dl class="details"><dt>Mode</dt><dd>${info.mode}</dd>${info.identity !== undefined ? html`<dt>PSK identity</dt><dd>${info.identity}</dd>` : null}${info.publicKey ? html`<dt>Public key</dt><dd class="wrap">${info.publicKey}</dd>` : null}</dl>
        <button class="danger" onClick=${() => void remove()}>Remove credentials</button>` : null}
    ${endpoint.trim()
      ? html`<h2>Set credentials of ${endpoint.trim()}</h2>
        <form class="stack" onSubmit=${put}>
          <label>Mode <select name="mode" value=${form.mode} onChange=${field('mode')}><option value="psk">PSK</option><option value="rpk">raw public key</option><option value="x509">X.509 (CN = endpoint)</option></select></label>
          ${form.mode === 'psk' ? html`<label>Identity <input name="identity" value=${form.identity} onInput=${field('identity')} /></label><label>Key (hex) <input name="key" type="password" value=${form.key} onInput=${field('key')} autocomplete="off" /></label>` : null}
          ${form.mode === 'rpk' ? html`<label>Public key (hex SubjectPublicKeyInfo) <input name="publicKey" value=${form.publicKey} onInput=${field('publicKey')} /></label>` : null}
          <button type="submit">Save</button>
        </form>`
      : null}
  </section>`;
}
