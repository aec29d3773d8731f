/**
 * The OpenAPI document against the routes express really has; start/stop: a taken port
 * is one clear error naming rest.port; stop() ends event streams and keep-alive
 * connections.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { RestFixture } from './fixture.js';
import { RestNorthbound, RestStartError, registeredRoutes } from '../../../src/northbound/rest/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';

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
    const served = new Set(registeredRoutes(f.rest.app).map((x) => `${x.method} ${x.path.replace(/:(\w+)/g, '{$1}')}`));
    assert.deepEqual([...documented].filter((x) => !served.has(x)), [], 'documented but not served');
    assert.deepEqual([...served].filter((x) => !documented.has(x)), [], 'served but not documented');
    assert.ok(served.size > 40);
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

describe('REST start and stop', () => {
  it('reports a taken port as one error naming rest.port', async () => {
    const f = await RestFixture.start();
    try {
      const port = Number(new URL(f.base).port);
      const second = new RestNorthbound({
        server: f.server,
        models: ModelRegistry.withBuiltins(),
        config: { enabled: true, port, host: '127.0.0.1', tokens: [], corsOrigins: [] },
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
