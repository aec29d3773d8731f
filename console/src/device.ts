/**
 * Device: its registration, its objects as a tree named from the object model, the
 * operations on every level (read, write, execute, observe with attributes, create,
 * delete, discover, composite read), live values from notifications and Send, and the
 * mapping files that apply to it. Every request goes to the public REST API; answers and
 * errors are shown as they came.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ep, follow, type Answer } from './api.js';
import type { DeviceModel, FirmwareJob, MappingFile, Observation, Registration } from './types.js';
import { ago, type JsonValue } from './values.js';
import { StateBadge } from './fleet.js';
import { ValueStore, type LogEntry } from './device-state.js';
import { ObjectTree, type Ops } from './object-tree.js';
import { MappingList } from './gateway.js';
import { Observations, Trace, type TraceLine } from './device-extras.js';
import { DeviceFirmware } from './device-firmware.js';

let nextLog = 1;

/** `?format=` values of the API, and their labels. */
const FORMATS: [string, string][] = [
  ['', 'gateway picks'],
  ['text', 'text'],
  ['opaque', 'opaque'],
  ['tlv', 'TLV'],
  ['json', 'OMA JSON (1.0)'],
  ['senml-json', 'SenML JSON'],
  ['senml-cbor', 'SenML CBOR'],
  ['lwm2m-cbor', 'LwM2M CBOR'],
  ['cbor', 'CBOR'],
];

/** What a successful answer does to the page (its status and body). */
type Done = (status: number, body: unknown) => void;

function describe(r: Answer): string {
  if (r.status === 204) return 'done';
  if (r.status === 202) return `queued for the sleeping device: ${JSON.stringify(r.body)}`;
  if (!r.ok) {
    const p = r.problem ?? {};
    return [p.code, p.title, p.detail].filter(Boolean).join(': ');
  }
  return typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 1);
}

function Details({ reg }: { reg: Registration }) {
  const rows: [string, unknown][] = [
    ['State', html`<${StateBadge} state=${reg.state} />`],
    ['LwM2M version', reg.version],
    ['Binding', reg.binding + (reg.queueMode ? ' (queue mode)' : '')],
    ['Lifetime', `${reg.lifetime} s`],
    ['Address', `${reg.address.transport} ${reg.address.address}:${reg.address.port}`],
    ['Registered', `${reg.registeredAt} (${ago(reg.registeredAt)})`],
    ['Last update', reg.lastUpdateAt],
    ['Last seen', `${reg.lastSeen} (${ago(reg.lastSeen)})`],
    ['Expires', reg.expiresAt],
    ['Queued requests', reg.queuedRequests],
    ['Content formats', reg.contentFormats.join(', ') || '-'],
    ['Root path', reg.rootPath],
  ];
  if (reg.registrationId) rows.push(['Registration id', reg.registrationId]);
  if (reg.smsNumber) rows.push(['SMS number', reg.smsNumber]);
  for (const [k, v] of Object.entries(reg.extra ?? {})) rows.push([k, v]);
  return html`<dl class="details">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export function DevicePage({ endpoint, write }: { endpoint: string; write: boolean }) {
  const [reg, setReg] = useState<Registration | undefined>();
  const [gone, setGone] = useState<string | undefined>();
  const [model, setModel] = useState<DeviceModel | undefined>();
  const [mappings, setMappings] = useState<MappingFile[] | undefined>();
  const [observed, setObserved] = useState<Observation[]>([]);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [, setVersion] = useState(0);
  const [composite, setComposite] = useState('');
  const [traces, setTraces] = useState<TraceLine[]>([]);
  const [fota, setFota] = useState<FirmwareJob | undefined>();
  /** the content format asked of the device (`?format=`); '' lets the gateway pick */
  const [format, setFormat] = useState('');
  const fq = (sep: '?' | '&'): string => (format ? `${sep}format=${format}` : '');
  const fmtLabel = format ? ` as ${format}` : '';
  const store = useRef(new ValueStore()).current;
  const alive = useRef(true);
  const changed = (): void => setVersion((v) => v + 1);
  const base = `/api/devices/${ep(endpoint)}`;

  const refreshObservations = async (): Promise<void> => {
    const r = await api<{ observations: Observation[] }>('GET', `${base}/observations`);
    if (r.ok) setObserved(r.body.observations);
  };

  const load = async (): Promise<void> => {
    const r = await api<Registration>('GET', base);
    if (!r.ok) {
      setGone(r.status === 404 ? 'No device of this name is registered.' : describe(r));
      return;
    }
    setReg(r.body);
    setGone(undefined);
    const [m, mp] = await Promise.all([api<DeviceModel>('GET', `${base}/model`), api<{ mappings: MappingFile[] }>('GET', `${base}/mappings`)]);
    if (m.ok) setModel(m.body);
    if (mp.ok) setMappings(mp.body.mappings);
    await refreshObservations();
  };

  useEffect(() => {
    alive.current = true;
    let everConnected = false;
    void load();
    // the filter takes globs and comma lists: a name with `*`, `?` or `,` is asked for with `?` there (one character), and checked exactly below
    const stop = follow(`endpoint=${encodeURIComponent(endpoint.replace(/[*?,]/g, '?'))}`, ({ event, data }) => {
      if (data.endpoint !== endpoint) return;
      switch (event) {
        case 'notification': {
          const at = Date.parse(String(data.receivedAt)) || Date.now();
          const paths = (data.paths as string[] | undefined) ?? [];
          if (data.values && typeof data.values === 'object') for (const [p, v] of Object.entries(data.values as Record<string, JsonValue>)) store.put(p, v, 'notification', at);
          else if (data.value !== undefined && paths[0]) store.put(paths[0], data.value as JsonValue, 'notification', at);
          changed();
          break;
        }
        case 'send': {
          const at = Date.parse(String(data.receivedAt)) || Date.now();
          for (const rec of (data.records as { time: number | null; values: Record<string, JsonValue> }[] | undefined) ?? []) {
            for (const [p, v] of Object.entries(rec.values)) store.put(p, v, 'send', rec.time !== null ? rec.time * 1000 : at);
          }
          changed();
          break;
        }
        case 'registered':
        case 'updated':
          void load();
          break;
        case 'awake':
        case 'sleeping':
          if (data.registration) setReg(data.registration as Registration);
          break;
        case 'deregistered':
        case 'expired':
          setGone(event === 'expired' ? 'The registration expired.' : 'The device de-registered.');
          setReg(undefined);
          break;
        case 'observationEnded':
          void refreshObservations();
          break;
        case 'fota':
          setFota(data as unknown as FirmwareJob);
          break;
        case 'trace':
          setTraces((t) => [{ ...(data as unknown as TraceLine), id: nextLog++, at: Date.now() }, ...t].slice(0, 100));
          break;
      }
    }, (connected) => {
      // reconnected: what happened while the stream was down (a re-registration...) is read afresh
      if (connected && everConnected) void load();
      everConnected ||= connected;
    });
    return () => {
      alive.current = false;
      stop();
    };
  }, [endpoint]);

  const setInstances = (objectId: number, fn: (list: number[]) => number[]): void =>
    setModel((m) => (m ? { ...m, objects: m.objects.map((o) => (o.id === objectId ? { ...o, instances: fn(o.instances) } : o)) } : m));

  const addLog = (label: string, status: number, ok: boolean, text: string): void =>
    setLog((l) => [{ id: nextLog++, at: Date.now(), label, status, ok, text }, ...l].slice(0, 50));

  /**
   * Follows a request queued for a sleeping device (202) until it is done or failed,
   * every 2 s for at most 30 minutes (or until the page closes).
   */
  const followQueued = async (label: string, location: string, onDone?: Done): Promise<void> => {
    for (let i = 0; i < 900 && alive.current; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      if (!alive.current) return;
      const q = await api<{ state: string; result?: { status: number; body: unknown } }>('GET', location);
      if (!q.ok) return addLog(`${label} (queued)`, q.status, false, describe(q));
      if (q.body.state !== 'done' && q.body.state !== 'failed') continue;
      const res = q.body.result;
      const ok = res !== undefined && res.status < 300;
      addLog(`${label} (was queued)`, res?.status ?? 0, ok, res ? describe({ status: res.status, ok, body: res.body, ...(ok ? {} : { problem: res.body as Answer['problem'] }) }) : q.body.state);
      if (ok && res) onDone?.(res.status, res.body);
      return;
    }
  };

  /** Sends a request, logs its answer, and hands a success (now, or when a queued request ends) to `onDone`. */
  const run = async (label: string, method: string, url: string, body?: unknown, onDone?: Done): Promise<Answer> => {
    const r = await api(method, url, body);
    addLog(label, r.status, r.ok, describe(r));
    if (r.status === 202) {
      const location = (r.body as { location?: unknown } | undefined)?.location;
      if (typeof location === 'string' && location.startsWith('/api/requests/')) void followQueued(label, location, onDone);
    } else if (r.ok) onDone?.(r.status, r.body);
    return r;
  };

  const ops: Ops = {
    canWrite: write,
    store,
    observed,
    async read(path) {
      await run(`Read ${path}${fmtLabel}`, 'GET', `${base}${path}${fq('?')}`, undefined, (_s, b) => {
        store.put(path, (b as { value: JsonValue }).value, 'read');
        changed();
      });
    },
    async discover(path) {
      await run(`Discover ${path}`, 'GET', `${base}${path}/discover`);
    },
    async write(path, value) {
      await run(`Write ${path}${fmtLabel}`, 'PUT', `${base}${path}${fq('?')}`, { value }, () => {
        store.put(path, value, 'written');
        changed();
      });
    },
    async writeInstance(path, value, partial) {
      await run(`Write ${path} (${partial ? 'partial update' : 'replace'})${fmtLabel}`, partial ? 'PATCH' : 'PUT', `${base}${path}${fq('?')}`, { value }, () => {
        store.put(path, value, 'written');
        changed();
      });
    },
    async execute(path, args) {
      await run(`Execute ${path}${args ? ` (${args})` : ''}`, 'POST', `${base}${path}`, args ? { args } : {});
    },
    async observe(path, attributes) {
      if (attributes && Object.keys(attributes).length > 0) {
        const a = await run(`Write-Attributes ${path}`, 'PUT', `${base}${path}/attributes`, attributes);
        if (!a.ok) return;
      }
      await run(`Observe ${path}${fmtLabel}`, 'POST', `${base}${path}/observe${fq('?')}`, undefined, (_s, b) => {
        const v = (b as { value?: JsonValue }).value;
        if (v !== undefined) store.put(path, v, 'observe');
        changed();
        void refreshObservations();
      });
    },
    async cancel(path) {
      await run(`Cancel observation ${path}`, 'DELETE', `${base}${path}/observe`, undefined, () => void refreshObservations());
    },
    async create(objectId, instanceId, value) {
      await run(`Create /${objectId}`, 'POST', `${base}/${objectId}`, { ...(instanceId !== undefined ? { instanceId } : {}), value }, (_s, b) => {
        // the registration lists the new instance only after the device's next Update: shown now
        const iid = (b as { instanceId?: unknown } | undefined)?.instanceId;
        if (typeof iid === 'number') setInstances(objectId, (list) => [...new Set([...list, iid])].sort((x, y) => x - y));
      });
    },
    async remove(path) {
      await run(`Delete ${path}`, 'DELETE', `${base}${path}`, undefined, () => {
        const [o, i] = path.split('/').filter(Boolean).map(Number);
        if (o !== undefined && i !== undefined) setInstances(o, (list) => list.filter((x) => x !== i));
      });
    },
  };

  const readComposite = async (): Promise<void> => {
    const paths = composite.split(/[\s,]+/).filter(Boolean).join(',');
    if (!paths) return;
    await run(`Read-Composite ${paths}${fmtLabel}`, 'GET', `${base}/composite?paths=${encodeURIComponent(paths)}${fq('&')}`, undefined, (_s, b) => {
      for (const [p, v] of Object.entries((b as { values: Record<string, JsonValue> }).values)) if (v !== null) store.put(p, v, 'read');
      changed();
    });
  };

  return html`<section class="device">
    <p class="crumbs"><a href="#/">Fleet</a> / ${endpoint}</p>
    <h1>${endpoint}</h1>
    ${gone ? html`<p class="error gone" role="alert">${gone}</p>` : null}
    ${reg ? html`<${Details} reg=${reg} />` : null}
    <div class="columns">
      <div class="tree-col">
        <h2 class="with-tools">Objects
          <label class="format">Content format
            <select name="format" value=${format} onChange=${(e: Event) => setFormat((e.target as HTMLSelectElement).value)}>
              ${FORMATS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
            </select>
          </label>
        </h2>
        ${model ? html`<${ObjectTree} model=${model} ops=${ops} />` : reg ? html`<p class="loading">Loading...</p>` : null}
        <h2>Composite read</h2>
        <form class="inline" onSubmit=${(e: Event) => {
          e.preventDefault();
          void readComposite();
        }}>
          <input name="composite" placeholder="/3/0/0, /3303/0/5700" value=${composite} onInput=${(e: Event) => setComposite((e.target as HTMLInputElement).value)} />
          <button type="submit">Read-Composite</button>
        </form>
      </div>
      <div class="side-col">
        <h2>Results</h2>
        <ol class="log" aria-live="polite">
          ${log.length === 0 ? html`<li class="muted">Operations and the device's answers appear here.</li>` : null}
          ${log.map(
            (e) => html`<li key=${e.id} class=${e.ok ? 'ok' : 'failed'}>
              <div><strong>${e.label}</strong> <span class="status">${e.status || 'no answer'}</span> <time>${new Date(e.at).toLocaleTimeString()}</time></div>
              <pre>${e.text}</pre>
            </li>`,
          )}
        </ol>
        <h2>Observations</h2>
        <${Observations} endpoint=${endpoint} list=${observed} write=${write} onChange=${() => void refreshObservations()} />
        <h2>Firmware update</h2>
        <${DeviceFirmware} endpoint=${endpoint} write=${write} live=${fota} />
        <h2>Messages</h2>
        <${Trace} endpoint=${endpoint} lines=${traces} write=${write} />
        <h2>Mappings that apply</h2>
        ${mappings ? html`<${MappingList} files=${mappings} empty="No mapping file selects this device." />` : null}
      </div>
    </div>
  </section>`;
}
