/** The OpenAPI paths and schemas of the Bootstrap Server routes (routes-bootstrap.ts). */
import { json, noContent, operation, param, problemRef, ref, type Obj } from './openapi.js';

const account = {
  type: 'object',
  required: ['shortServerId', 'uri', 'securityMode'],
  properties: {
    shortServerId: { type: 'integer', minimum: 1, maximum: 65534 },
    uri: { type: 'string', maxLength: 255, examples: ['coaps://gw.example:5684'] },
    securityMode: { type: 'string', enum: ['psk', 'rpk', 'x509', 'nosec'] },
    identity: { type: 'string', description: 'psk: the PSK identity (1 to 128 bytes)' },
    key: { type: 'string', pattern: '^([0-9a-fA-F]{2}){1,64}$', description: 'psk: the key in hex; write only, never returned' },
    publicKey: { type: 'string', description: 'rpk/x509: the client\'s public key or certificate, hex' },
    secretKey: { type: 'string', description: 'rpk/x509: the client\'s private key, hex; write only, never returned' },
    serverPublicKey: { type: 'string', description: 'rpk/x509: the server\'s public key or certificate, hex' },
    lifetime: { type: 'integer', minimum: 0, default: 86400 },
    binding: { type: 'string', pattern: '^[UTSNQMH]{1,8}$', default: 'U' },
    notificationStoring: { type: 'boolean', default: true },
    defaultMinPeriod: { type: 'integer', minimum: 0 },
    defaultMaxPeriod: { type: 'integer', minimum: 0 },
  },
};

/** a function: the helpers of openapi.ts are ready only once both modules are loaded */
export function bootstrapSchemas(): Obj {
  return {
  BootstrapConfig: {
    type: 'object',
    required: ['servers'],
    description: 'What the Bootstrap Server writes into a client; keys are never returned',
    properties: {
      servers: { type: 'array', maxItems: 8, items: account },
      objects: {
        type: 'object',
        description: 'other instances to write, by path ("/24/0"): resource id -> value',
        additionalProperties: { type: 'object', additionalProperties: true },
      },
      delete: { type: 'array', maxItems: 8, items: { type: 'string' }, default: ['/0', '/1'] },
      discover: { type: 'boolean', default: false },
      readBack: { type: 'boolean', default: false },
      contentFormat: { type: 'integer', enum: [11542, 112, 110, 11544] },
    },
  },
  BootstrapStep: {
    type: 'object',
    required: ['step', 'path', 'ok', 'at'],
    properties: {
      step: { type: 'string', enum: ['discover', 'delete', 'write', 'read', 'credentials', 'finish'] },
      path: { type: 'string' },
      code: { type: 'string', examples: ['2.04', '4.15'] },
      contentFormat: { type: 'integer' },
      ok: { type: 'boolean' },
      note: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
    },
  },
  BootstrapSessionList: {
    type: 'object',
    properties: {
      sessions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'endpoint', 'state', 'startedAt', 'steps'],
          properties: {
            id: { type: 'string' },
            endpoint: { type: 'string' },
            peer: { type: 'string', examples: ['udp 192.0.2.7:5000'] },
            state: { type: 'string', enum: ['running', 'finished', 'failed'] },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: 'string', format: 'date-time' },
            reason: { type: 'string' },
            contentFormat: { type: 'integer' },
            steps: { type: 'array', items: ref('BootstrapStep') },
          },
        },
      },
    },
  },
  };
}

/** 403 for the write-scoped operations */
function scoped(o: Obj): Obj {
  return { ...o, responses: { ...(o.responses as Obj), '403': problemRef } };
}

function configOps(idPrefix: string, what: string, params: Obj[]): Obj {
  const view = json(ref('BootstrapConfig'), 'the config, without keys');
  return {
    put: scoped(operation(`put${idPrefix}`, { summary: `Set ${what}`, tag: 'bootstrap', params, body: json(ref('BootstrapConfig'), 'the config'), ok: { '200': view, '201': view } })),
    get: operation(`get${idPrefix}`, { summary: `${what} (never a key)`, tag: 'bootstrap', params, ok: { '200': view } }),
    delete: scoped(operation(`delete${idPrefix}`, { summary: `Remove ${what}`, tag: 'bootstrap', params, ok: noContent })),
  };
}

function securityOps(): Obj {
  const ep = [param('endpoint')];
  const view = json(ref('SecurityInfo'), 'the credentials, without the key');
  return {
    put: scoped(operation('putBootstrapSecurity', { summary: "Set a client's bootstrap credentials", tag: 'bootstrap', params: ep, body: json(ref('SecurityBody'), 'the credentials'), ok: { '200': view, '201': view } })),
    get: scoped(operation('getBootstrapSecurity', { summary: "A client's bootstrap credentials (never the key)", tag: 'bootstrap', params: ep, ok: { '200': view } })),
    delete: scoped(operation('deleteBootstrapSecurity', { summary: "Remove a client's bootstrap credentials", tag: 'bootstrap', params: ep, ok: noContent })),
  };
}

export function bootstrapPaths(): Record<string, Obj> {
  const ep = [param('endpoint')];
  return {
    '/api/bootstrap-default': configOps('BootstrapDefault', 'the default bootstrap config', []),
    '/api/bootstrap/{endpoint}': configOps('BootstrapConfig', "a client's bootstrap config", ep),
    '/api/bootstrap/{endpoint}/sessions': {
      get: operation('listBootstrapSessions', { summary: "A client's last bootstrap sessions and their steps", tag: 'bootstrap', params: ep, ok: { '200': json(ref('BootstrapSessionList'), 'the sessions, oldest first') } }),
    },
    '/api/bootstrap/{endpoint}/security': securityOps(),
    '/api/bootstrap/{endpoint}/trigger': {
      post: scoped(
        operation('triggerBootstrap', {
          summary: 'Server-initiated bootstrap: execute the Bootstrap-Request Trigger (/1/x/9) of a registered device',
          tag: 'bootstrap',
          params: [...ep, { name: 'instance', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 65534 }, description: 'the Server instance (default: the lowest the device registered)' }, param('timeout')],
          ok: noContent,
          device: true,
        }),
      ),
    },
  };
}
