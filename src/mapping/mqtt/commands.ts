/**
 * Command topics compiled into matchers: a topic template whose {endpoint},
 * {instanceId}, {resourceId}, {resourceName} or {resourceSlug} each fill one topic
 * level becomes a regular expression and an MQTT subscription filter; the message
 * becomes an OperationRequest, and the result goes to the response topic.
 */
import { multiResource, resource, type LwM2mNode, type Value } from '../../lwm2m/node.js';
import type { OperationRequest, OperationResult } from '../../lwm2m/server/types.js';
import type { FieldPath } from '../errors.js';
import { slugify } from '../models.js';
import { nearest } from '../suggest.js';
import type { TargetEnv } from '../target-env.js';
import { parseTemplate, topicTemplateFilter, type CompiledTemplate, type RenderContext } from '../template.js';
import { decodeLevel } from '../../topic-level.js';
import type { Transform } from '../transform.js';
import { applyForward } from '../transform.js';
import { COMMAND_OPERATIONS, type CommandMatch, type CommandOperation, type CommandSpec, type OutboundMessage } from './types.js';
import { parseValue, valueToJson, ValueError, type LeafValue } from '../values.js';

const CAPTURES = new Set(['endpoint', 'instanceId', 'resourceId', 'resourceName', 'resourceSlug']);
type Capture = 'endpoint' | 'instanceId' | 'resourceId' | 'resourceName' | 'resourceSlug';

export interface CompiledCommand {
  mapping: string;
  operation: CommandOperation;
  /** MQTT subscription filter: the topic with "+" for each placeholder level */
  subscription: string;
  /** an MQTT filter covering every response topic (undefined: no response topic) */
  responseFilter?: string;
  /** undefined: the topic does not match */
  match(topic: string, payload: Buffer | string, options?: { correlationId?: string; now?: number }): CommandMatch | undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Incoming { value?: unknown; args?: string; correlationId?: string }

function readPayload(payload: Buffer | string): Incoming {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { value: text, args: text };
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    const cid = o.correlationId ?? o.correlationID;
    return {
      value: o.value,
      args: typeof o.args === 'string' ? o.args : undefined,
      correlationId: typeof cid === 'string' || typeof cid === 'number' ? String(cid) : undefined,
    };
  }
  return { value: parsed, args: text };
}

function nodeJson(node: LwM2mNode | undefined, env: TargetEnv, t: Transform | undefined): unknown {
  if (!node) return undefined;
  const leaf = (n: LwM2mNode): LeafValue =>
    n.kind === 'multiResource' ? new Map([...n.instances].map(([k, v]) => [k, v.value] as [number, Value])) : n.kind === 'resource' || n.kind === 'resourceInstance' ? n.value : null;
  const instanceJson = (resources: Map<number, LwM2mNode>): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const [id, r] of resources) o[env.resources.get(id)?.slug ?? String(id)] = valueToJson(applyForward(t, leaf(r)));
    return o;
  };
  switch (node.kind) {
    case 'object': return Object.fromEntries([...node.instances].map(([id, i]) => [String(id), instanceJson(i.resources)]));
    case 'instance': return instanceJson(node.resources);
    default: return valueToJson(applyForward(t, leaf(node)));
  }
}

export function compileCommand(spec: CommandSpec, env: TargetEnv, path: FieldPath, instances: readonly number[] | undefined): CompiledCommand | undefined {
  const before = env.sink.errors.length;
  const ops = COMMAND_OPERATIONS.filter((op) => spec[op] !== undefined);
  if (ops.length !== 1) {
    env.sink.add(path, ops.length === 0 ? `a command needs one of ${COMMAND_OPERATIONS.join(', ')}` : `a command takes only one of ${ops.join(', ')}`);
    return undefined;
  }
  const operation = ops[0]!;
  const target = spec[operation]!;
  const fixedResource = target === true ? undefined : env.resource(target, [...path, operation]);
  if (target !== true && fixedResource === undefined) return undefined;

  // the topic, level by level
  const topicPath = [...path, 'topic'];
  const parsed = parseTemplate(spec.topic);
  if (!parsed.ok) {
    env.sink.add(topicPath, `bad template: ${parsed.message}`, { offsetInString: parsed.offset });
    return undefined;
  }
  const captures: Capture[] = [];
  let regex = '^';
  const filter: string[] = [];
  let level: { text: string; capture?: Capture; offset: number; pieces: number } = { text: '', offset: 0, pieces: 0 };
  const levels: (typeof level)[] = [];
  const constants: Record<string, string> = { objectId: String(env.object.id), objectName: env.object.name, objectSlug: env.objectSlug, mapping: env.mapping };
  for (const part of parsed.parts) {
    if (typeof part === 'string') {
      const segs = part.split('/');
      segs.forEach((seg, i) => {
        if (i > 0) { levels.push(level); level = { text: '', offset: 0, pieces: 0 }; }
        if (seg) { level.text += seg; level.pieces++; }
      });
      continue;
    }
    if (constants[part.name] !== undefined) { level.text += constants[part.name]!; level.pieces++; continue; }
    if (!CAPTURES.has(part.name)) {
      const usable = [...CAPTURES, ...Object.keys(constants)];
      const near = nearest(part.name, usable);
      const why = near !== undefined ? ` (did you mean {${near}}?)` : ` (use ${usable.join(', ')})`;
      env.sink.add(topicPath, `bad template: placeholder {${part.name}} cannot be used in a command topic${why}`, { offsetInString: part.offset });
      continue;
    }
    if (captures.includes(part.name as Capture)) env.sink.add(topicPath, `bad template: placeholder {${part.name}} appears twice`, { offsetInString: part.offset });
    captures.push(part.name as Capture);
    level.capture = part.name as Capture;
    level.offset = part.offset;
    level.pieces++;
  }
  levels.push(level);
  for (const l of levels) {
    if (l.capture && l.pieces > 1) env.sink.add(topicPath, `bad template: placeholder {${l.capture}} must fill a whole topic level`, { offsetInString: l.offset });
    if (!l.capture && /[+#]/.test(l.text)) env.sink.add(topicPath, 'bad template: a command topic cannot contain the MQTT wildcards + or #');
    if (l.capture === 'instanceId' || l.capture === 'resourceId') regex += '(\\d{1,5})';
    else if (l.capture) regex += '([^/]+)';
    else regex += escapeRegex(l.text);
    filter.push(l.capture ? '+' : l.text);
    regex += '/';
  }
  regex = regex.slice(0, -1) + '$';
  if (!captures.includes('endpoint')) env.sink.add(topicPath, 'bad template: a command topic needs {endpoint}');
  const resourceCaptures = captures.filter((c) => c.startsWith('resource'));
  if (resourceCaptures.length > 1) env.sink.add(topicPath, 'bad template: name the resource once ({resourceId}, {resourceName} or {resourceSlug})');
  if (fixedResource !== undefined && resourceCaptures.length) env.sink.add(topicPath, `bad template: the resource is fixed by "${operation}: ${String(target)}"; remove {${resourceCaptures[0]}}`);
  if ((operation === 'write' || operation === 'execute') && fixedResource === undefined && !resourceCaptures.length) {
    env.sink.add([...path, operation], `${operation} needs a resource: give its id or name, or put {resourceId} in the topic`);
  }
  const need = { write: 'W', execute: 'E', read: 'R', observe: 'R', cancel: '' }[operation];
  if (fixedResource !== undefined && need) {
    const r = env.object.resources.get(fixedResource)!;
    if (!r.operations.includes(need)) env.sink.add([...path, operation], `resource ${r.id} (${r.name}) does not allow ${operation} (operations "${r.operations}")`);
  }
  let fixedInstance: number | undefined;
  if (!captures.includes('instanceId')) {
    if (instances && instances.length > 1) env.sink.add(topicPath, 'bad template: this target lists several instances; put {instanceId} in the topic');
    fixedInstance = instances?.[0] ?? 0;
  }
  if (spec.attributes && operation !== 'observe') env.sink.add([...path, 'attributes'], 'attributes are for observe commands', { atKey: true });
  const transform = env.transform(spec.transform, [...path, 'transform'], fixedResource === undefined ? undefined : [fixedResource]);
  let response: CompiledTemplate | undefined;
  if (spec.response !== undefined) response = env.template(spec.response, [...path, 'response'], { topic: true, transformFor: () => transform });
  if (env.sink.errors.length > before) return undefined;

  const re = new RegExp(regex);
  const allowed = instances ? new Set(instances) : undefined;
  const objectId = env.object.id;
  const mapping = env.mapping;
  const qos = spec.qos ?? 1;
  const bySlug = new Map<string, number>();
  for (const [id, info] of env.resources) {
    bySlug.set(info.slug, id);
    bySlug.set(info.name.toLowerCase(), id);
  }

  const match = (topic: string, payload: Buffer | string, options: { correlationId?: string; now?: number } = {}): CommandMatch | undefined => {
    const m = re.exec(topic);
    if (!m) return undefined;
    const got: Partial<Record<Capture, string>> = {};
    captures.forEach((c, i) => { got[c] = m[i + 1]!; });
    const endpoint = decodeLevel(got.endpoint!); // the inverse of the {endpoint} encoding of topics
    if (endpoint === undefined) return undefined;
    const instanceId = fixedInstance ?? Number(got.instanceId);
    if (allowed && !allowed.has(instanceId)) return undefined;
    const incoming = readPayload(payload);
    const correlationId = incoming.correlationId ?? options.correlationId;
    let resourceId = fixedResource;
    let error: string | undefined;
    if (got.resourceId !== undefined) resourceId = Number(got.resourceId);
    else if (got.resourceName !== undefined || got.resourceSlug !== undefined) {
      const name = (got.resourceName ?? got.resourceSlug)!;
      resourceId = bySlug.get(name.toLowerCase()) ?? bySlug.get(slugify(name));
      if (resourceId === undefined) error = `unknown resource "${name}" in object ${objectId}`;
    }
    const ctx: RenderContext = { endpoint, instanceId, resourceId, values: new Map(), timeMs: options.now ?? Date.now(), operation, correlationId };
    const pathText = `/${objectId}/${instanceId}${resourceId === undefined ? '' : `/${resourceId}`}`;
    const respond = (body: Record<string, unknown>): OutboundMessage | undefined =>
      response ? { topic: response.text(ctx), payload: JSON.stringify({ correlationId, endpoint, operation, path: pathText, ...body }), qos, retain: false, mapping } : undefined;
    const info = resourceId === undefined ? undefined : env.object.resources.get(resourceId);
    if (!error && resourceId !== undefined && !info) error = `unknown resource ${resourceId} in object ${objectId}`;
    if (!error && info && need && !info.operations.includes(need)) error = `resource ${info.id} (${info.name}) does not allow ${operation}`;
    let request: OperationRequest | undefined;
    if (!error) {
      try {
        request = buildRequest();
      } catch (e) {
        if (!(e instanceof ValueError)) throw e;
        error = `bad value for ${pathText}: ${e.message}`;
      }
    }
    function buildRequest(): OperationRequest {
      switch (operation) {
        case 'read': return { op: 'read', path: pathText };
        case 'observe': return { op: 'observe', path: pathText };
        case 'cancel': return { op: 'cancelObserve', path: pathText };
        case 'execute': return incoming.args ? { op: 'execute', path: pathText, args: incoming.args } : { op: 'execute', path: pathText };
        case 'write': {
          if (incoming.value === undefined) throw new ValueError('no value (send the value as text, or JSON {"value": ...})');
          return { op: 'write', path: pathText, node: writeNode(info!, incoming.value) };
        }
      }
    }
    function writeNode(r: NonNullable<typeof info>, raw: unknown): LwM2mNode {
      const one = (v: unknown): Value => {
        let x = transform ? transform.reverse(v) : v;
        if ((r.type === 'integer' || r.type === 'unsigned') && typeof x === 'number' && Math.abs(x - Math.round(x)) < 1e-9) x = Math.round(x);
        return parseValue(x, r.type);
      };
      if (r.multiple) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ValueError('a multiple resource is written as a JSON object {"0": value, ...}');
        const values = new Map<number, Value>();
        for (const [k, v] of Object.entries(raw)) {
          if (!/^\d{1,5}$/.test(k)) throw new ValueError(`bad resource instance id "${k}"`);
          values.set(Number(k), one(v));
        }
        return multiResource(r.id, r.type, values);
      }
      return resource(r.id, r.type, one(raw));
    }
    if (error || !request) {
      return { ok: false, endpoint, error: error ?? 'bad command', correlationId, mapping, response: respond({ success: false, code: '4.00', error }) };
    }
    return {
      ok: true,
      endpoint,
      request,
      ...(operation === 'observe' && spec.attributes ? { prepare: [{ op: 'writeAttributes', path: pathText, attributes: spec.attributes }] } : {}),
      correlationId,
      mapping,
      respond: (result: OperationResult) =>
        respond({
          success: result.success,
          code: result.code,
          ...(result.node ? { value: nodeJson(result.node, env, transform) } : {}),
          ...(result.location ? { location: result.location } : {}),
          ...(result.observationId ? { observationId: result.observationId } : {}),
          ...(result.error ? { error: result.error.message, errorCode: result.error.code } : {}),
        }),
    };
  };
  const responseFilter = spec.response !== undefined ? topicTemplateFilter(spec.response) : undefined;
  return { mapping, operation, subscription: filter.join('/'), ...(responseFilter !== undefined ? { responseFilter } : {}), match };
}
