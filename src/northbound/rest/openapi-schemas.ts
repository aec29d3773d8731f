/** Components of the OpenAPI document: schemas, parameters, responses. */
import { PROBLEMS } from './errors.js';
import { EVENT_NAMES } from './events.js';
import { FORMAT_NAMES, MAX_TIMEOUT_S } from './params.js';

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

export const schemas = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', examples: ['urn:lwm2m-gateway:problem:DEVICE_NOT_FOUND'] },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string', enum: Object.keys(PROBLEMS) },
      detail: { type: 'string' },
      deviceCode: { type: 'string', description: 'the CoAP code the device answered, e.g. "4.04"' },
      errorCode: { type: 'string', description: 'why the request got no usable answer (TIMEOUT, TRANSPORT...)' },
    },
  },
  Value: {
    description:
      'A value typed by the object model: number, string (also 64-bit integers outside the JSON safe range, base64 opaque, "3:0" object links), boolean; an object of id -> value for multiple resources, instances and objects',
  },
  Registration: {
    type: 'object',
    properties: {
      endpoint: { type: 'string' },
      registrationId: { type: 'string', description: 'for write-scoped callers only (a write token, or no tokens configured)' },
      version: { type: 'string', examples: ['1.1'] },
      binding: { type: 'string', examples: ['U', 'UQ'] },
      lifetime: { type: 'integer', description: 'seconds' },
      queueMode: { type: 'boolean' },
      awake: { type: 'boolean' },
      state: { enum: ['online', 'sleeping', 'offline'], description: 'online: reachable now; sleeping: a queue-mode device between wake-ups; offline: its lifetime ran out, held for the expiry grace' },
      queuedRequests: { type: 'integer' },
      smsNumber: { type: 'string' },
      rootPath: { type: 'string' },
      contentFormats: { type: 'array', items: { type: 'integer' } },
      objects: {
        type: 'array',
        description: 'in the device list only with objects=true',
        items: { type: 'object', properties: { id: { type: 'integer' }, version: { type: 'string' }, instances: { type: 'array', items: { type: 'integer' } } } },
      },
      address: { type: 'object', properties: { transport: { type: 'string' }, address: { type: 'string' }, port: { type: 'integer' } } },
      registeredAt: { type: 'string', format: 'date-time' },
      lastUpdateAt: { type: 'string', format: 'date-time' },
      lastSeen: { type: 'string', format: 'date-time' },
      expiresAt: { type: 'string', format: 'date-time' },
      extra: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
  DeviceList: {
    type: 'object',
    required: ['count', 'total', 'limit', 'next', 'devices'],
    properties: {
      count: { type: 'integer', description: 'devices on this page' },
      total: { type: 'integer', description: 'devices that match the filters, on every page' },
      limit: { type: 'integer' },
      next: { type: ['string', 'null'], description: 'the cursor of the next page (pass it as `cursor`); null on the last page' },
      devices: { type: 'array', items: ref('Registration') },
    },
  },
  ReadResult: {
    type: 'object',
    required: ['endpoint', 'path', 'value'],
    properties: {
      endpoint: { type: 'string' },
      path: { type: 'string' },
      value: ref('Value'),
      type: { type: 'string', description: 'resource type, for a resource or resource instance' },
      contentFormat: { type: 'integer' },
      timestamped: ref('Timestamped'),
    },
  },
  Timestamped: {
    type: 'array',
    items: { type: 'object', properties: { time: { type: ['number', 'null'] }, values: { type: 'object', additionalProperties: ref('Value') } } },
  },
  CompositeResult: {
    type: 'object',
    properties: {
      endpoint: { type: 'string' },
      observationId: { type: ['string', 'null'] },
      values: { type: 'object', additionalProperties: ref('Value') },
      contentFormat: { type: 'integer' },
      timestamped: ref('Timestamped'),
    },
  },
  Readiness: {
    type: 'object',
    required: ['ready', 'parts'],
    properties: {
      ready: { type: 'boolean' },
      parts: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'ready'],
          properties: { name: { type: 'string', examples: ['binding.coap', 'mqtt.external', 'store'] }, ready: { type: 'boolean' }, detail: { type: 'string' } },
        },
      },
    },
  },
  WriteBody: { type: 'object', required: ['value'], properties: { value: ref('Value') } },
  CreateBody: {
    type: 'object',
    properties: { instanceId: { type: 'integer', minimum: 0, maximum: 65534 }, value: { type: 'object', additionalProperties: ref('Value') } },
  },
  CreateResult: { type: 'object', properties: { endpoint: { type: 'string' }, path: { type: ['string', 'null'] }, instanceId: { type: ['integer', 'null'] } } },
  ExecuteBody: { type: 'object', properties: { args: { type: 'string', examples: ["0='v',1"] } } },
  Attributes: {
    type: 'object',
    description: 'notification attributes; null unsets one',
    properties: Object.fromEntries(['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'].map((k) => [k, { type: ['number', 'null'] }])),
  },
  DiscoverResult: {
    type: 'object',
    properties: {
      endpoint: { type: 'string' },
      path: { type: 'string' },
      links: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, attributes: { type: 'object' } } } },
    },
  },
  ObserveResult: {
    type: 'object',
    properties: { endpoint: { type: 'string' }, path: { type: 'string' }, observationId: { type: ['string', 'null'] }, value: ref('Value'), contentFormat: { type: 'integer' } },
  },
  Observation: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      paths: { type: 'array', items: { type: 'string' } },
      composite: { type: 'boolean' },
      format: { type: ['integer', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  ObservationList: { type: 'object', properties: { endpoint: { type: 'string' }, observations: { type: 'array', items: ref('Observation') } } },
  CompositeWriteBody: { type: 'object', required: ['values'], properties: { values: { type: 'object', additionalProperties: ref('Value') } } },
  CompositeObserveBody: { type: 'object', required: ['paths'], properties: { paths: { type: 'array', items: { type: 'string' }, minItems: 1 } } },
  QueuedRequest: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      location: { type: 'string' },
      endpoint: { type: 'string' },
      operation: { type: 'string' },
      paths: { type: 'array', items: { type: 'string' } },
      state: { type: 'string', enum: ['queued', 'sent', 'done', 'failed'] },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      result: { type: 'object', properties: { status: { type: 'integer' }, body: {} } },
    },
  },
  SecurityBody: {
    type: 'object',
    required: ['mode'],
    description: 'psk: identity and key; rpk: publicKey; x509: nothing else (the certificate CN is the endpoint)',
    properties: {
      mode: { type: 'string', enum: ['psk', 'rpk', 'x509'] },
      identity: { type: 'string', minLength: 1, description: 'PSK identity, at most 128 bytes of UTF-8' },
      key: { type: 'string', pattern: '^([0-9a-fA-F]{2}){1,64}$', description: 'PSK key in hex, 1 to 64 bytes' },
      publicKey: { type: 'string', pattern: '^([0-9a-fA-F]{2}){1,512}$', description: 'hex of the DER SubjectPublicKeyInfo' },
    },
  },
  SecurityInfo: {
    type: 'object',
    required: ['endpoint', 'mode'],
    properties: {
      endpoint: { type: 'string' },
      mode: { type: 'string', enum: ['psk', 'rpk', 'x509'] },
      identity: { type: 'string', description: 'psk' },
      publicKey: { type: 'string', description: 'rpk, in hex' },
    },
  },
  TraceBody: {
    type: 'object',
    required: ['enabled'],
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      seconds: { type: 'integer', minimum: 1, maximum: 86400, default: 600, description: 'how long the trace runs (again: from now)' },
    },
  },
  TraceState: {
    type: 'object',
    required: ['endpoint', 'enabled'],
    properties: { endpoint: { type: 'string' }, enabled: { type: 'boolean' }, until: { type: 'string', format: 'date-time', description: 'when the trace ends by itself' } },
  },
  QueuedRequestList: { type: 'object', properties: { endpoint: { type: 'string' }, requests: { type: 'array', items: ref('QueuedRequest') } } },
} as const;

export const parameters = {
  endpoint: { name: 'endpoint', in: 'path', required: true, schema: { type: 'string' }, description: 'the device endpoint name' },
  objectId: { name: 'objectId', in: 'path', required: true, schema: { type: 'integer', minimum: 0, maximum: 65534 } },
  instanceId: { name: 'instanceId', in: 'path', required: true, schema: { type: 'integer', minimum: 0, maximum: 65534 } },
  resourceId: { name: 'resourceId', in: 'path', required: true, schema: { type: 'integer', minimum: 0, maximum: 65534 } },
  resourceInstanceId: { name: 'resourceInstanceId', in: 'path', required: true, schema: { type: 'integer', minimum: 0, maximum: 65534 } },
  format: {
    name: 'format',
    in: 'query',
    schema: { type: 'string' },
    description: `content format used with the device: ${Object.keys(FORMAT_NAMES).join(', ')} or a number`,
  },
  timeout: { name: 'timeout', in: 'query', schema: { type: 'number', exclusiveMinimum: 0, maximum: MAX_TIMEOUT_S }, description: 'seconds to wait for the device' },
  paths: { name: 'paths', in: 'query', required: true, schema: { type: 'string' }, description: 'comma-separated LwM2M paths', example: '/3/0/9,/3303/0/5700' },
  passive: { name: 'passive', in: 'query', schema: { type: 'boolean' }, description: 'forget locally only (the next notification gets a reset)' },
  requestId: { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } },
  observationId: { name: 'observationId', in: 'path', required: true, schema: { type: 'string' } },
  events: { name: 'events', in: 'query', schema: { type: 'string' }, description: `comma-separated: ${EVENT_NAMES.join(', ')}` },
  endpointFilter: { name: 'endpoint', in: 'query', schema: { type: 'string' }, description: 'endpoint names or globs (* and ?), comma-separated' },
} as const;

const problem = (description: string): Record<string, unknown> => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

export const responses = {
  Problem: problem('an error (see code)'),
  Accepted: {
    description: 'the device sleeps (queue mode): the request waits for it; follow the Location',
    headers: { Location: { schema: { type: 'string' } } },
    content: { 'application/json': { schema: ref('QueuedRequest') } },
  },
} as const;
