/**
 * The shell: asks for a token when the API wants one, learns the token's scope (read
 * tokens see no write controls), and shows the page the location's hash names:
 * `#/` fleet, `#/device/<endpoint>`, `#/gateway`, `#/security`, `#/bootstrap`, `#/firmware`,
 * `#/firmware/campaign/<id>`.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, getToken, onUnauthorized, setToken } from './api.js';
import type { Scope } from './types.js';
import { FleetPage } from './fleet.js';
import { DevicePage } from './device.js';
import { GatewayPage } from './gateway.js';
import { SecurityPage } from './security.js';
import { BootstrapPage } from './bootstrap.js';
import { FirmwarePage } from './firmware.js';
import { CampaignPage } from './campaign.js';

type Route = { page: 'fleet' } | { page: 'device'; endpoint: string } | { page: 'gateway' } | { page: 'security' } | { page: 'bootstrap' } | { page: 'firmware' } | { page: 'campaign'; id: string };

function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  if (h.startsWith('device/')) {
    try {
      return { page: 'device', endpoint: decodeURIComponent(h.slice(7)) };
    } catch {
      return { page: 'fleet' };
    }
  }
  if (h.startsWith('firmware/campaign/')) {
    try {
      return { page: 'campaign', id: decodeURIComponent(h.slice(18)) };
    } catch {
      return { page: 'firmware' };
    }
  }
  if (h === 'gateway' || h === 'security' || h === 'bootstrap' || h === 'firmware') return { page: h };
  return { page: 'fleet' };
}

function Login({ failed, onToken }: { failed: boolean; onToken: (t: string) => void }) {
  const [value, setValue] = useState('');
  return html`<form class="login card" onSubmit=${(e: Event) => {
    e.preventDefault();
    onToken(value.trim());
  }}>
    <h1>lwm2m-gateway</h1>
    <p>This gateway's API needs a token (<code>rest.tokens</code>).</p>
    <label>Token <input type="password" name="token" autocomplete="current-password" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} autofocus /></label>
    ${failed ? html`<p class="error" role="alert">The token was not accepted.</p>` : null}
    <button type="submit" disabled=${value.trim() === ''}>Sign in</button>
  </form>`;
}

export function App() {
  const [route, setRoute] = useState<Route>(parseRoute(location.hash));
  const [auth, setAuth] = useState<{ state: 'checking' | 'login' | 'ok'; scope: Scope; tokens: boolean; failed: boolean }>({ state: 'checking', scope: 'read', tokens: false, failed: false });

  const check = async (): Promise<void> => {
    const r = await api<{ scope: Scope; tokens: boolean }>('GET', '/api/whoami');
    if (r.status === 401) setAuth((a) => ({ ...a, state: 'login', failed: getToken() !== '' }));
    else if (r.ok) setAuth({ state: 'ok', scope: r.body.scope, tokens: r.body.tokens, failed: false });
    else setAuth((a) => ({ ...a, state: 'login', failed: false }));
  };

  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    void check();
    const off = onUnauthorized(() => setAuth((a) => ({ ...a, state: 'login', failed: getToken() !== '' })));
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }, []);

  if (auth.state === 'checking') return html`<p class="loading">Loading...</p>`;
  if (auth.state === 'login') {
    return html`<${Login} failed=${auth.failed} onToken=${(t: string) => {
      setToken(t);
      void check();
    }} />`;
  }
  const write = auth.scope === 'write';
  // a campaign is a part of the firmware page
  const active = (page: string): boolean => route.page === page || (page === 'firmware' && route.page === 'campaign');
  const nav = (page: string, label: string, href: string) =>
    html`<a href=${href} class=${active(page) ? 'active' : ''} aria-current=${active(page) ? 'page' : undefined}>${label}</a>`;
  let page;
  switch (route.page) {
    case 'device':
      page = html`<${DevicePage} key=${route.endpoint} endpoint=${route.endpoint} write=${write} />`;
      break;
    case 'gateway':
      page = html`<${GatewayPage} />`;
      break;
    case 'security':
      page = html`<${SecurityPage} write=${write} />`;
      break;
    case 'bootstrap':
      page = html`<${BootstrapPage} write=${write} />`;
      break;
    case 'firmware':
      page = html`<${FirmwarePage} write=${write} />`;
      break;
    case 'campaign':
      page = html`<${CampaignPage} key=${route.id} id=${route.id} write=${write} />`;
      break;
    default:
      page = html`<${FleetPage} />`;
  }
  return html`<header class="top">
      <a class="brand" href="#/">lwm2m-gateway</a>
      <nav>
        ${nav('fleet', 'Fleet', '#/')} ${nav('gateway', 'Gateway', '#/gateway')} ${nav('security', 'Security', '#/security')} ${nav('bootstrap', 'Bootstrap', '#/bootstrap')} ${nav('firmware', 'Firmware', '#/firmware')}
      </nav>
      <span class="who">
        <span class="badge" title="what this session may do">${write ? 'read/write' : 'read only'}</span>
        ${auth.tokens ? html`<button class="link" onClick=${() => { setToken(''); setAuth((a) => ({ ...a, state: 'login', failed: false })); }}>Sign out</button>` : null}
      </span>
    </header>
    <main>${page}</main>`;
}
