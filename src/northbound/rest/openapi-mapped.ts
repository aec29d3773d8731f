/**
 * The mapped routes of the mapping files in force (their `rest` sections) as OpenAPI
 * paths, with the same methods routes-mapped.ts serves: GET and PATCH on the route's
 * path, GET `{path}/{resource}` for each payload resource, POST `{path}/{command}` for
 * each command. Built again for every new mapping set (a reload).
 */
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import { mappedRoutesOf, type MappedRoute } from './mapped.js';

type Obj = Record<string, unknown>;

const problemRef = { $ref: '#/components/responses/Problem' };
const accepted = { $ref: '#/components/responses/Accepted' };
const timeout = { $ref: '#/components/parameters/timeout' };
const endpoint = { $ref: '#/components/parameters/endpoint' };
const instanceId = { $ref: '#/components/parameters/instanceId' };

/** The tag of every mapped route. */
export const MAPPED_TAG = { name: 'mapped', description: 'Friendly routes of the mapping files in force (their `rest` sections); they change with a mapping reload' };

function deviceResponses(ok: Record<string, Obj>): Obj {
  const out: Record<string, Obj> = { ...ok, '202': accepted };
  for (const c of ['400', '401', '403', '404', '405', '406', '415', '502', '503', '504']) out[c] = problemRef;
  return out;
}

const json = (description: string, schema: Obj): Obj => ({ description, content: { 'application/json': { schema } } });
const noContent = { '204': { description: 'done' } };

/** A name usable in an operationId: letters, digits and `_` only. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z]+/, '') || 'x';
}

function instancePayload(route: MappedRoute): Obj {
  return {
    type: 'object',
    properties: {
      endpoint: { type: 'string' },
      mapping: { type: 'string', const: route.mapping },
      objectId: { type: 'integer', const: route.objectId },
      instanceId: { type: 'integer' },
      values: {
        type: 'object',
        properties: Object.fromEntries(route.resources.map((r) => [r.slug, { $ref: '#/components/schemas/Value', description: `${r.model.name} (/${route.objectId}/*/${r.id})` }])),
      },
    },
  };
}

const resourcePayload: Obj = {
  type: 'object',
  properties: { endpoint: { type: 'string' }, mapping: { type: 'string' }, objectId: { type: 'integer' }, instanceId: { type: 'integer' }, resource: { type: 'string' }, value: { $ref: '#/components/schemas/Value' } },
};

/** OpenAPI paths of the mapped routes; operationIds are unique among themselves and start with `mapped`. */
export function mappedPaths(mappings: CompiledMappings | undefined): Record<string, Obj> {
  if (!mappings) return {};
  const paths: Record<string, Record<string, Obj>> = {};
  const used = new Set<string>();
  const opId = (...parts: string[]): string => {
    const base = 'mapped' + parts.map((p) => { const x = idPart(p); return x[0]!.toUpperCase() + x.slice(1); }).join('');
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}${i}`;
    used.add(id);
    return id;
  };
  for (const route of mappedRoutesOf(mappings)) {
    const params = [endpoint, ...(route.segments.some((s) => 'capture' in s && s.capture === 'instanceId') ? [instanceId] : []), timeout];
    const base = route.template;
    const what = `${route.mapping}: object ${route.objectId}`;
    const add = (path: string, method: string, op: Obj): void => {
      (paths[path] ??= {})[method] = { tags: [MAPPED_TAG.name], parameters: params, ...op };
    };
    add(base, 'get', {
      operationId: opId(route.mapping, String(route.objectId), 'read'),
      summary: `Read the instance (${what})`,
      responses: deviceResponses({ '200': json('the mapped values of the instance', instancePayload(route)) }),
    });
    const writable = route.resources.filter((r) => r.model.operations.includes('W'));
    add(base, 'patch', {
      operationId: opId(route.mapping, String(route.objectId), 'write'),
      summary: `Partial update of the instance (${what})`,
      requestBody: {
        required: true,
        description: 'resource slug, name or id -> value; writable resources only',
        content: { 'application/json': { schema: { type: 'object', properties: Object.fromEntries(writable.map((r) => [r.slug, { $ref: '#/components/schemas/Value' }])) } } },
      },
      responses: deviceResponses(noContent),
    });
    for (const r of route.resources) {
      add(`${base}/${r.slug}`, 'get', {
        operationId: opId(route.mapping, String(route.objectId), r.slug),
        summary: `Read ${r.model.name} (${what}, resource ${r.id})`,
        responses: deviceResponses({ '200': json('the value', resourcePayload) }),
      });
    }
    for (const c of route.commands.values()) {
      const body =
        c.op === 'execute'
          ? { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/ExecuteBody' } }, 'text/plain': { schema: { type: 'string' } } } }
          : c.op === 'write'
            ? { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WriteBody' } } } }
            : undefined;
      add(`${base}/${c.name}`, 'post', {
        operationId: opId(route.mapping, String(route.objectId), c.name),
        summary: `Command ${c.name}: ${c.op} resource ${c.resourceId} (${what})`,
        ...(body ? { requestBody: body } : {}),
        responses: deviceResponses(c.op === 'read' ? { '200': json('the value', resourcePayload) } : noContent),
      });
    }
  }
  return paths;
}
