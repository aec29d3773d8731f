/**
 * A device's objects as a tree: object (name, id, version) > instance > resource, each
 * resource with its type, units and operations, its latest value (and a plot when it is
 * numeric), and the controls its operations allow; no write control for a read scope.
 */
import { useState } from 'preact/hooks';
import { html } from './html.js';
import type { DeviceModel, ObjectModel, Observation, ResourceModel } from './types.js';
import type { ValueStore } from './device-state.js';
import { Plot } from './plot.js';
import { NUMERIC, parseInput, parseValuesObject, show, type JsonValue } from './values.js';

export interface Ops {
  /** the caller may write (write scope): write controls are shown */
  canWrite: boolean;
  store: ValueStore;
  observed: Observation[];
  read(path: string): Promise<void>;
  discover(path: string): Promise<void>;
  write(path: string, value: JsonValue): Promise<void>;
  /** an instance's resources at once: a partial update (PATCH) or a replace (PUT) */
  writeInstance(path: string, value: Record<string, JsonValue>, partial: boolean): Promise<void>;
  execute(path: string, args: string): Promise<void>;
  observe(path: string, attributes?: Record<string, number>): Promise<void>;
  cancel(path: string): Promise<void>;
  create(objectId: number, instanceId: number | undefined, value: Record<string, JsonValue>): Promise<void>;
  remove(path: string): Promise<void>;
}

const ATTRIBUTES = ['pmin', 'pmax', 'gt', 'lt', 'st'] as const;

function isObserved(ops: Ops, path: string): boolean {
  return ops.observed.some((o) => !o.composite && o.paths.length === 1 && o.paths[0] === path);
}

/** Observe / cancel, with notification attributes written first when given. */
function ObserveControl({ path, ops }: { path: string; ops: Ops }) {
  const [open, setOpen] = useState(false);
  const [attrs, setAttrs] = useState<Record<string, string>>({});
  if (!ops.canWrite) return null;
  if (isObserved(ops, path)) return html`<button class="small on" onClick=${() => void ops.cancel(path)} title="cancel the observation">Cancel observe</button>`;
  const start = (): void => {
    const a: Record<string, number> = {};
    for (const k of ATTRIBUTES) if (attrs[k] !== undefined && attrs[k] !== '' && Number.isFinite(Number(attrs[k]))) a[k] = Number(attrs[k]);
    setOpen(false);
    void ops.observe(path, a);
  };
  return html`<span class="observe">
    <button class="small" onClick=${start}>Observe</button>
    <button class="small link" onClick=${() => setOpen(!open)} aria-expanded=${open} title="notification attributes">attrs</button>
    ${open
      ? html`<span class="attrs">${ATTRIBUTES.map(
          (k) => html`<label>${k}<input type="number" step="any" name=${k} value=${attrs[k] ?? ''} onInput=${(e: Event) => setAttrs({ ...attrs, [k]: (e.target as HTMLInputElement).value })} /></label>`,
        )}</span>`
      : null}
  </span>`;
}

function WriteControl({ path, res, ops }: { path: string; res: ResourceModel; ops: Ops }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: Event): void => {
    e.preventDefault();
    const v = parseInput(text, res.type, res.multiple);
    if ('error' in v) {
      setError(v.error);
      return;
    }
    setError(undefined);
    void ops.write(path, v.value);
  };
  const onInput = (e: Event): void => setText((e.target as HTMLInputElement).value);
  let input;
  if (res.multiple) input = html`<input name="value" placeholder='{"0": ...}' value=${text} onInput=${onInput} aria-label=${`new value of ${res.name}`} />`;
  else if (res.type === 'boolean') {
    input = html`<select name="value" value=${text} onChange=${onInput} aria-label=${`new value of ${res.name}`}><option value="">-</option><option value="true">true</option><option value="false">false</option></select>`;
  } else if (NUMERIC.has(res.type)) {
    input = html`<input type="number" name="value" step=${res.type === 'float' ? 'any' : '1'} min=${res.type === 'unsigned' ? '0' : undefined} value=${text} onInput=${onInput} aria-label=${`new value of ${res.name}`} />`;
  } else {
    const hint = res.type === 'time' ? 'seconds or ISO 8601' : res.type === 'opaque' ? 'base64' : res.type === 'objlnk' ? '3:0' : '';
    input = html`<input name="value" placeholder=${hint} value=${text} onInput=${onInput} aria-label=${`new value of ${res.name}`} />`;
  }
  return html`<form class="write" onSubmit=${submit}>${input}<button class="small" type="submit">Write</button>${error ? html`<span class="error">${error}</span>` : null}</form>`;
}

function ExecuteControl({ path, ops }: { path: string; ops: Ops }) {
  const [args, setArgs] = useState('');
  return html`<form class="write" onSubmit=${(e: Event) => {
    e.preventDefault();
    void ops.execute(path, args.trim());
  }}>
    <input name="args" placeholder="arguments: 0='v',1" value=${args} onInput=${(e: Event) => setArgs((e.target as HTMLInputElement).value)} aria-label="execute arguments" />
    <button class="small" type="submit">Execute</button>
  </form>`;
}

function ResourceRow({ path, res, ops }: { path: string; res: ResourceModel; ops: Ops }) {
  const known = ops.store.latest.get(path);
  const points = ops.store.history.get(path) ?? [];
  const readable = res.operations.includes('R');
  const writable = res.operations.includes('W');
  const executable = res.operations === 'E';
  return html`<li class="resource" data-path=${path}>
    <div class="res-head">
      <span class="name">${res.name}</span>
      <code class="path">${path}</code>
      <span class="meta">${res.type !== 'none' ? res.type : ''}${res.multiple ? '[]' : ''}${res.units ? ` · ${res.units}` : ''}${res.range ? ` · ${res.range}` : ''} · <span class="ops" title="operations">${res.operations || '-'}</span></span>
    </div>
    <div class="res-body">
      ${readable
        ? html`<span class="value" data-source=${known?.source ?? ''} title=${known ? `${known.source} at ${new Date(known.at).toLocaleTimeString()}` : 'not read yet'}>${known ? show(known.value, res.type) : '\u2014'}</span>
            ${NUMERIC.has(res.type) ? html`<${Plot} points=${points} units=${res.units} />` : null}
            <button class="small" onClick=${() => void ops.read(path)}>Read</button>
            <${ObserveControl} path=${path} ops=${ops} />`
        : null}
      ${writable && ops.canWrite ? html`<${WriteControl} path=${path} res=${res} ops=${ops} />` : null}
      ${executable && ops.canWrite ? html`<${ExecuteControl} path=${path} ops=${ops} />` : null}
    </div>
  </li>`;
}

function InstanceWriteControl({ path, ops }: { path: string; ops: Ops }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('{}');
  const [partial, setPartial] = useState(true);
  const [error, setError] = useState<string | undefined>();
  if (!open) return html`<button class="small" onClick=${() => setOpen(true)}>Write instance</button>`;
  return html`<form class="create" onSubmit=${(e: Event) => {
    e.preventDefault();
    const parsed = parseValuesObject(value, '{"5850": true, "5851": 80}');
    if ('error' in parsed) return setError(parsed.error);
    setOpen(false);
    void ops.writeInstance(path, parsed.values, partial);
  }}>
    <label>Values <input name="instanceValues" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} /></label>
    <select name="writeMode" value=${partial ? 'partial' : 'replace'} onChange=${(e: Event) => setPartial((e.target as HTMLSelectElement).value === 'partial')}>
      <option value="partial">partial update</option><option value="replace">replace</option>
    </select>
    <button class="small" type="submit">Write</button> <button class="small link" type="button" onClick=${() => setOpen(false)}>cancel</button>
    ${error ? html`<span class="error">${error}</span>` : null}
  </form>`;
}

function InstanceView({ obj, objectId, instanceId, ops }: { obj: ObjectModel | null; objectId: number; instanceId: number; ops: Ops }) {
  const path = `/${objectId}/${instanceId}`;
  return html`<details class="instance" open>
    <summary><span>Instance ${instanceId}</span> <code>${path}</code></summary>
    <div class="actions">
      <button class="small" onClick=${() => void ops.read(path)}>Read</button>
      <button class="small" onClick=${() => void ops.discover(path)}>Discover</button>
      <${ObserveControl} path=${path} ops=${ops} />
      ${ops.canWrite ? html`<${InstanceWriteControl} path=${path} ops=${ops} />` : null}
      ${ops.canWrite && obj?.multiple !== false ? html`<button class="small danger" onClick=${() => confirm(`Delete ${path}?`) && void ops.remove(path)}>Delete</button>` : null}
    </div>
    ${obj
      ? html`<ul class="resources">${obj.resources.map((r) => html`<${ResourceRow} key=${r.id} path=${`${path}/${r.id}`} res=${r} ops=${ops} />`)}</ul>`
      : html`<p class="muted">No model of object ${objectId}: use Read and Discover.</p>`}
  </details>`;
}

function CreateControl({ objectId, ops }: { objectId: number; ops: Ops }) {
  const [open, setOpen] = useState(false);
  const [iid, setIid] = useState('');
  const [value, setValue] = useState('{}');
  const [error, setError] = useState<string | undefined>();
  if (!open) return html`<button class="small" onClick=${() => setOpen(true)}>Create</button>`;
  return html`<form class="create" onSubmit=${(e: Event) => {
    e.preventDefault();
    const parsed = parseValuesObject(value, '{"5750": "name"}');
    if ('error' in parsed) return setError(parsed.error);
    setOpen(false);
    void ops.create(objectId, iid.trim() === '' ? undefined : Number(iid), parsed.values);
  }}>
    <label>Instance id <input type="number" min="0" max="65534" name="instanceId" placeholder="device picks" value=${iid} onInput=${(e: Event) => setIid((e.target as HTMLInputElement).value)} /></label>
    <label>Values <input name="values" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} /></label>
    <button class="small" type="submit">Create instance</button> <button class="small link" type="button" onClick=${() => setOpen(false)}>cancel</button>
    ${error ? html`<span class="error">${error}</span>` : null}
  </form>`;
}

export function ObjectTree({ model, ops }: { model: DeviceModel; ops: Ops }) {
  return html`<div class="tree">
    ${model.objects.map((o) => {
      const path = `/${o.id}`;
      return html`<details class="object" key=${o.id} open=${o.id !== 0 && o.id !== 1 && o.id !== 2}>
        <summary><span class="name">${o.model?.name ?? `Object ${o.id}`}</span> <code>${path}</code> <span class="meta">v${o.version}</span></summary>
        <div class="actions">
          <button class="small" onClick=${() => void ops.read(path)}>Read</button>
          <button class="small" onClick=${() => void ops.discover(path)}>Discover</button>
          <${ObserveControl} path=${path} ops=${ops} />
          ${ops.canWrite && o.model?.multiple ? html`<${CreateControl} objectId=${o.id} ops=${ops} />` : null}
        </div>
        ${o.instances.length === 0 ? html`<p class="muted">No instance registered.</p>` : null}
        ${o.instances.map((i) => html`<${InstanceView} key=${i} obj=${o.model} objectId=${o.id} instanceId=${i} ops=${ops} />`)}
      </details>`;
    })}
  </div>`;
}
