/**
 * Client-initiated bootstrap over the HTTP binding (http.bootstrap): POST /bs?ep= is
 * answered 204, the Bootstrap Server's Deletes, Writes and Finish reach the client by long
 * poll, and the session finishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_CONFIG, startBootstrap } from '../bootstrap/fixture.js';
import { Lwm2mHttpTestClient } from '../../helpers/lwm2m-http-test-client.js';
import type { ServerRequest } from '../../helpers/lwm2m-http-test-client.js';

void test('Bootstrap-Request over HTTP: Deletes, Writes and Finish fetched by long poll, the session finished', async () => {
  const f = await startBootstrap((c) => {
    c.http = { ...c.http, allowPlaintext: true, allowAnonymous: true, bootstrap: { enabled: true, port: 0, address: '127.0.0.1' } };
  });
  try {
    const port = f.gateway.ports['bootstrapHttp'];
    assert.ok(typeof port === 'number' && port > 0);
    assert.equal(f.gateway.ports['http'], undefined, 'the server binding stays off (http.enabled)');
    f.configure('bs-http', SERVER_CONFIG);
    const device = new Lwm2mHttpTestClient({ port });
    const ended = f.ended('bs-http');
    assert.equal((await device.request('POST', '/bs?ep=bs-http')).status, 204);
    const seen: ServerRequest[] = [];
    for (;;) {
      const r = await device.poll(3);
      assert.ok(r, `a request after ${seen.map((s) => s.operation).join(', ')}`);
      seen.push(r);
      const status = r.method === 'DELETE' ? '2.02' : r.method === 'GET' ? '2.05' : '2.04';
      assert.equal((await device.answer(r.token, { status })).status, 204);
      if (r.operation === 'bootstrap-finish') break;
    }
    assert.equal((await ended).type, 'finished');
    assert.deepEqual(
      seen.map((r) => `${r.method} ${r.path}`),
      ['DELETE /0', 'DELETE /1', 'PUT /0/1', 'PUT /1/0', 'PUT /24/0', 'POST /bs'],
    );
    assert.ok(seen.filter((r) => r.method === 'PUT').every((r) => r.contentType === 'application/vnd.oma.lwm2m+tlv' && r.body.length > 0));
  } finally {
    await f.stop();
  }
});
