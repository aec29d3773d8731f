/**
 * The OpenAPI 3.1 document of the REST API, served at `/api/openapi.json`. A test
 * compares its paths and methods with the routes express actually has.
 */
import { parameters, responses, schemas } from './openapi-schemas.js';

type Obj = Record<string, unknown>;

const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const param = (name: keyof typeof parameters): Obj => ({ $ref: `#/components/parameters/${name}` });
const problemRef = { $ref: '#/components/responses/Problem' };
const accepted = { $ref: '#/components/responses/Accepted' };
const json = (schema: Obj): Obj => ({ content: { 'application/json': { schema } } });

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
}

function operation(id: string, s: OpSpec): Obj {
  const res: Record<string, Obj> = { ...s.ok };
  if (s.device) res['202'] = accepted;
  res['400'] = problemRef;
  res['401'] = problemRef;
  if (s.device) {
    for (const c of ['403', '404', '405', '406', '415', '502', '503', '504']) res[c] = problemRef;
  } else res['404'] = problemRef;
  const out: Obj = { operationId: id, summary: s.summary, tags: [s.tag], responses: res };
  if (s.params?.length) out.parameters = s.params;
  if (s.body) out.requestBody = { required: true, ...s.body };
  return out;
}

const noContent = { '204': { description: 'done' } };

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
    add(p, 'get', `read${d}`, { summary: `Read a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], ok: { '200': json(ref('ReadResult')) }, device: true });
    if (d >= 2) {
      add(p, 'put', `write${d}`, { summary: `Write (replace) a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('WriteBody')), ok: noContent, device: true });
    }
    if (d === 2 || d === 3) {
      add(p, 'patch', `writePartial${d}`, { summary: `Partial update of a ${level}`, tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('WriteBody')), ok: noContent, device: true });
    }
    if (d === 1) {
      add(p, 'post', 'create', { summary: 'Create an object instance', tag: 'resources', params: [...ids, param('format'), param('timeout')], body: json(ref('CreateBody')), ok: { '201': json(ref('CreateResult')) }, device: true });
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
        ok: { '200': json(ref('DiscoverResult')) },
        device: true,
      });
    }
    add(p + '/attributes', 'put', `writeAttributes${d}`, { summary: `Write-Attributes on a ${level}`, tag: 'actions', params: [...ids, param('timeout')], body: json(ref('Attributes')), ok: noContent, device: true });
    add(p + '/observe', 'post', `observe${d}`, { summary: `Observe a ${level} (notifications on /api/events)`, tag: 'observe', params: [...ids, param('format'), param('timeout')], ok: { '200': json(ref('ObserveResult')) }, device: true });
    add(p + '/observe', 'delete', `cancelObserve${d}`, { summary: `Cancel the observation of a ${level}`, tag: 'observe', params: [...ids, param('passive'), param('timeout')], ok: noContent, device: true });
  }
  const ep = [param('endpoint')];
  add(base + '/composite', 'get', 'readComposite', { summary: 'Read-Composite', tag: 'composite', params: [...ep, param('paths'), param('format'), param('timeout')], ok: { '200': json(ref('CompositeResult')) }, device: true });
  add(base + '/composite', 'put', 'writeComposite', { summary: 'Write-Composite', tag: 'composite', params: [...ep, param('format'), param('timeout')], body: json(ref('CompositeWriteBody')), ok: noContent, device: true });
  add(base + '/composite/observe', 'post', 'observeComposite', { summary: 'Observe-Composite', tag: 'composite', params: [...ep, param('format'), param('timeout')], body: json(ref('CompositeObserveBody')), ok: { '200': json(ref('CompositeResult')) }, device: true });
  add(base + '/composite/observe', 'delete', 'cancelObserveComposite', { summary: 'Cancel an Observe-Composite', tag: 'composite', params: [...ep, param('paths'), param('passive'), param('timeout')], ok: noContent, device: true });
  add(base, 'get', 'getDevice', { summary: 'A registration', tag: 'devices', params: ep, ok: { '200': json(ref('Registration')) } });
  add(base + '/observations', 'get', 'listObservations', { summary: 'Observations of a device', tag: 'observe', params: ep, ok: { '200': json(ref('ObservationList')) } });
  add(base + '/observations/{observationId}', 'delete', 'cancelObservation', { summary: 'Cancel an observation by id', tag: 'observe', params: [...ep, param('observationId'), param('passive'), param('timeout')], ok: noContent, device: true });
  add(base + '/requests', 'get', 'listQueuedRequests', { summary: 'Requests waiting for a sleeping device', tag: 'requests', params: ep, ok: { '200': json(ref('QueuedRequestList')) } });
  return paths;
}

let cached: Obj | undefined;

export function openApiDocument(): Obj {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'lwm2m-gateway REST API',
      version: '1',
      description: 'Read and drive LwM2M devices registered with the gateway. Errors are application/problem+json with a stable code.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: ['devices', 'resources', 'actions', 'observe', 'composite', 'requests', 'events', 'meta'].map((name) => ({ name })),
    paths: {
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
      '/api/devices': {
        get: operation('listDevices', {
          summary: 'Registered devices',
          tag: 'devices',
          params: [
            param('endpointFilter'),
            { name: 'object', in: 'query', schema: { type: 'string' }, description: 'object ids the device must have, comma-separated' },
            { name: 'online', in: 'query', schema: { type: 'boolean' }, description: 'awake (true) or sleeping (false)' },
          ],
          ok: { '200': json(ref('DeviceList')) },
        }),
      },
      '/api/requests/{requestId}': {
        get: operation('getQueuedRequest', { summary: 'A queued request: state and result', tag: 'requests', params: [param('requestId')], ok: { '200': json(ref('QueuedRequest')) } }),
      },
      ...devicePaths(),
    },
    components: {
      schemas,
      parameters,
      responses,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from rest.tokens (scope read or write)' } },
    },
  };
  return cached;
}
