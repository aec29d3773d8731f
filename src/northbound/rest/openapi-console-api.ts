/**
 * The OpenAPI paths and schemas of the routes a fleet console needs beside the device API:
 * the fleet filters of GET /api/devices (device-filters.ts), object models
 * (routes-models.ts), the gateway summary and the mappings (routes-gateway.ts).
 */
import { json, operation, param, type Obj } from './openapi.js';

/** Query parameters of GET /api/devices from device-filters.ts. */
export const fleetParams: Obj[] = [
  { name: 'state', in: 'query', schema: { type: 'string' }, description: 'comma-separated: online, sleeping, offline (lifetime ran out, held for the expiry grace)' },
  { name: 'version', in: 'query', schema: { type: 'string' }, description: 'LwM2M versions, comma-separated: 1.0, 1.1, 1.2' },
  { name: 'binding', in: 'query', schema: { type: 'string', pattern: '^[UTSNMHQutsnmhq]{1,8}$' }, description: 'binding letters the device must have (U, T, S, N, M, H; Q: queue mode)' },
  { name: 'queued', in: 'query', schema: { type: 'boolean' }, description: 'with (true) or without (false) requests waiting for the device' },
  { name: 'seenWithin', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'heard from in the last N seconds' },
  { name: 'silentFor', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'not heard from for N seconds or more' },
];

export const CONSOLE_API_TAGS = [
  { name: 'models', description: 'Object models: names, types, units and operations of resources' },
  { name: 'gateway', description: 'The gateway: device counts, parts and their readiness, mapping files in force' },
];

/** The answers' schemas, inline (no component of their own: the document's components stay as they were). */
function consoleApiSchemas(): Record<string, Obj> {
  const target = {
    type: 'object',
    properties: {
      objectId: { type: 'integer' },
      objectName: { type: 'string' },
      instances: { type: ['array', 'null'], items: { type: 'integer' }, description: 'null: every instance' },
      observe: { type: 'array', items: { type: 'object', properties: { resources: { type: ['array', 'null'], items: { type: 'integer' } }, composite: { type: 'boolean' }, attributes: { type: 'object' } } } },
      mqtt: { type: 'object', properties: { publish: { type: 'array', items: { type: 'string' }, description: 'MQTT filters of the topics published' }, commands: { type: 'array', items: { type: 'string' }, description: 'MQTT filters of the command topics' } } },
      rest: { type: 'string', description: 'the mapped route (for a device: with its endpoint name)' },
      onem2m: { type: 'boolean' },
    },
  };
  const objectModel: Obj = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      version: { type: 'string' },
      lwm2mVersion: { type: 'string' },
      urn: { type: 'string' },
      multiple: { type: 'boolean' },
      mandatory: { type: 'boolean' },
      resources: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            name: { type: 'string' },
            operations: { enum: ['', 'R', 'W', 'RW', 'E'] },
            multiple: { type: 'boolean' },
            mandatory: { type: 'boolean' },
            type: { enum: ['string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk', 'none'] },
            range: { type: 'string' },
            units: { type: 'string' },
          },
        },
      },
    },
  };
  return {
    ObjectModel: objectModel,
    DeviceModel: {
      type: 'object',
      properties: {
        endpoint: { type: 'string' },
        objects: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'integer' }, version: { type: 'string' }, instances: { type: 'array', items: { type: 'integer' } }, model: { oneOf: [objectModel, { type: 'null' }] } } },
        },
      },
    },
    GatewaySummary: {
      type: 'object',
      properties: {
        version: { type: ['string', 'null'] },
        time: { type: 'string', format: 'date-time' },
        devices: { type: 'object', properties: { total: { type: 'integer' }, online: { type: 'integer' }, sleeping: { type: 'integer' }, offline: { type: 'integer' } } },
        queuedRequests: { type: 'integer' },
        ready: { type: 'boolean' },
        parts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' }, detail: { type: 'string' } } } },
        mappings: { type: 'integer', description: 'mapping files in force' },
      },
    },
    MappingList: {
      type: 'object',
      properties: {
        endpoint: { type: 'string', description: 'for a device only' },
        mappings: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, targets: { type: 'array', items: target } } } },
      },
    },
  };
}

export function consoleApiPaths(): Record<string, Obj> {
  const ep = [param('endpoint')];
  const schema = consoleApiSchemas();
  const ref = (name: string): Obj => schema[name]!;
  return {
    '/api/objects/{objectId}': {
      get: operation('getObjectModel', {
        summary: 'The model of an object (the newest known version, or ?version=)',
        tag: 'models',
        params: [param('objectId'), { name: 'version', in: 'query', schema: { type: 'string', examples: ['1.1'] } }],
        ok: { '200': json(ref('ObjectModel'), 'the model') },
      }),
    },
    '/api/devices/{endpoint}/model': {
      get: operation('getDeviceModel', { summary: 'The models of the objects a device registered, at their versions', tag: 'models', params: ep, ok: { '200': json(ref('DeviceModel'), 'the models') } }),
    },
    '/api/gateway': {
      get: operation('getGateway', { summary: 'Device counts by state, queued requests, the parts and their readiness', tag: 'gateway', ok: { '200': json(ref('GatewaySummary'), 'the summary') } }),
    },
    '/api/whoami': {
      get: operation('whoami', {
        summary: "The caller's scope: write (a write token, or no tokens configured) or read",
        tag: 'gateway',
        ok: { '200': json({ type: 'object', properties: { scope: { enum: ['read', 'write'] }, tokens: { type: 'boolean', description: 'tokens are configured' } } }, 'the scope') },
      }),
    },
    '/api/mappings': {
      get: operation('listMappings', { summary: 'The mapping files in force', tag: 'gateway', ok: { '200': json(ref('MappingList'), 'the files and their targets') } }),
    },
    '/api/devices/{endpoint}/mappings': {
      get: operation('getDeviceMappings', { summary: 'The mapping files that apply to a device (their targets for the objects it registered)', tag: 'gateway', params: ep, ok: { '200': json(ref('MappingList'), 'the files and their targets') } }),
    },
  };
}
