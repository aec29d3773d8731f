/**
 * Bootstrap: the Bootstrap Server's configs (the default one and per endpoint; keys are
 * never returned) and an endpoint's last bootstrap sessions, over /api/bootstrap...
 * Editing takes a write-scoped token.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep } from './api.js';

export function BootstrapPage({ write }: { write: boolean }) {
  const [off, setOff] = useState(false);
  const [def, setDef] = useState<unknown>();
  const [endpoint, setEndpoint] = useState('');
  const [shown, setShown] = useState<{ endpoint: string; config?: unknown; sessions?: unknown; error?: string } | undefined>();
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | undefined>();

  const [listening, setListening] = useState(true);

  useEffect(() => {
    void api('GET', '/api/bootstrap-default').then((r) => {
      if (r.problem?.code === 'BOOTSTRAP_OFF') setOff(true);
      else setDef(r.ok ? r.body : null);
    });
    // the Bootstrap Server's listeners are parts of the gateway (bootstrap.coap, bootstrap.coaps) when they run
    void api<{ parts: { name: string }[] }>('GET', '/api/gateway').then((r) => r.ok && setListening(r.body.parts.some((p) => p.name.startsWith('bootstrap'))));
  }, []);

  if (off) return html`<section><h1>Bootstrap</h1><p class="muted">The gateway runs no Bootstrap Server (<code>bootstrap.enabled</code>).</p></section>`;

  const key = (): string => (endpoint.trim() ? `/api/bootstrap/${ep(endpoint.trim())}` : '/api/bootstrap-default');
  const look = async (e: Event): Promise<void> => {
    e.preventDefault();
    const name = endpoint.trim();
    if (!name) return;
    const [c, s] = await Promise.all([api('GET', key()), api('GET', `${key()}/sessions`)]);
    setShown({ endpoint: name, ...(c.ok ? { config: c.body } : { error: c.problem?.title ?? `HTTP ${c.status}` }), ...(s.ok ? { sessions: s.body } : {}) });
    setText(c.ok ? JSON.stringify(c.body, null, 2) : '');
  };
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      setMessage('The config must be JSON.');
      return;
    }
    const r = await api('PUT', key(), body);
    setMessage(r.ok ? 'Saved.' : [r.problem?.title, r.problem?.detail].filter(Boolean).join(': '));
  };
  return html`<section class="bootstrap">
    <h1>Bootstrap</h1>
    ${listening ? null : html`<p class="note">The Bootstrap Server does not listen (<code>bootstrap.enabled: false</code>): the configs kept here are used once it does.</p>`}
    <h2>Default config</h2>
    ${def === undefined ? html`<p class="loading">Loading...</p>` : def === null ? html`<p class="muted">No default config.</p>` : html`<pre class="json">${JSON.stringify(def, null, 2)}</pre>`}
    <h2>A client's config and sessions</h2>
    <form class="inline" onSubmit=${look}>
      <input name="endpoint" placeholder="endpoint name (empty: the default)" value=${endpoint} onInput=${(e: Event) => setEndpoint((e.target as HTMLInputElement).value)} />
      <button type="submit">Show</button>
    </form>
    ${shown
      ? html`${shown.error ? html`<p class="muted">${shown.error}</p>` : null}
          ${shown.sessions ? html`<h3>Sessions</h3><pre class="json">${JSON.stringify(shown.sessions, null, 2)}</pre>` : null}`
      : null}
    ${write
      ? html`<h3>Edit ${endpoint.trim() || 'the default'} (JSON, keys in hex; never shown back)</h3>
          <form class="stack" onSubmit=${save}>
            <textarea name="config" rows="10" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} placeholder='{"servers": [{"shortServerId": 1, "uri": "coap://gateway:5683", "securityMode": "nosec"}]}'></textarea>
            <button type="submit">Save</button>
          </form>
          ${message ? html`<p class="note">${message}</p>` : null}`
      : null}
  </section>`;
}
