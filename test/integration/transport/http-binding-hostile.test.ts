/**
 * Hostile input on the HTTP binding: oversize bodies (declared and streamed), unknown
 * paths and methods, broken percent-encoding, a URL beyond bounds, unknown media types,
 * malformed credentials, bad link-format, garbage on the socket, a Send from nobody, too
 * many long polls. Each is answered with a status and the gateway keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { startGateway } from '../interop/gateway-fixture.js';
import { Lwm2mHttpTestClient } from '../../helpers/lwm2m-http-test-client.js';

/** Raw bytes on a TCP connection; resolves with what came back until the server closed or 2 s passed. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => s.destroy(), 2000);
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.write(bytes);
  });
}

/** A chunked POST streaming `total` bytes; resolves with the status (0: the connection broke first). */
function streamed(port: number, path: string, total: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-type': 'application/link-format' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    const chunk = Buffer.alloc(4096, 0x41);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

void test('hostile requests are answered with a status and the gateway keeps serving', async () => {
  const g = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true, allowAnonymous: true, maxBodyBytes: 1024, maxPollsPerClient: 1 };
  });
  const port = g.gateway.ports['http'] as number;
  const device = new Lwm2mHttpTestClient({ port });
  try {
    // oversize: declared by Content-Length, and streamed without one
    assert.equal((await device.request('POST', '/rd?ep=big', Buffer.alloc(2000, 0x41), { 'content-type': 'application/link-format' })).status, 413);
    const s = await streamed(port, '/rd?ep=big2', 1_000_000);
    assert.ok(s === 413 || s === 0, `streamed oversize body: ${s}`);
    assert.equal(g.gateway.server.getRegistration('big'), undefined);

    // unknown paths and methods
    assert.equal((await device.request('GET', '/nope')).status, 404);
    assert.equal((await device.request('POST', '/rd/a/b')).status, 404);
    const get = await device.request('GET', '/rd');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await device.request('PUT', '/dp')).status, 405);
    assert.equal((await device.request('DELETE', '/dm')).status, 405);
    assert.equal((await device.request('POST', '/dm/x/y')).status, 404);

    // broken encodings and bounds
    assert.equal((await device.request('POST', '/rd?ep=%E0%A4%A')).status, 400);
    assert.equal((await device.request('POST', '/%zz')).status, 400);
    assert.equal((await device.request('POST', `/rd?ep=${'a'.repeat(5000)}`)).status, 414);
    assert.equal((await device.request('POST', `/rd?${Array.from({ length: 40 }, (_, i) => `x${i}=1`).join('&')}`)).status, 400);
    assert.equal((await device.request('GET', '/dm?wait=-1')).status, 400);
    assert.equal((await device.request('GET', '/dm?wait=soon')).status, 400);

    // media types LwM2M has no format for; a bad object list; Send from a client never registered
    assert.equal((await device.request('POST', '/rd?ep=x&lt=60', '</3/0>', { 'content-type': 'application/xml' })).status, 415);
    assert.equal((await device.request('POST', '/rd?ep=x&lt=60', 'not a link', { 'content-type': 'application/link-format' })).status, 400);
    assert.equal((await device.request('POST', '/rd?ep=x&lt=abc', '</3/0>', { 'content-type': 'application/link-format' })).status, 400);
    assert.equal((await device.send('[{"n":"/3/0/0","vs":"x"}]')).status, 404);

    // malformed or oversize credentials are 401, not a crash
    for (const auth of ['Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Bearer abc', 'Basic ' + 'A'.repeat(1000), 'Basic ' + Buffer.from('id:nothex').toString('base64')]) {
      assert.equal((await device.request('POST', '/rd?ep=cred', '</3/0>', { authorization: auth, 'content-type': 'application/link-format' })).status, 401, auth.slice(0, 20));
    }

    // garbage on the socket: a 400 and the connection closed
    assert.match(await raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])), /^HTTP\/1\.1 400/);
    assert.match(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nX: ' + 'y'.repeat(20_000) + '\r\n\r\n'), /^HTTP\/1\.1 4(00|31)/);

    // registered, a bad Send body and an unknown Send format are refused, a good one taken
    assert.equal((await device.register('survivor')).status, 201);
    assert.equal((await device.send('{not json')).status, 400);
    assert.equal((await device.send('x', 'image/png')).status, 415);
    assert.equal((await device.send('[{"n":"/3303/0/5700","v":1}]')).status, 204);

    // a second long poll of the same client ends the first with 204
    const first = device.poll(5);
    await new Promise((r) => setTimeout(r, 100));
    const second = device.poll(1);
    assert.equal(await first, undefined);
    assert.equal(await second, undefined);

    // still serving
    assert.equal((await device.update()).status, 204);
    assert.equal((await device.deregister()).status, 204);
  } finally {
    await g.stop();
  }
});
