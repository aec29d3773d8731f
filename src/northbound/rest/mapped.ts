/**
 * The `rest` section of a mapping target, compiled into a friendly route:
 *
 * ```yaml
 * targets:
 *   - object: 3303
 *     rest:
 *       path: "/sites/{endpoint}/temperature/{instanceId}"
 *       resources: [5700, "Sensor Units"]   # optional: the payload's resources (default: every readable one)
 *       commands:                           # optional: POST {path}/{name}
 *         reset: { execute: 5605 }
 *         label: { write: "Application Type" }
 *         value: { read: 5700 }
 * ```
 *
 * `path` is `/`-separated literals with `{endpoint}` (required) and `{instanceId}`
 * (optional: instance 0) each filling a whole segment; it must not start with `/api`.
 * Resources are named by id, name or slug ("sensor-value"); the payload keys are slugs.
 */
import type { ModelProvider, ObjectModel, ResourceModel } from '../../lwm2m/model/types.js';
import type { CompiledMappings } from '../../mapping/compiled.js';
import type { CompiledFile } from '../../mapping/compile.js';
import { slugify } from '../../mapping/models.js';

export type MappedCommand = { name: string; op: 'execute' | 'write' | 'read'; resourceId: number; args?: string };

export interface MappedRoute {
  mapping: string;
  file: CompiledFile;
  template: string;
  objectId: number;
  /** undefined: every instance */
  instances?: number[];
  /** payload resources: id and slug, in order */
  resources: { id: number; slug: string; model: ResourceModel }[];
  commands: Map<string, MappedCommand>;
  /** matches a request path; groups: endpoint, instanceId?, rest? */
  match(path: string): { endpoint: string; instanceId: number; rest: string | undefined } | undefined;
}

function resolveResource(obj: ObjectModel, ref: unknown): ResourceModel | undefined {
  if (typeof ref === 'number' || (typeof ref === 'string' && /^\d{1,5}$/.test(ref))) return obj.resources.get(Number(ref));
  if (typeof ref !== 'string') return undefined;
  const want = ref.trim().toLowerCase();
  for (const r of obj.resources.values()) if (r.name.toLowerCase() === want || slugify(r.name) === slugify(ref)) return r;
  return undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles one target's `rest` section; throws Error with a message naming the problem. */
export function compileRestSection(
  section: Record<string, unknown>,
  file: CompiledFile,
  objectId: number,
  instances: number[] | undefined,
  models: ModelProvider,
): MappedRoute {
  const obj = models.getObject(objectId);
  if (!obj) throw new Error(`object ${objectId} is not known`);
  const template = section.path;
  if (typeof template !== 'string' || !template.startsWith('/')) throw new Error('rest.path must be a string starting with "/"');
  if (/^\/api(\/|$)/.test(template)) throw new Error('rest.path must not start with /api (the generic API)');
  const groups: ('endpoint' | 'instanceId')[] = [];
  const parts = template
    .split('/')
    .slice(1)
    .filter((s, i, a) => s !== '' || i < a.length - 1)
    .map((seg) => {
      const m = /^\{(endpoint|instanceId|instance)\}$/.exec(seg);
      if (m) {
        const name = m[1] === 'endpoint' ? 'endpoint' : 'instanceId';
        if (groups.includes(name)) throw new Error(`rest.path names {${name}} twice`);
        groups.push(name);
        return name === 'endpoint' ? '([^/]+)' : '(\\d{1,5})';
      }
      if (seg.includes('{') || seg.includes('}')) throw new Error(`rest.path segment "${seg}": only {endpoint} and {instanceId} may be used, each as a whole segment`);
      return escape(seg);
    });
  if (!groups.includes('endpoint')) throw new Error('rest.path needs {endpoint}');
  const re = new RegExp(`^/${parts.join('/')}(?:/([^/]+))?/?$`);

  const refs = section.resources;
  let resources: ResourceModel[];
  if (refs === undefined) resources = [...obj.resources.values()].filter((r) => r.operations.includes('R'));
  else if (Array.isArray(refs)) {
    resources = refs.map((ref) => {
      const r = resolveResource(obj, ref);
      if (!r) throw new Error(`rest.resources: object ${objectId} has no resource ${JSON.stringify(ref)}`);
      return r;
    });
  } else throw new Error('rest.resources must be a list of resource ids or names');

  const commands = new Map<string, MappedCommand>();
  const cmds = section.commands ?? {};
  if (typeof cmds !== 'object' || cmds === null || Array.isArray(cmds)) throw new Error('rest.commands must map names to { execute | write | read: resource }');
  for (const [name, spec] of Object.entries(cmds as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9._~-]+$/.test(name)) throw new Error(`rest.commands: "${name}" is not a URL segment`);
    const s = (spec ?? {}) as Record<string, unknown>;
    const ops = (['execute', 'write', 'read'] as const).filter((op) => s[op] !== undefined);
    if (ops.length !== 1) throw new Error(`rest.commands.${name}: give exactly one of execute, write, read`);
    const op = ops[0]!;
    const r = resolveResource(obj, s[op]);
    if (!r) throw new Error(`rest.commands.${name}: object ${objectId} has no resource ${JSON.stringify(s[op])}`);
    const need = op === 'execute' ? 'E' : op === 'write' ? 'W' : 'R';
    if (!r.operations.includes(need)) throw new Error(`rest.commands.${name}: resource ${r.id} (${r.name}) does not allow ${op} (operations "${r.operations}")`);
    const cmd: MappedCommand = { name, op, resourceId: r.id };
    if (typeof s.args === 'string') cmd.args = s.args;
    commands.set(name, cmd);
  }

  return {
    mapping: file.name,
    file,
    template,
    objectId,
    ...(instances ? { instances } : {}),
    resources: resources.map((r) => ({ id: r.id, slug: slugify(r.name) || String(r.id), model: r })),
    commands,
    match(path) {
      const m = re.exec(path);
      if (!m) return undefined;
      let endpoint = '';
      let instanceId = 0;
      try {
        groups.forEach((g, i) => {
          const v = m[i + 1]!;
          if (g === 'endpoint') endpoint = decodeURIComponent(v);
          else instanceId = Number(v);
        });
      } catch {
        return undefined;
      }
      return { endpoint, instanceId, rest: m[groups.length + 1] };
    },
  };
}

/** Every mapped route of a mapping set; sections that do not compile are reported through `warn`. */
export function compileMappedRoutes(mappings: CompiledMappings, models: ModelProvider, warn: (message: string, fields: Record<string, unknown>) => void): MappedRoute[] {
  const out: MappedRoute[] = [];
  for (const file of mappings.files) {
    file.targets.forEach((t, i) => {
      if (!t.rest) return;
      try {
        out.push(compileRestSection(t.rest, file, t.objectId, t.instances, models));
      } catch (e) {
        warn('rest: mapped route left out', { file: file.file, target: i, error: (e as Error).message });
      }
    });
  }
  return out;
}
