/**
 * The Bootstrap Server over the gateway's REST face: configs (PUT, GET, DELETE, the
 * default; write scope; keys never returned), bootstrap credentials, the sessions of an
 * endpoint, and `bootstrap` events on /api/events while a client bootstraps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PSK_HEX, SERVER_CONFIG, startBootstrap } from './fixture.js';

const RW = 'rw-secret-token-1';
const RO = 'ro-secret-token-1';

async function withRest<T>(fn: (f: Awaited<ReturnType<typeof startBootstrap>>, call: (method: string, path: string, token: string, body?: unknown) => Promise<{ status: number; text: string; body: Record<string, unknown> }>) => Promise<T>): Promise<T> {
  const f = await startBootstrap((c) => {
    c.rest = { ...c.rest, enabled: true, port: 0, host: '127.0.0.1', tokens: [{ token: RW, scope: 'write' }, { token: RO, scope: 'read' }] };
  });
  const base = `http://127.0.0.1:${f.gateway.ports['rest']}`;
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; text: string; body: Record<string, unknown> }> => {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  try {
    return await fn(f, call);
  } finally {
    await f.stop();
  }
}

void test('secret resources of the objects a config writes (MQTT password, OSCORE secret, COSE key) are never shown, yet kept', () =>
  withRest(async (f, call) => {
    const config = { ...SERVER_CONFIG, objects: { '/24/0': { 0: false, 7: 'dev-user', 8: 'mqtt-pass-secret' }, '/21/0': { 0: 'oscore-master-secret', 1: 'sid' } } };
    const put = await call('PUT', '/api/bootstrap/dev3', RW, config);
    assert.equal(put.status, 201, put.text);
    const get = await call('GET', '/api/bootstrap/dev3', RO);
    assert.equal(get.status, 200);
    assert.ok(!get.text.includes('mqtt-pass-secret') && !get.text.includes('oscore-master-secret'), get.text);
    assert.deepEqual(get.body.objects, { '/24/0': { 0: false, 7: 'dev-user' }, '/21/0': { 1: 'sid' } });
    assert.deepEqual(get.body.hidden, ['/24/0/8', '/21/0/0']);
    // what the client is sent still has them
    assert.equal(f.gateway.server.store.bootstrap.get('dev3')?.objects['/24/0']?.['8'], 'mqtt-pass-secret');
  }));

void test('PUT, GET, DELETE of a config: write scope to change, keys never returned, problems named by field', () =>
  withRest(async (f, call) => {
    const put = await call('PUT', '/api/bootstrap/dev1', RW, SERVER_CONFIG);
    assert.equal(put.status, 201, put.text);
    assert.ok(!put.text.includes(PSK_HEX) && !put.text.includes('"key"'));
    assert.equal((await call('PUT', '/api/bootstrap/dev1', RW, SERVER_CONFIG)).status, 200);
    assert.ok(f.gateway.server.store.bootstrap.get('dev1'));
    const get = await call('GET', '/api/bootstrap/dev1', RO);
    assert.equal(get.status, 200);
    assert.deepEqual((get.body.servers as { identity: string }[])[0]!.identity, 'dev-id');
    assert.ok(!get.text.includes(PSK_HEX) && !get.text.includes('"key"'));
    assert.equal((await call('PUT', '/api/bootstrap/dev1', RO, SERVER_CONFIG)).status, 403);
    assert.equal((await call('DELETE', '/api/bootstrap/dev1', RO)).status, 403);
    const bad = await call('PUT', '/api/bootstrap/dev2', RW, { servers: [{ shortServerId: 0, uri: 'x', securityMode: 'psk' }], objects: { '/24/0': { 3: 'maybe' } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_BOOTSTRAP_CONFIG');
    const fields = (bad.body.problems as { field: string }[]).map((p) => p.field);
    assert.deepEqual(fields, ['servers.0.shortServerId', 'servers.0.uri', 'servers.0.identity', 'servers.0.key']);
    const badObject = await call('PUT', '/api/bootstrap/dev2', RW, { servers: [], objects: { '/24/0': { 3: 'maybe' } } });
    assert.deepEqual((badObject.body.problems as { field: string }[]).map((p) => p.field), ['objects']);
    assert.equal((await call('DELETE', '/api/bootstrap/dev1', RW)).status, 204);
    assert.equal((await call('DELETE', '/api/bootstrap/dev1', RW)).body.code, 'BOOTSTRAP_CONFIG_NOT_FOUND');
    assert.equal((await call('GET', '/api/bootstrap/dev1', RO)).status, 404);
    // the default
    assert.equal((await call('PUT', '/api/bootstrap-default', RW, SERVER_CONFIG)).status, 201);
    assert.equal((await call('GET', '/api/bootstrap-default', RO)).status, 200);
    assert.equal((await call('DELETE', '/api/bootstrap-default', RW)).status, 204);
  }));

void test('a bootstrap driven from REST: config and bootstrap credentials set, events on /api/events, the session listed', () =>
  withRest(async (f, call) => {
    assert.equal((await call('PUT', '/api/bootstrap/dev3', RW, SERVER_CONFIG)).status, 201);
    const sec = await call('PUT', '/api/bootstrap/dev3/security', RW, { mode: 'psk', identity: 'dev3-bs', key: 'aabbccdd' });
    assert.equal(sec.status, 201);
    assert.deepEqual(sec.body, { endpoint: 'dev3', mode: 'psk', identity: 'dev3-bs' });
    assert.equal(f.gateway.server.store.bootstrapSecurity.endpointOf('dev3-bs'), 'dev3');
    assert.equal(f.gateway.server.credentials.get('dev3'), undefined, 'not a server credential');
    // over plain UDP the endpoint with bootstrap credentials is refused; removing them lets it in
    const events = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${f.gateway.ports['rest']}/api/events?events=bootstrap&endpoint=dev3`, { headers: { authorization: `Bearer ${RO}` }, signal: events.signal });
    const reader = stream.body!.getReader();
    let seen = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        seen += Buffer.from(value!).toString();
      }
    })();
    const c = await f.client({ endpoint: 'dev3' });
    assert.equal(await c.bootstrapRequest(), '4.03');
    assert.equal((await call('DELETE', '/api/bootstrap/dev3/security', RW)).status, 204);
    const ended = f.ended('dev3');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    for (let i = 0; i < 100 && !seen.includes('"finished"'); i++) await new Promise((r) => setTimeout(r, 20));
    events.abort();
    await reading;
    assert.match(seen, /event: bootstrap\n/);
    assert.match(seen, /"type":"failed".*not authenticated/);
    assert.match(seen, /"type":"started"/);
    assert.match(seen, /"step":\{"step":"write","path":"\/0\/1","ok":true,"code":"2.04","contentFormat":11542\}/);
    assert.match(seen, /"type":"finished"/);
    assert.ok(!seen.includes(PSK_HEX));
    const sessions = await call('GET', '/api/bootstrap/dev3/sessions', RO);
    assert.equal(sessions.status, 200);
    const list = sessions.body.sessions as { state: string; steps: unknown[]; reason?: string }[];
    assert.deepEqual(list.map((s) => s.state), ['failed', 'finished']);
    assert.equal(list[1]!.steps.length, 6);
    assert.deepEqual((await call('GET', '/api/bootstrap/never/sessions', RO)).body, { sessions: [] });
    const ready = (await call('GET', '/readyz', RO)).body as { parts: { name: string; ready: boolean }[] };
    assert.deepEqual(ready.parts.find((p) => p.name === 'bootstrap.coap'), { name: 'bootstrap.coap', ready: true });
  }));
