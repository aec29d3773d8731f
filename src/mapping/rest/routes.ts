/**
 * The `rest` section of a mapping target (docs/rest.md, "Mapped endpoints"), compiled
 * into a route: a path template that matches request paths, the payload's resources and
 * the named commands, all resolved against the object model. Errors go to the file's
 * sink with the field and, for path templates, the offset of the bad segment.
 *
 * A path is "/"-separated segments; {endpoint} (required) and {instanceId} each fill a
 * whole segment and capture it; {objectId} and {objectSlug} are fixed by the target.
 * The file's `rest.prefix` is put before every target's path.
 */
import type { ResourceModel } from '../../lwm2m/model/types.js';
import type { ErrorSink, FieldPath } from '../errors.js';
import { formatField } from '../errors.js';
import { slugify } from '../models.js';
import { nearest } from '../suggest.js';
import type { TargetEnv } from '../target-env.js';
import type { RestSpec } from './types.js';

export type RestOperation = 'execute' | 'write' | 'read';
export const REST_OPERATIONS: readonly RestOperation[] = ['execute', 'write', 'read'];

/** POST {path}/{name} */
export interface RestCommand {
  name: string;
  op: RestOperation;
  resourceId: number;
  /** default execute arguments */
  args?: string;
}

export type RouteSegment = { literal: string } | { capture: 'endpoint' | 'instanceId' };

export interface RestRouteMatch {
  endpoint: string;
  instanceId: number;
  /** the segment after the route's path: a resource slug or a command name */
  rest: string | undefined;
}

export interface CompiledRestRoute {
  /** the file name without extension */
  mapping: string;
  /** the full path template served, prefix included: "/sites/{endpoint}/temperature/{instanceId}" */
  template: string;
  objectId: number;
  /** undefined: every instance */
  instances?: number[];
  /** the instance payload's resources, in order; keys are slugs */
  resources: { id: number; slug: string; model: ResourceModel }[];
  commands: ReadonlyMap<string, RestCommand>;
  segments: readonly RouteSegment[];
  /** where the path is written: targets[i].rest.path */
  field: FieldPath;
  /** undefined: the request path is not this route's */
  match(path: string): RestRouteMatch | undefined;
}

/** One segment of a path template as written. */
export interface RawSegment {
  literal?: string;
  placeholder?: 'endpoint' | 'instanceId' | 'objectId' | 'objectSlug';
  offset: number;
  field: FieldPath;
}

const PLACEHOLDERS = new Set(['endpoint', 'instanceId', 'objectId', 'objectSlug']);
/** RFC 3986 pchar without percent-encoding */
const BAD_CHAR = /[^A-Za-z0-9._~!$&'()*+,;=:@-]/;
const COMMAND_NAME = /^[A-Za-z0-9._~-]+$/;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a path template into segments; undefined after reporting errors at `field`. */
export function parsePathTemplate(text: string, field: FieldPath, sink: ErrorSink): RawSegment[] | undefined {
  const before = sink.errors.length;
  if (!text.startsWith('/')) {
    sink.add(field, 'bad path: it must start with "/"');
    return undefined;
  }
  const out: RawSegment[] = [];
  const parts = text.slice(1).split('/');
  let offset = 1;
  parts.forEach((seg, i) => {
    const at = offset;
    offset += seg.length + 1;
    if (seg === '') {
      if (i < parts.length - 1) sink.add(field, 'bad path: empty segment ("//")', { offsetInString: at });
      return; // a trailing "/" is ignored
    }
    const m = /^\{([^{}]*)\}$/.exec(seg);
    if (m) {
      const name = m[1]!.trim();
      if (PLACEHOLDERS.has(name)) out.push({ placeholder: name as RawSegment['placeholder'], offset: at, field });
      else {
        const near = nearest(name, [...PLACEHOLDERS]) ?? (name === 'instance' ? 'instanceId' : undefined);
        const hint = near !== undefined ? ` (did you mean {${near}}?)` : '';
        sink.add(field, `bad path: unknown placeholder {${name}}${hint}; a path uses {endpoint}, {instanceId}, {objectId}, {objectSlug}`, { offsetInString: at });
      }
      return;
    }
    const brace = seg.search(/[{}]/);
    if (brace >= 0) {
      sink.add(field, 'bad path: a placeholder must fill a whole segment ("/{endpoint}/", not "/x-{endpoint}/")', { offsetInString: at + brace });
      return;
    }
    const bad = seg.search(BAD_CHAR);
    if (bad >= 0) {
      sink.add(field, `bad path: "${seg[bad]}" cannot appear in a path segment (letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @)`, { offsetInString: at + bad });
      return;
    }
    out.push({ literal: seg, offset: at, field });
  });
  return sink.errors.length > before ? undefined : out;
}

function needOf(op: RestOperation): 'E' | 'W' | 'R' {
  return op === 'execute' ? 'E' : op === 'write' ? 'W' : 'R';
}

/**
 * Compiles a target's `rest` section. `prefix`: the file's rest.prefix segments
 * (null: the prefix is broken and already reported).
 */
export function compileRest(spec: RestSpec, env: TargetEnv, path: FieldPath, instances: number[] | undefined, prefix: RawSegment[] | null | undefined): CompiledRestRoute | undefined {
  const sink = env.sink;
  const before = sink.errors.length;
  const field = [...path, 'path'];
  const own = parsePathTemplate(spec.path, field, sink);
  const segments: RouteSegment[] = [];
  const captures: ('endpoint' | 'instanceId')[] = [];
  if (own && prefix !== null) {
    for (const s of [...(prefix ?? []), ...own]) {
      if (s.literal !== undefined) segments.push({ literal: s.literal });
      else if (s.placeholder === 'objectId') segments.push({ literal: String(env.object.id) });
      else if (s.placeholder === 'objectSlug') segments.push({ literal: env.objectSlug });
      else if (s.placeholder) {
        if (captures.includes(s.placeholder)) sink.add(s.field, `bad path: {${s.placeholder}} appears twice${s.field === field && prefix?.length ? ' (prefix included)' : ''}`, { offsetInString: s.offset });
        captures.push(s.placeholder);
        segments.push({ capture: s.placeholder });
      }
    }
    const where = prefix?.length ? ' (with the file\'s rest.prefix)' : '';
    if (!captures.includes('endpoint')) sink.add(field, `bad path: a route needs {endpoint}${where}`);
    const first = segments[0];
    if (first && 'literal' in first && first.literal === 'api') sink.add(field, `bad path: a route must not start with /api, the generic device API${where}`);
    // a leading placeholder would also match /api/... (and make the API document ambiguous)
    else if (first && 'capture' in first) sink.add(field, `bad path: a route must start with a fixed segment, not {${first.capture}}${where}`);
    if (!captures.includes('instanceId') && instances && instances.length > 1) sink.add(field, 'bad path: this target lists several instances; put {instanceId} in the path');
  }

  // the instance payload
  const resources: CompiledRestRoute['resources'] = [];
  if (spec.resources) {
    spec.resources.forEach((ref, i) => {
      const id = env.resource(ref, [...path, 'resources', i]);
      if (id === undefined || resources.some((r) => r.id === id)) return;
      const model = env.object.resources.get(id)!;
      if (!model.operations.includes('R')) sink.add([...path, 'resources', i], `resource ${id} (${model.name}) is not readable (operations "${model.operations}")`);
      resources.push({ id, slug: slugify(model.name) || String(id), model });
    });
  } else {
    for (const model of env.object.resources.values()) if (model.operations.includes('R')) resources.push({ id: model.id, slug: slugify(model.name) || String(model.id), model });
  }

  // POST {path}/{name}
  const commands = new Map<string, RestCommand>();
  for (const [name, c] of Object.entries(spec.commands ?? {})) {
    const cPath = [...path, 'commands', name];
    if (!COMMAND_NAME.test(name)) {
      sink.add(cPath, `command name "${name}" is not a path segment (letters, digits and - . _ ~)`, { atKey: true });
      continue;
    }
    const ops = REST_OPERATIONS.filter((op) => c[op] !== undefined);
    if (ops.length !== 1) {
      sink.add(cPath, ops.length === 0 ? `a command needs one of ${REST_OPERATIONS.join(', ')}` : `a command takes only one of ${ops.join(', ')}`, { atKey: ops.length === 0 });
      continue;
    }
    const op = ops[0]!;
    const id = env.resource(c[op]!, [...cPath, op]);
    if (id === undefined) continue;
    const model = env.object.resources.get(id)!;
    if (!model.operations.includes(needOf(op))) sink.add([...cPath, op], `resource ${id} (${model.name}) does not allow ${op} (operations "${model.operations}")`);
    if (c.args !== undefined && op !== 'execute') sink.add([...cPath, 'args'], 'args are for execute commands', { atKey: true });
    commands.set(name, { name, op, resourceId: id, ...(c.args !== undefined ? { args: c.args } : {}) });
  }
  if (sink.errors.length > before || !own) return undefined;

  const re = new RegExp(`^/${segments.map((s) => ('literal' in s ? escapeRegex(s.literal) : s.capture === 'endpoint' ? '([^/]+)' : '(\\d{1,5})')).join('/')}(?:/([^/]+))?/?$`);
  const fixedInstance = instances?.[0] ?? 0;
  const template = '/' + segments.map((s) => ('literal' in s ? s.literal : `{${s.capture}}`)).join('/');
  return {
    mapping: env.mapping,
    template,
    objectId: env.object.id,
    ...(instances ? { instances } : {}),
    resources,
    commands,
    segments,
    field,
    match(requestPath) {
      const m = re.exec(requestPath);
      if (!m) return undefined;
      let endpoint = '';
      let instanceId = fixedInstance;
      try {
        captures.forEach((c, i) => {
          const v = m[i + 1]!;
          if (c === 'endpoint') endpoint = decodeURIComponent(v);
          else instanceId = Number(v);
        });
      } catch {
        return undefined; // bad percent-encoding
      }
      return { endpoint, instanceId, rest: m[captures.length + 1] };
    },
  };
}

/** A path segment both segments match, or undefined. */
function both(a: RouteSegment, b: RouteSegment): string | undefined {
  if ('literal' in a && 'literal' in b) return a.literal === b.literal ? a.literal : undefined;
  if ('literal' in a || 'literal' in b) {
    const lit = ('literal' in a ? a : b) as { literal: string };
    const cap = ('literal' in a ? b : a) as { capture: string };
    return cap.capture === 'endpoint' || /^\d{1,5}$/.test(lit.literal) ? lit.literal : undefined;
  }
  const ca = (a as { capture: string }).capture;
  const cb = (b as { capture: string }).capture;
  return ca === cb ? `{${ca}}` : '0';
}

/**
 * An example request path two routes would both match, or undefined when they cannot
 * clash. A route also takes one more segment (a resource or command name), so a route
 * one segment shorter than another clashes with it when the rest agrees.
 */
export function routeOverlap(a: readonly RouteSegment[], b: readonly RouteSegment[]): string | undefined {
  if (Math.abs(a.length - b.length) > 1) return undefined;
  const n = Math.min(a.length, b.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = both(a[i]!, b[i]!);
    if (s === undefined) return undefined;
    out.push(s);
  }
  const extra = a.length > n ? a[n] : b.length > n ? b[n] : undefined;
  if (extra) out.push('literal' in extra ? extra.literal : `{${extra.capture}}`);
  return '/' + out.join('/');
}

export interface PlacedRoute {
  file: string;
  route: CompiledRestRoute;
}

/**
 * Reports a route that clashes with one already placed (earlier targets, earlier files);
 * true when it is clear.
 */
export function checkRouteClash(route: CompiledRestRoute, file: string, placed: readonly PlacedRoute[], sink: ErrorSink): boolean {
  for (const other of placed) {
    const example = routeOverlap(other.route.segments, route.segments);
    if (example === undefined) continue;
    const where = other.file === file ? formatField(other.route.field) : `${other.file} ${formatField(other.route.field)}`;
    sink.add(route.field, `route "${route.template}" clashes with "${other.route.template}" (${where}): both match ${example}`);
    return false;
  }
  return true;
}
