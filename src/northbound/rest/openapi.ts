/**
 * The OpenAPI 3.1 document of the REST API, served at `/api/openapi.json`, with the
 * mapped routes of the mapping files in force (built again after a reload). Tests
 * compare its paths and methods with the routes express actually has and lint it
 * (every response described, unique operationIds, no two paths that match the same
 * request with equal precedence, declared tags and path parameters).
 */
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import { CONSOLE_API_TAGS, consoleApiPaths, fleetParams } from './openapi-console-api.js';
import { MAPPED_TAG, mappedPaths } from './openapi-mapped.js';
import { parameters, responses, schemas } from './openapi-schemas.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './params.js';
import { bootstrapPaths, bootstrapSchemas } from './openapi-bootstrap.js';
import { FIRMWARE_TAGS, firmwarePaths, firmwareSchemas } from './openapi-firmware.js';

export type Obj = Record<string, unknown>;

export const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
export const param = (name: keyof typeof parameters): Obj => ({ $ref: `#/components/parameters/${name}` });
export const problemRef = { $ref: '#/components/responses/Problem' };
const accepted = { $ref: '#/components/responses/Accepted' };
export const json = (schema: Obj, description: string): Obj => ({ description, content: { 'application/json': { schema } } });

const ID_PARAMS = ['objectId', 'instanceId', 'resourceId', 'resourceInstanceId'] as const;
const LEVELS = ['object', 'object instance', 'resource', 'resource instance'];

/** `/{objectId}...` for depth 1..4 */
function depthPath(d: number): string {
  return ID_PARAMS.slice(0, d).map((p) => `/{${p}}`).join('');
}

function idParams(d: number): Obj[] {
  return [param('endpoint'), ...ID_PARAMS.slice(0, d).map((p) => param(p))];
}

interface OpSpec {
  summary: string;
  tag: string;
  params?: Obj[];
  body?: Obj;
  ok: Record<string, Obj>;
  /** a device operation (may be queued: 202; device errors) */
  device?: boolean;
  /** more problem statuses it answers ("403" for write scope...) */
  problems?: string[];
}

export function operation(id: string, s: OpSpec): Obj {
  const res: Record<string, Obj> = { ...s.ok };
  if (s.device) res['202'] = accepted;
  res['400'] = problemRef;
  res['401'] = problemRef;
  if (s.device) {
    for (const c of ['403', '404', '405', '406', '415', '502', '503', '504']) res[c] = problemRef;
  } else res['404'] = problemRef;
  for (const c of s.problems ?? []) res[c] = problemRef;
  const out: Obj = { operationId: id, summary: s.summary, tags: [s.tag], responses: res };
  if (s.params?.length) out.parameters = s.params;
  if (s.body) out.requestBody = { required: true, ...s.body };
  return out;
}

export const noContent = { '204': { description: 'done' } };

function devicePaths(): Record<string, Obj> {
  const paths: Record<string, Record<string, Obj>> = {};
  const add = (path: string, method: string, id: string, s: OpSpec): void => {
    (paths[path] ??= {})[method] = operation(id, s);
  };
  const base = '/api/devices/{endpoint}';
  for (let d = 1; d <= 4; d++) {
    const p = base + depthPath(d);
    const level = LEVELS[d - 1]!;
    const ids = idParams(d);
    add(p, 'get', `read${d}`, { summary: `Read a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], ok: { '200': json(ref('ReadResult'), 'the value') }, device: true });
    if (d >= 2) {
      add(p, 'put', `write${d}`, { summary: `Write (replace) a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('WriteBody'), 'the value'), ok: noContent, device: true });
    }
    if (d === 2 || d === 3) {
      add(p, 'patch', `writePartial${d}`, { summary: `Partial update of a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('WriteBody'), 'the value'), ok: noContent, device: true });
    }
    if (d === 1) {
      add(p, 'post', 'create', { summary: 'Create an object instance', tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('CreateBody'), 'the new instance'), ok: { '201': { ...json(ref('CreateResult'), 'created'), headers: { Location: { description: 'the new instance', schema: { type: 'string' } } } } }, device: true });
    }
    if (d === 3) {
      add(p, 'post', 'execute', {
        summary: 'Execute a resource',
        tag: 'resources',
        params: [...ids, param('timeout')],
        body: { content: { 'application/json': { schema: ref('ExecuteBody') }, 'text/plain': { schema: { type: 'string' } } } },
        ok: noContent,
        device: true,
      });
    }
    if (d === 2 || d === 4) add(p, 'delete', `delete${d}`, { summary: `Delete a ${level}`, tag: 'resources', params: [...ids, param('timeout')], ok: noContent, device: true });
    if (d <= 3) {
      add(p + '/discover', 'get', `discover${d}`, {
        summary: `Discover a ${level}`,
        tag: 'actions',
        params: [...ids, { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 3 } }, param('timeout')],
        ok: { '200': json(ref('DiscoverResult'), 'the links') },
        device: true,
      });
    }
    add(p + '/attributes', 'put', `writeAttributes${d}`, { summary: `Write-Attributes on a ${level}`, tag: 'actions', params: [...ids, param('timeout')], body: json(ref('Attributes'), 'the attributes'), ok: noContent, device: true });
    add(p + '/observe', 'post', `observe${d}`, { summary: `Observe a ${level} (notifications on /api/events)`, tag: 'observe', params: [...ids, param('format'), param('timeout')], ok: { '200': json(ref('ObserveResult'), 'observing; the current value') }, device: true });
    add(p + '/observe', 'delete', `cancelObserve${d}`, { summary: `Cancel the observation of a ${level}`, tag: 'observe', params: [...ids, param('passive'), param('timeout')], ok: noContent, device: true });
  }
  const ep = [param('endpoint')];
  add(base + '/composite', 'get', 'readComposite', { summary: 'Read-Composite', tag: 'composite', params: [...ep, param('paths'), param('format'), param('timeout')], ok: { '200': json(ref('CompositeResult'), 'the values') }, device: true });
  add(base + '/composite', 'put', 'writeComposite', { summary: 'Write-Composite', tag: 'composite', params: [...ep, param('format'), param('timeout')], body: json(ref('CompositeWriteBody'), 'the values'), ok: noContent, device: true });
  add(base + '/composite/observe', 'post', 'observeComposite', { summary: 'Observe-Composite', tag: 'composite', params: [...ep, param('format'), param('timeout')], body: json(ref('CompositeObserveBody'), 'the paths to observe'), ok: { '200': json(ref('CompositeResult'), 'observing; the current values') }, device: true });
  add(base + '/composite/observe', 'delete', 'cancelObserveComposite', { summary: 'Cancel an Observe-Composite', tag: 'composite', params: [...ep, param('paths'), param('passive'), param('timeout')], ok: noContent, device: true });
  add(base, 'get', 'getDevice', { summary: 'A registration', tag: 'devices', params: ep, ok: { '200': json(ref('Registration'), 'the registration') } });
  add(base + '/observations', 'get', 'listObservations', { summary: 'Observations of a device', tag: 'observe', params: ep, ok: { '200': json(ref('ObservationList'), 'the observations') } });
  add('/api/observations/{endpoint}/{observationId}', 'delete', 'cancelObservation', {
    summary: 'Cancel an observation by id',
    tag: 'observe',
    params: [...ep, param('observationId'), param('passive'), param('timeout')],
    ok: noContent,
    device: true,
  });
  const trace = json(ref('TraceState'), 'whether a trace runs, and until when');
  add(base + '/trace', 'get', 'getTrace', { summary: "Whether the device's messages are traced", tag: 'trace', params: ep, ok: { '200': trace } });
  add(base + '/trace', 'put', 'putTrace', { summary: "Trace (or stop tracing) the device's CoAP messages to the log and /api/events; write scope", tag: 'trace', params: ep, body: json(ref('TraceBody'), 'on or off, and for how long'), ok: { '200': trace }, problems: ['403', '409', '503'] });
  add(base + '/trace', 'delete', 'deleteTrace', { summary: "Stop tracing the device's messages; write scope", tag: 'trace', params: ep, ok: noContent, problems: ['403'] });
  add(base + '/requests', 'get', 'listQueuedRequests', { summary: 'Requests waiting for a sleeping device', tag: 'requests', params: ep, ok: { '200': json(ref('QueuedRequestList'), 'the waiting requests') } });
  return paths;
}

/** PUT, GET and DELETE of a client's credentials: write scope (403 otherwise) */
function securityPath(): Obj {
  const ep = [param('endpoint')];
  const scoped = (o: Obj, extra: string[] = []): Obj => {
    const responses: Obj = { ...(o.responses as Obj), '403': problemRef };
    for (const c of extra) responses[c] = problemRef;
    return { ...o, responses };
  };
  const view = json(ref('SecurityInfo'), 'the credentials, without the key');
  return {
    put: scoped(
      operation('putSecurity', { summary: "Set a client's credentials", tag: 'security', params: ep, body: json(ref('SecurityBody'), 'the credentials'), ok: { '200': view, '201': view } }),
      ['409'],
    ),
    get: scoped(operation('getSecurity', { summary: "A client's credentials (never the key)", tag: 'security', params: ep, ok: { '200': view } })),
    delete: scoped(operation('deleteSecurity', { summary: "Remove a client's credentials", tag: 'security', params: ep, ok: noContent })),
  };
}

/**
 * Routes served but left out of the document: the former path of cancel-by-id, which a
 * path template of the device API (`{objectId}/discover`...) would match as well; and the
 * web console's page (HTML for browsers, not API: docs/console.md).
 */
export const UNDOCUMENTED_ROUTES = [
  { method: 'DELETE', path: '/api/devices/:endpoint/observations/:observationId' },
  { method: 'GET', path: '/' },
] as const;

const TAGS = [
  { name: 'devices', description: 'Registered devices' },
  { name: 'resources', description: 'Read, write, create, execute and delete on LwM2M paths' },
  { name: 'actions', description: 'Discover and Write-Attributes on LwM2M paths' },
  { name: 'observe', description: 'Observations and their cancellation' },
  { name: 'composite', description: 'Read-, Write- and Observe-Composite' },
  { name: 'requests', description: 'Requests waiting for sleeping (queue-mode) devices' },
  { name: 'events', description: 'Live events as Server-Sent Events' },
  { name: 'security', description: 'Credentials of the clients (DTLS PSK, raw public key, X.509); write scope, keys never returned' },
  { name: 'trace', description: "A device's CoAP messages traced at run time (info log lines and trace events)" },
  { name: 'bootstrap', description: 'Bootstrap Server: configs (keys never returned), bootstrap credentials, sessions' },
  ...FIRMWARE_TAGS,
  { name: 'meta', description: 'Health, probes, metrics and this document' },
];

function build(mappings: CompiledMappings | undefined): Obj {
  const mapped = mappedPaths(mappings);
  return {
    openapi: '3.1.0',
    info: {
      title: 'lwm2m-gateway REST API',
      version: '1',
      description: 'Read and drive LwM2M devices registered with the gateway. Errors are application/problem+json with a stable code.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: Object.keys(mapped).length > 0 ? [...TAGS, ...CONSOLE_API_TAGS, MAPPED_TAG] : [...TAGS, ...CONSOLE_API_TAGS],
    paths: {
      '/healthz': { get: { ...operation('healthz', { summary: 'Liveness probe: the process answers', tag: 'meta', ok: { '200': { description: 'alive' } } }), security: [] } },
      '/readyz': {
        get: {
          ...operation('readyz', {
            summary: 'Readiness probe: every binding listens, the broker is connected, the store is reachable',
            tag: 'meta',
            ok: {
              '200': { description: 'ready', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
              '503': { description: 'a part is not ready (the body names it)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
            },
          }),
          security: [],
        },
      },
      '/api/health': { get: { ...operation('health', { summary: 'Liveness', tag: 'meta', ok: { '200': { description: 'ok' } } }), security: [] } },
      '/api/openapi.json': { get: { ...operation('openapi', { summary: 'This document', tag: 'meta', ok: { '200': { description: 'OpenAPI 3.1' } } }), security: [] } },
      '/api/events': {
        get: operation('events', {
          summary: 'Live events (Server-Sent Events)',
          tag: 'events',
          params: [param('endpointFilter'), param('events')],
          ok: { '200': { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        }),
      },
      ...consoleApiPaths(),
      '/api/devices': {
        get: operation('listDevices', {
          summary: 'Registered devices',
          tag: 'devices',
          params: [
            param('endpointFilter'),
            { name: 'object', in: 'query', schema: { type: 'string' }, description: 'object ids the device must have, comma-separated' },
            { name: 'online', in: 'query', schema: { type: 'boolean' }, description: 'awake (true) or sleeping (false)' },
            ...fleetParams,
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }, description: 'devices per page' },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'the `next` of the previous page (opaque)' },
            { name: 'objects', in: 'query', schema: { type: 'boolean' }, description: 'include the registered objects of each device' },
          ],
          ok: {
            '200': {
              ...json(ref('DeviceList'), 'a page of devices, sorted by endpoint name'),
              headers: { Link: { description: 'the next page: `</api/devices?...&cursor=...>; rel="next"`', schema: { type: 'string' } } },
            },
          },
        }),
      },
      '/api/requests/{requestId}': {
        get: operation('getQueuedRequest', { summary: 'A queued request: state and result', tag: 'requests', params: [param('requestId')], ok: { '200': json(ref('QueuedRequest'), 'the request') } }),
      },
      '/api/clients/{endpoint}/security': securityPath(),
      ...bootstrapPaths(),
      ...firmwarePaths(),
      ...devicePaths(),
      ...mapped,
    },
    components: {
      schemas: { ...schemas, ...bootstrapSchemas(), ...firmwareSchemas() },
      parameters,
      responses,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from rest.tokens (scope read or write)' } },
    },
  };
}

const built = new WeakMap<CompiledMappings, Obj>();
let unmapped: Obj | undefined;

const metricsPath: Obj = {
  get: operation('metrics', {
    summary: 'Prometheus metrics (text exposition format); read scope, or rest.metrics.token',
    tag: 'meta',
    ok: { '200': { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
  }),
};
const withMetrics = new WeakMap<Obj, Obj>();

/** The document for the mapping set in force (none: the generic API only), with /metrics when it is served; built once per set. */
export function openApiDocument(mappings?: CompiledMappings, opts: { metrics?: boolean } = {}): Obj {
  let doc: Obj | undefined;
  if (!mappings) doc = unmapped ??= build(undefined);
  else if (!(doc = built.get(mappings))) built.set(mappings, (doc = build(mappings)));
  if (!opts.metrics) return doc;
  let m = withMetrics.get(doc);
  if (!m) withMetrics.set(doc, (m = { ...doc, paths: { ...(doc.paths as Obj), '/metrics': metricsPath } }));
  return m;
}
