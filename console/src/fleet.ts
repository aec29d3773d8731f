/**
 * Fleet: the registered devices, a page at a time (GET /api/devices with its filters and
 * cursor), kept current by the event stream: a device that updates, sleeps or wakes
 * changes in place, one that leaves disappears, and the page is read again (at most
 * once a second) when devices come or go.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, follow } from './api.js';
import type { DeviceList, Registration } from './types.js';
import { ago } from './values.js';

const PAGE = 50;

interface Filters {
  endpoint: string;
  state: string;
  version: string;
  binding: string;
  seen: string;
  queued: string;
}

const EMPTY: Filters = { endpoint: '', state: '', version: '', binding: '', seen: '', queued: '' };

function query(f: Filters, cursor: string | undefined): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  const name = f.endpoint.trim();
  // a name without a wildcard is searched as a part of the name
  if (name) q.set('endpoint', /[*?]/.test(name) ? name : `*${name}*`);
  if (f.state) q.set('state', f.state);
  if (f.version) q.set('version', f.version);
  if (f.binding) q.set('binding', f.binding);
  if (f.queued) q.set('queued', f.queued);
  if (f.seen) {
    const [k, v] = f.seen.split('=');
    q.set(k!, v!);
  }
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

export function StateBadge({ state }: { state: string | undefined }) {
  return html`<span class=${`state state-${state ?? 'online'}`}>${state ?? 'online'}</span>`;
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return html`<label>${label}
    <select value=${value} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
    </select>
  </label>`;
}

export function FleetPage() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [list, setList] = useState<DeviceList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [live, setLive] = useState(false);
  const [, setTick] = useState(0);
  const current = useRef({ filters, cursor: undefined as string | undefined });
  const reload = useRef<() => void>(() => {});
  current.current = { filters, cursor: cursors[cursors.length - 1] };

  const seq = useRef(0);
  const load = async (): Promise<void> => {
    const { filters: f, cursor } = current.current;
    const mine = ++seq.current;
    const r = await api<DeviceList>('GET', `/api/devices?${query(f, cursor)}`);
    // an answer to an older query (the filters changed meanwhile) is dropped
    if (mine !== seq.current) return;
    if (r.ok) {
      setList(r.body);
      setError(undefined);
    } else setError(r.problem?.detail ?? r.problem?.title ?? `HTTP ${r.status}`);
  };

  useEffect(() => {
    // typing in the search waits for a pause
    const t = setTimeout(() => void load(), 200);
    return () => clearTimeout(t);
  }, [filters, cursors]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    let everConnected = false;
    reload.current = () => {
      if (timer) return;
      const wait = Math.max(0, 1000 - (Date.now() - last));
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        void load();
      }, wait);
    };
    const stop = follow(
      'events=registered,updated,deregistered,expired,awake,sleeping',
      ({ event, data }) => {
        const endpoint = String(data.endpoint ?? '');
        if (event === 'deregistered' || event === 'expired') {
          setList((l) => (l ? { ...l, devices: l.devices.filter((d) => d.endpoint !== endpoint), count: l.devices.filter((d) => d.endpoint !== endpoint).length } : l));
          reload.current();
        } else if (event === 'registered') reload.current();
        else {
          const reg = data.registration as Registration | undefined;
          if (!reg) return;
          setList((l) => (l ? { ...l, devices: l.devices.map((d) => (d.endpoint === endpoint ? { ...d, ...reg, lastSeen: reg.lastSeen > d.lastSeen ? reg.lastSeen : d.lastSeen } : d)) } : l));
        }
      },
      (connected) => {
        setLive(connected);
        // what happened while the stream was down is read afresh
        if (connected && everConnected) reload.current();
        everConnected ||= connected;
      },
    );
    // "last seen" stays current; queued requests (no event tells of them) are read again now and then
    let ticks = 0;
    const every = setInterval(() => {
      setTick((t) => t + 1);
      if (++ticks % 6 === 0) reload.current();
    }, 5000);
    return () => {
      stop();
      clearInterval(every);
      if (timer) clearTimeout(timer);
    };
  }, []);

  const set = (k: keyof Filters) => (v: string) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setCursors([undefined]);
  };
  const page = cursors.length;
  const first = list && list.total > 0 ? (page - 1) * PAGE + 1 : 0;

  return html`<section class="fleet">
    <h1>Fleet <span class=${`live ${live ? 'on' : ''}`} title=${live ? 'live: following /api/events' : 'not following events'}>${live ? 'live' : 'not live'}</span></h1>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>Endpoint <input type="search" name="endpoint" placeholder="name or glob: meter-*" value=${filters.endpoint} onInput=${(e: Event) => set('endpoint')((e.target as HTMLInputElement).value)} /></label>
      <${Select} label="State" value=${filters.state} onChange=${set('state')} options=${[['', 'any'], ['online', 'online'], ['sleeping', 'sleeping'], ['offline', 'offline']]} />
      <${Select} label="Version" value=${filters.version} onChange=${set('version')} options=${[['', 'any'], ['1.0', '1.0'], ['1.1', '1.1'], ['1.2', '1.2']]} />
      <${Select} label="Binding" value=${filters.binding} onChange=${set('binding')} options=${[['', 'any'], ['U', 'UDP'], ['T', 'TCP'], ['S', 'SMS'], ['N', 'Non-IP'], ['M', 'MQTT'], ['H', 'HTTP'], ['Q', 'queue mode']]} />
      <${Select} label="Last seen" value=${filters.seen} onChange=${set('seen')} options=${[['', 'any time'], ['seenWithin=300', 'within 5 min'], ['seenWithin=3600', 'within 1 h'], ['silentFor=3600', 'over 1 h ago'], ['silentFor=86400', 'over 1 day ago']]} />
      <${Select} label="Queued requests" value=${filters.queued} onChange=${set('queued')} options=${[['', 'any'], ['true', 'some'], ['false', 'none']]} />
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${list
      ? html`<p class="count">${list.total === 0 ? 'No device matches.' : `${first}-${first + list.devices.length - 1} of ${list.total} devices`}</p>
          <div class="scroll"><table class="devices">
            <thead><tr><th>Endpoint</th><th>State</th><th>Version</th><th>Binding</th><th>Last seen</th><th>Queued</th><th>Address</th></tr></thead>
            <tbody>
              ${list.devices.map(
                (d) => html`<tr key=${d.endpoint} data-endpoint=${d.endpoint}>
                  <td><a href=${`#/device/${encodeURIComponent(d.endpoint)}`}>${d.endpoint}</a></td>
                  <td><${StateBadge} state=${d.state} /></td>
                  <td>${d.version}</td>
                  <td>${d.binding}</td>
                  <td title=${d.lastSeen}>${ago(d.lastSeen)}</td>
                  <td class="num">${d.queuedRequests}</td>
                  <td class="addr">${d.address.transport} ${d.address.address}:${d.address.port}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          <nav class="pager">
            <button disabled=${page <= 1} onClick=${() => setCursors((c) => c.slice(0, -1))}>Previous</button>
            <span>page ${page}</span>
            <button disabled=${!list.next} onClick=${() => list.next && setCursors((c) => [...c, list.next!])}>Next</button>
          </nav>`
      : html`<p class="loading">Loading...</p>`}
  </section>`;
}
