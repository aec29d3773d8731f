/**
 * Templates: text with {placeholder}s ("{{" and "}}" are literal braces), compiled once
 * into functions of a RenderContext. A placeholder is a built-in name (endpoint,
 * instanceId, value, timestamp...) or a resource of the target's object (id or name),
 * which stands for that resource's value in the same object instance.
 */
import type { ResourceType } from '../lwm2m/model/types.js';
import type { Transform } from './transform.js';
import { applyForward } from './transform.js';
import { nearest, type Candidate } from './suggest.js';
import { valueToJson, valueToText, type LeafValue } from './values.js';
import { encodeLevel } from '../topic-level.js';

export interface RenderContext {
  endpoint: string;
  instanceId: number;
  /** the resource being rendered (each: resource, or a command on a resource) */
  resourceId?: number;
  /** resource id -> value, for this object instance and this timestamp */
  values: ReadonlyMap<number, LeafValue>;
  /** ms since epoch */
  timeMs: number;
  operation?: string;
  correlationId?: string;
}

export interface ResourceInfo {
  name: string;
  slug: string;
  unit: string;
  type: ResourceType;
}

export type Getter = (ctx: RenderContext) => LeafValue | undefined;

export const BUILTINS = [
  'endpoint', 'objectId', 'objectName', 'objectSlug', 'objectVersion', 'instanceId',
  'resourceId', 'resourceName', 'resourceSlug', 'path', 'value', 'unit', 'type',
  'timestamp', 'timestampMs', 'timestampS', 'mapping', 'operation', 'correlationId',
] as const;
export type Builtin = (typeof BUILTINS)[number];
const BUILTIN_SET: ReadonlySet<string> = new Set(BUILTINS);

/** Names that are no placeholder, with the reason (the error tells it). */
export const UNAVAILABLE: ReadonlyMap<string, string> = new Map([
  ['registrationId', 'is not available: the registration id is a secret of the device (name the device with {endpoint})'],
]);

/** Placeholders that need a resource in scope. */
export const RESOURCE_SCOPED: ReadonlySet<string> = new Set(['resourceId', 'resourceName', 'resourceSlug', 'value', 'unit', 'type']);

export type TemplatePart = string | { name: string; offset: number };

export type Parsed = { ok: true; parts: TemplatePart[] } | { ok: false; offset: number; message: string };

export function parseTemplate(text: string): Parsed {
  const parts: TemplatePart[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{' && text[i + 1] === '{') { lit += '{'; i += 2; continue; }
    if (c === '}' && text[i + 1] === '}') { lit += '}'; i += 2; continue; }
    if (c === '}') return { ok: false, offset: i, message: 'unmatched "}" (write "}}" for a literal brace)' };
    if (c === '{') {
      const end = text.indexOf('}', i + 1);
      if (end < 0) return { ok: false, offset: i, message: 'unclosed "{" (write "{{" for a literal brace)' };
      const name = text.slice(i + 1, end).trim();
      if (name === '' || name.includes('{')) return { ok: false, offset: i, message: `bad placeholder "${text.slice(i, end + 1)}"` };
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ name, offset: i });
      i = end + 1;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) parts.push(lit);
  return { ok: true, parts };
}

/** What a template may use where it is written. */
export interface TemplateEnv {
  objectId: number;
  objectName: string;
  objectSlug: string;
  objectVersion: string;
  mapping: string;
  resources: ReadonlyMap<number, ResourceInfo>;
  /** resource name or id -> id, or an error message */
  resolveResource(ref: string): number | string;
  /** placeholders not allowed here, with the reason */
  forbidden?: ReadonlyMap<string, string>;
  /** transform per resource id, and the default one */
  transformFor(resourceId: number): Transform | undefined;
  /** topic: substituted text may not contain "/", "+", "#" (replaced by "_"), except {path} */
  topic?: boolean;
}

export interface TemplateError { offset: number; message: string }

export interface CompiledTemplate {
  /** the text with every placeholder filled */
  text(ctx: RenderContext): string;
  /** for a template that is one placeholder alone: the typed JSON value; else the text */
  json(ctx: RenderContext): unknown;
  /** the resource ids the template names ({5700}) */
  resourceRefs: number[];
  /** the built-in names it uses */
  builtins: Set<string>;
}

function builtinGetter(name: Builtin, env: TemplateEnv): Getter {
  const info = (ctx: RenderContext): ResourceInfo | undefined => (ctx.resourceId === undefined ? undefined : env.resources.get(ctx.resourceId));
  switch (name) {
    case 'endpoint': return (c) => c.endpoint;
    case 'objectId': return () => env.objectId;
    case 'objectName': return () => env.objectName;
    case 'objectSlug': return () => env.objectSlug;
    case 'objectVersion': return () => env.objectVersion;
    case 'instanceId': return (c) => c.instanceId;
    case 'resourceId': return (c) => c.resourceId;
    case 'resourceName': return (c) => info(c)?.name ?? (c.resourceId === undefined ? undefined : String(c.resourceId));
    case 'resourceSlug': return (c) => info(c)?.slug ?? (c.resourceId === undefined ? undefined : String(c.resourceId));
    case 'path': return (c) => `/${env.objectId}/${c.instanceId}${c.resourceId === undefined ? '' : `/${c.resourceId}`}`;
    case 'value': return (c) => (c.resourceId === undefined ? undefined : applyForward(env.transformFor(c.resourceId), c.values.get(c.resourceId)));
    case 'unit': return (c) => info(c)?.unit ?? '';
    case 'type': return (c) => info(c)?.type;
    case 'timestamp': return (c) => new Date(c.timeMs).toISOString();
    case 'timestampMs': return (c) => c.timeMs;
    case 'timestampS': return (c) => Math.floor(c.timeMs / 1000);
    case 'mapping': return () => env.mapping;
    case 'operation': return (c) => c.operation;
    case 'correlationId': return (c) => c.correlationId;
  }
}

/**
 * The error for a name that is neither built in nor a resource: the nearest built-in
 * name or resource (name or slug) when one is close, else what the names can be.
 */
function unknownPlaceholder(name: string, resourceError: string, env: TemplateEnv): string {
  // an id, or a name the model has twice: the resource lookup says it best
  if (/^\d+$/.test(name) || !resourceError.startsWith('unknown resource')) return `unknown placeholder {${name}}: ${resourceError}`;
  const candidates: Candidate[] = BUILTINS.filter((b) => !env.forbidden?.has(b)).map((b) => ({ key: b }));
  for (const r of env.resources.values()) candidates.push({ key: r.name }, { key: r.slug });
  const near = nearest(name, candidates);
  if (near !== undefined) return `unknown placeholder {${name}} (did you mean {${near}}?)`;
  return `unknown placeholder {${name}}: neither a built-in name nor a resource of object ${env.objectId} (${env.objectName}); built-in names are ${BUILTINS.join(', ')}`;
}

/** Compiles a template; errors carry the offset of the bad placeholder in the text. */
export function compileTemplate(text: string, env: TemplateEnv): { ok: true; template: CompiledTemplate } | { ok: false; errors: TemplateError[] } {
  const parsed = parseTemplate(text);
  if (!parsed.ok) return { ok: false, errors: [{ offset: parsed.offset, message: parsed.message }] };
  const errors: TemplateError[] = [];
  const resourceRefs: number[] = [];
  const builtins = new Set<string>();
  const pieces: { literal?: string; get?: Getter; raw?: boolean; endpoint?: boolean }[] = [];
  for (const part of parsed.parts) {
    if (typeof part === 'string') { pieces.push({ literal: part }); continue; }
    const why = UNAVAILABLE.get(part.name) ?? env.forbidden?.get(part.name);
    if (why !== undefined) { errors.push({ offset: part.offset, message: `placeholder {${part.name}} ${why}` }); continue; }
    if (BUILTIN_SET.has(part.name)) {
      builtins.add(part.name);
      pieces.push({ get: builtinGetter(part.name as Builtin, env), raw: part.name === 'path', endpoint: part.name === 'endpoint' });
      continue;
    }
    const rid = env.resolveResource(part.name);
    if (typeof rid === 'string') {
      errors.push({ offset: part.offset, message: unknownPlaceholder(part.name, rid, env) });
      continue;
    }
    resourceRefs.push(rid);
    const t = env.transformFor(rid);
    pieces.push({ get: (c) => applyForward(t, c.values.get(rid)) });
  }
  if (errors.length) return { ok: false, errors };
  const sanitize = env.topic ? (s: string) => s.replace(/[/+#]/g, '_') : (s: string) => s;
  const textFns = pieces.map((p) => {
    if (p.literal !== undefined) { const l = p.literal; return () => l; }
    const g = p.get!;
    // in a topic, {endpoint} is encoded as in the MQTT northbound's own topics (src/topic-level.ts)
    if (p.endpoint && env.topic) return (c: RenderContext) => encodeLevel(c.endpoint);
    return p.raw ? (c: RenderContext) => valueToText(g(c)) : (c: RenderContext) => sanitize(valueToText(g(c)));
  });
  const textOf = textFns.length === 1 ? textFns[0]! : (c: RenderContext) => { let s = ''; for (const f of textFns) s += f(c); return s; };
  const single = pieces.length === 1 && pieces[0]!.get ? pieces[0]!.get : undefined;
  const json = single ? (c: RenderContext) => valueToJson(single(c)) : textOf;
  return { ok: true, template: { text: textFns.length === 0 ? () => '' : textOf, json, resourceRefs, builtins } };
}

/**
 * The MQTT topic filter covering every topic a topic template can render: a level with a
 * placeholder becomes `+` (substituted text never holds "/", "+" or "#"), and from a level
 * holding {path} (which adds levels) on, `+/#`. Undefined when the template cannot render a
 * valid topic (a literal wildcard) or does not parse.
 */
export function topicTemplateFilter(text: string): string | undefined {
  const parsed = parseTemplate(text);
  if (!parsed.ok) return undefined;
  const levels: string[] = [];
  let level = '';
  let placeholder = false;
  for (const part of parsed.parts) {
    if (typeof part !== 'string') {
      if (part.name === 'path') {
        levels.push('+', '#');
        return levels.join('/');
      }
      placeholder = true;
      continue;
    }
    const pieces = part.split('/');
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) {
        levels.push(placeholder ? '+' : level);
        level = '';
        placeholder = false;
      }
      level += pieces[i]!;
    }
  }
  levels.push(placeholder ? '+' : level);
  if (levels.some((l) => l !== '+' && /[+#]/.test(l))) return undefined;
  return levels.join('/');
}
