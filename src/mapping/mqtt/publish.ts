/**
 * One publish output compiled into `emit(group)`: topic and payload templates, the
 * payload kind (JSON, text, SenML) and transforms, all resolved at load time.
 */
import type { Value } from '../../lwm2m/node.js';
import type { FieldPath } from '../errors.js';
import type { InstanceGroup, PlannedOutput } from '../planned-output.js';
import type { TargetEnv } from '../target-env.js';
import { BUILTINS, RESOURCE_SCOPED, parseTemplate, topicTemplateFilter, type CompiledTemplate, type RenderContext } from '../template.js';
import { applyForward, type Transform } from '../transform.js';
import type { OutboundMessage, PublishSpec } from './types.js';
import { valueToJson, type LeafValue } from '../values.js';

/** One publish output: an MQTT message per resource or per instance (names: see PlannedOutput). */
export interface CompiledPublish extends PlannedOutput<OutboundMessage> {
  each: 'resource' | 'instance';
  /** an MQTT filter covering every topic this output publishes to (undefined: none valid) */
  topicFilter?: string;
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set(BUILTINS);
const RESPONSE_ONLY = new Map([
  ['operation', 'is only for command responses'],
  ['correlationId', 'is only for command responses'],
]);

function templateStrings(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) templateStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) templateStrings(x, out);
  return out;
}

/** resource when a template uses {value} & co, instance when it names resources only (senml: instance). */
function guessEach(spec: PublishSpec): 'resource' | 'instance' {
  let refs = false;
  for (const s of templateStrings([spec.topic, spec.payload, spec.baseName], [])) {
    const p = parseTemplate(s);
    if (!p.ok) continue;
    for (const part of p.parts) {
      if (typeof part === 'string') continue;
      if (RESOURCE_SCOPED.has(part.name)) return 'resource';
      if (!BUILTIN_NAMES.has(part.name)) refs = true;
    }
  }
  return refs ? 'instance' : 'resource';
}

type JsonFn = (ctx: RenderContext) => unknown;
interface JsonPart {
  fn: JsonFn;
  /** resources a string leaf names (for `absent: omit`) */
  refs: readonly number[];
}

/** `omit`: an object field whose template names a resource without a value is left out. */
function compileJson(v: unknown, path: FieldPath, env: TargetEnv, opts: Parameters<TargetEnv['template']>[2], refsOut: number[], omit: boolean): JsonPart | undefined {
  if (typeof v === 'string') {
    const t = env.template(v, path, opts);
    if (!t) return undefined;
    refsOut.push(...t.resourceRefs);
    return { fn: (c) => t.json(c), refs: t.resourceRefs };
  }
  if (Array.isArray(v)) {
    const parts = v.map((x, i) => compileJson(x, [...path, i], env, opts, refsOut, omit));
    if (parts.some((f) => !f)) return undefined;
    return { fn: (c) => parts.map((f) => f!.fn(c)), refs: [] };
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => [k, compileJson(x, [...path, k], env, opts, refsOut, omit)] as const);
    if (entries.some(([, f]) => !f)) return undefined;
    return {
      fn: (c) => {
        const o: Record<string, unknown> = {};
        for (const [k, f] of entries) {
          if (omit && f!.refs.some((id) => !c.values.has(id))) continue;
          o[k] = f!.fn(c);
        }
        return o;
      },
      refs: [],
    };
  }
  return { fn: () => v, refs: [] };
}

function senmlValue(rec: Record<string, unknown>, v: Value): void {
  if (typeof v === 'number' || typeof v === 'bigint') rec.v = Number(v);
  else if (typeof v === 'boolean') rec.vb = v;
  else if (typeof v === 'string') rec.vs = v;
  else if (v instanceof Uint8Array) rec.vd = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64url');
  else if (v !== null) rec.vlo = valueToJson(v);
}

export function compilePublish(spec: PublishSpec, env: TargetEnv, path: FieldPath, instances: ReadonlySet<number> | undefined): CompiledPublish | undefined {
  const before = env.sink.errors.length;
  const each = spec.each ?? (spec.format === 'senml' ? 'instance' : guessEach(spec));
  const format = spec.format ?? (spec.payload === undefined ? (each === 'resource' ? 'text' : 'json') : typeof spec.payload === 'string' ? 'text' : 'json');
  const filter = env.resourceList(spec.resources, [...path, 'resources']);

  const perResource = new Map<number, Transform | undefined>();
  for (const [ref, t] of Object.entries(spec.transforms ?? {})) {
    const id = env.resource(ref, [...path, 'transforms', ref], true);
    if (id !== undefined) perResource.set(id, env.transform(t, [...path, 'transforms', ref], [id]));
  }
  const fallback = env.transform(spec.transform, [...path, 'transform'], filter);
  const transformFor = (id: number): Transform | undefined => (perResource.has(id) ? perResource.get(id) : fallback);

  const forbidden = new Map(RESPONSE_ONLY);
  if (each === 'instance') for (const n of RESOURCE_SCOPED) forbidden.set(n, 'needs each: resource (this output renders one message per object instance)');
  const opts = { forbidden, transformFor };
  const omit = spec.absent === 'omit';
  const topic = env.template(spec.topic, [...path, 'topic'], { ...opts, topic: true });
  // the resources the templates name; an output with a resources filter and no template of its own names those
  const refs: number[] = [...(topic?.resourceRefs ?? [])];

  let payload: ((c: RenderContext, ids: number[]) => string) | undefined;
  if (format === 'senml') {
    if (spec.payload !== undefined) env.sink.add([...path, 'payload'], 'format senml builds the payload itself; use baseName to set the SenML base name', { atKey: true });
    const base = spec.baseName !== undefined ? env.template(spec.baseName, [...path, 'baseName'], opts) : undefined;
    refs.push(...(base?.resourceRefs ?? []), ...(each === 'instance' ? (filter ?? []) : []));
    const objectId = env.object.id;
    payload = (c, ids) => {
      const records: Record<string, unknown>[] = [];
      for (const id of ids) {
        if (!c.values.has(id)) continue;
        const v = applyForward(transformFor(id), c.values.get(id));
        const unit = env.resources.get(id)?.unit;
        const entries: [string, Value][] = v instanceof Map ? [...v].map(([ri, x]) => [`${id}/${ri}`, x]) : [[String(id), (v ?? null) as Value]];
        for (const [n, x] of entries) {
          const rec: Record<string, unknown> = records.length === 0 ? { bn: base ? base.text(c) : `/${objectId}/${c.instanceId}/`, bt: c.timeMs / 1000 } : {};
          rec.n = n;
          if (unit) rec.u = unit;
          senmlValue(rec, x);
          records.push(rec);
        }
      }
      return JSON.stringify(records);
    };
  } else if (spec.baseName !== undefined) {
    env.sink.add([...path, 'baseName'], 'baseName is for format: senml', { atKey: true });
  } else if (format === 'text') {
    if (spec.payload !== undefined && typeof spec.payload !== 'string') env.sink.add([...path, 'payload'], 'format text needs a string payload template');
    else if (spec.payload === undefined && each === 'instance') env.sink.add([...path, 'format'], 'each: instance with format text needs a payload template');
    else {
      const t: CompiledTemplate | undefined = env.template(spec.payload === undefined ? '{value}' : (spec.payload as string), [...path, 'payload'], opts);
      refs.push(...(t?.resourceRefs ?? []));
      if (t) payload = (c) => t.text(c);
    }
  } else if (spec.payload !== undefined) {
    const f = compileJson(spec.payload, [...path, 'payload'], env, opts, refs, omit);
    if (f) payload = (c) => JSON.stringify(f.fn(c));
  } else if (each === 'resource') {
    payload = (c) => JSON.stringify({ value: valueToJson(applyForward(transformFor(c.resourceId!), c.values.get(c.resourceId!))), timestamp: new Date(c.timeMs).toISOString() });
  } else {
    refs.push(...(filter ?? []));
    payload = (c, ids) => {
      const o: Record<string, unknown> = {};
      for (const id of ids) {
        if (omit && !c.values.has(id)) continue;
        o[env.resources.get(id)?.slug ?? String(id)] = valueToJson(applyForward(transformFor(id), c.values.get(id)));
      }
      o.timestamp = new Date(c.timeMs).toISOString();
      return JSON.stringify(o);
    };
  }
  if (env.sink.errors.length > before || !topic || !payload) return undefined;

  const qos = spec.qos ?? 1;
  const retain = spec.retain ?? false;
  const mapping = env.mapping;
  const wanted = filter ? new Set(filter) : undefined;
  const names = [...new Set(refs)].sort((a, b) => a - b);
  // SenML and the default JSON of an instance list the filter's resources, known or not
  const listed = each === 'instance' && filter ? [...filter].sort((a, b) => a - b) : undefined;
  const render = payload;
  const byId = (a: number, b: number): number => a - b;
  /** one message about resource `id` of the group (each: resource) */
  const emitResource = (group: InstanceGroup, out: OutboundMessage[], id: number): void => {
    const c: RenderContext = { endpoint: group.endpoint, instanceId: group.instanceId, resourceId: id, values: group.values, timeMs: group.timeMs };
    out.push({ topic: topic.text(c), payload: render(c, [id]), qos, retain, mapping });
  };
  const emit = (group: InstanceGroup, out: OutboundMessage[], force = false): void => {
    if (each === 'instance') {
      const ids: number[] = [];
      for (const id of group.fresh ?? group.values.keys()) if (!wanted || wanted.has(id)) ids.push(id);
      if (ids.length === 0 && !force) return;
      ids.sort(byId);
      out.push({ topic: topic.text(group), payload: render(group, listed ?? ids), qos, retain, mapping });
      return;
    }
    // each: resource, in resource id order; a notification of one resource needs no list
    let first = -1;
    let ids: number[] | undefined;
    for (const id of group.fresh ?? group.values.keys()) {
      if (wanted && !wanted.has(id)) continue;
      if (first < 0) first = id;
      else (ids ??= [first]).push(id);
    }
    if (first < 0) return;
    if (!ids) return emitResource(group, out, first);
    ids.sort(byId);
    for (const id of ids) emitResource(group, out, id);
  };
  const topicFilter = topicTemplateFilter(spec.topic);
  return { objectId: env.object.id, mapping, instances, each, names, ...(topicFilter !== undefined ? { topicFilter } : {}), emit };
}

export type { LeafValue };
