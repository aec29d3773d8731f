/**
 * The OpenAPI document against the routes express really has, lint clean (openapi-lint.ts),
 * with the mapped routes of the mapping set in force (a reload changes it); start/stop:
 * a taken port is one clear error naming rest.port; stop() ends event streams and
 * keep-alive connections.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { RestFixture } from './fixture.js';
import { lintOpenApi } from './openapi-lint.js';
import { RestNorthbound, RestStartError, UNDOCUMENTED_ROUTES, registeredRoutes } from '../../../src/northbound/rest/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { compileMappings, loadMappingDir, type CompiledMappings } from '../../../src/mapping/index.js';

/** a path of the mapped routes (not the generic API, not the probes) */
const isMapped = (p: string): boolean => !p.startsWith('/api/') && p !== '/healthz' && p !== '/readyz';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

describe('REST OpenAPI document', () => {
  let f: RestFixture;
  before(async () => {
    f = await RestFixture.start();
  });
  after(() => f.stop());

  it('lists exactly the routes express serves', async () => {
    const r = await f.api('GET', '/api/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(r.body.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(item)) if (METHODS.includes(m)) documented.add(`${m.toUpperCase()} ${path}`);
    }
    const hidden = new Set(UNDOCUMENTED_ROUTES.map((x) => `${x.method} ${x.path}`));
    const served = new Set(
      registeredRoutes(f.rest.app)
        .filter((x) => !hidden.has(`${x.method} ${x.path}`))
        .map((x) => `${x.method} ${x.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    assert.deepEqual([...documented].filter((x) => !served.has(x)), [], 'documented but not served');
    assert.deepEqual([...served].filter((x) => !documented.has(x)), [], 'served but not documented');
    assert.ok(served.size > 40);
  });

  it('is lint clean: described responses, unique operationIds, no ambiguous paths, declared tags, a license', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.deepEqual(lintOpenApi(doc), []);
    assert.equal(doc.paths['/api/devices/{endpoint}/observations/{observationId}'], undefined);
    assert.ok(doc.paths['/api/observations/{endpoint}/{observationId}'].delete);
  });

  it('resolves every $ref and declares every path parameter', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    for (const ref of new Set(refs)) {
      const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
      assert.ok(target, `unresolved ${ref}`);
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { $ref?: string; name?: string; in?: string }[] }>>)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [, op] of Object.entries(item)) {
        const declared = (op.parameters ?? [])
          .map((p) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()!] : p))
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name);
        assert.deepEqual(declared.sort(), [...names].sort(), path);
      }
    }
  });
});

const SITES = `
devices: { endpoint: "site-*" }
targets:
  - object: 3303
    rest:
      path: "/sites/{endpoint}/temperature/{instanceId}"
      resources: [5700, "Sensor Units", application-type]
      commands:
        reset: { execute: 5605 }
        label: { write: "Application Type" }
        sensor-value: { read: 5700 }
  - object: 3
    rest:
      path: "/sites/{endpoint}/device"
      resources: [0, 9]
      commands:
        reboot: { execute: 4 }
`;

function compile(text: string, file = 'sites.yaml'): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file, text }], ModelRegistry.withBuiltins());
  assert.deepEqual(errors, []);
  return mappings;
}

describe('REST OpenAPI document of the mapped routes', () => {
  let f: RestFixture;
  let current = compile(SITES);
  before(async () => {
    f = await RestFixture.start({ northbound: { mappings: () => current } });
    await f.registered({ endpoint: 'site-7' });
  });
  after(() => f.stop());

  it('documents the mapped routes with the methods they serve, lint clean', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.deepEqual(lintOpenApi(doc), []);
    const mapped = Object.keys(doc.paths).filter(isMapped);
    assert.deepEqual(mapped.sort(), [
      '/sites/{endpoint}/device',
      '/sites/{endpoint}/device/battery-level',
      '/sites/{endpoint}/device/manufacturer',
      '/sites/{endpoint}/device/reboot',
      '/sites/{endpoint}/temperature/{instanceId}',
      '/sites/{endpoint}/temperature/{instanceId}/application-type',
      '/sites/{endpoint}/temperature/{instanceId}/label',
      '/sites/{endpoint}/temperature/{instanceId}/reset',
      '/sites/{endpoint}/temperature/{instanceId}/sensor-units',
      '/sites/{endpoint}/temperature/{instanceId}/sensor-value',
    ]);
    const item = doc.paths['/sites/{endpoint}/temperature/{instanceId}'];
    assert.deepEqual(Object.keys(item).sort(), ['get', 'patch']);
    assert.deepEqual(Object.keys(item.get.responses['200'].content['application/json'].schema.properties.values.properties), ['sensor-value', 'sensor-units', 'application-type']);
    // a resource and a command of the same name: GET reads, POST runs the command
    assert.deepEqual(Object.keys(doc.paths['/sites/{endpoint}/temperature/{instanceId}/sensor-value']).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/sites/{endpoint}/device/reboot']), ['post']);
    assert.ok(doc.tags.some((t: { name: string }) => t.name === 'mapped'));
  });

  it('documents only what the routes serve', async () => {
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (!isMapped(path)) continue;
      const concrete = path.replace('{endpoint}', 'site-7').replace('{instanceId}', '0');
      for (const method of Object.keys(item)) {
        // a method the route does not serve is 405, a path it does not know 404 NOT_FOUND
        const r = await f.api('OPTIONS', concrete);
        assert.notEqual(r.body?.code, 'NOT_FOUND', `${method} ${path}`);
        const allow = r.status === 405 ? (r.headers.get('allow') ?? '') : '';
        assert.match(allow, new RegExp(method.toUpperCase()), `${method} ${path}: allow "${allow}"`);
      }
    }
  });

  it('changes with a mapping reload', async () => {
    const before = (await f.api('GET', '/api/openapi.json')).body;
    assert.ok(before.paths['/sites/{endpoint}/device']);
    current = compile(SITES.replaceAll('/sites/', '/plants/'));
    const after = (await f.api('GET', '/api/openapi.json')).body;
    assert.equal(after.paths['/sites/{endpoint}/device'], undefined);
    assert.ok(after.paths['/plants/{endpoint}/device'].get);
    assert.deepEqual(lintOpenApi(after), []);
    current = compileMappings([], ModelRegistry.withBuiltins()).mappings;
    const none = (await f.api('GET', '/api/openapi.json')).body;
    assert.deepEqual(Object.keys(none.paths).filter(isMapped), []);
    assert.deepEqual(lintOpenApi(none), []);
  });

  it('is lint clean with the shipped mapping files', async () => {
    const dir = fileURLToPath(new URL('../../../mappings', import.meta.url));
    const { mappings, errors } = loadMappingDir(dir, ModelRegistry.withBuiltins());
    assert.deepEqual(errors, []);
    current = mappings;
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.deepEqual(lintOpenApi(doc), []);
    assert.ok(doc.paths['/devices/{endpoint}/temperature/{instanceId}'].get);
  });
});

describe('REST start and stop', () => {
  it('reports a taken port as one error naming rest.port', async () => {
    const f = await RestFixture.start();
    try {
      const port = Number(new URL(f.base).port);
      const second = new RestNorthbound({
        server: f.server,
        models: ModelRegistry.withBuiltins(),
        config: { port, host: '127.0.0.1', tokens: [], corsOrigins: [] },
      });
      await assert.rejects(second.start(), (e: unknown) => {
        assert.ok(e instanceof RestStartError);
        assert.match(e.message, /rest\.port/);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      await second.stop();
    } finally {
      await f.stop();
    }
  });

  it('sends heartbeat comments on idle event streams', async () => {
    const f = await RestFixture.start({ northbound: { heartbeatMs: 30 } });
    try {
      const ac = new AbortController();
      const res = await fetch(`${f.base}/api/events`, { signal: ac.signal });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(': heartbeat')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ac.abort();
      await reader.cancel().catch(() => {});
      assert.match(text, /^: connected\n\n/);
      assert.match(text, /: heartbeat\n\n/);
    } finally {
      await f.stop();
    }
  });

  it('ends event streams and keep-alive connections on stop', async () => {
    const f = await RestFixture.start();
    const port = Number(new URL(f.base).port);
    // an SSE stream and an idle keep-alive connection, both open when stop() is called
    const streamEnded = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(res.headers['content-type'] ?? '', /text\/event-stream/);
        res.on('data', () => {});
        res.on('end', resolve);
        res.on('error', resolve);
        res.on('close', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const agent = new (await import('node:http')).Agent({ keepAlive: true });
    const keepAlive = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/health', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(keepAlive, 200);
    await new Promise((r) => setTimeout(r, 50));
    await f.stop();
    await streamEnded;
    agent.destroy();
  });
});
