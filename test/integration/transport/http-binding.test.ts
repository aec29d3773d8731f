/**
 * The LwM2M HTTP binding over real HTTP, with a client written from the gateway's profile
 * (test/helpers/lwm2m-http-test-client.ts): Register, every downlink fetched by long poll
 * and answered, Send, Update and De-register; queue mode; the bounds of held requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, nextEvent } from '../interop/gateway-fixture.js';
import type { Started } from '../interop/gateway-fixture.js';
import { Lwm2mHttpTestClient } from '../../helpers/lwm2m-http-test-client.js';
import type { SendEvent, TraceEvent } from '../../../src/lwm2m/server/types.js';
import { instance, resource } from '../../../src/lwm2m/node.js';

async function plainGateway(patch: (c: Started['gateway']['config']) => void = () => {}): Promise<Started & { http: number }> {
  const started = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true, allowAnonymous: true };
    patch(c);
  });
  const http = started.gateway.ports['http'];
  assert.ok(typeof http === 'number' && http > 0);
  return { ...started, http };
}

void test('over plain HTTP: register, read, discover, write, write-attributes, execute, create, delete, composite read and write, send, update, de-register', async () => {
  const g = await plainGateway();
  const device = new Lwm2mHttpTestClient({ port: g.http });
  try {
    const registered = nextEvent(g.gateway, 'registered', 'http-1');
    const reg = await device.register('http-1', { links: '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>' });
    assert.equal(reg.status, 201);
    assert.match(device.location ?? '', /^\/rd\/[^/]+$/);
    const r = await registered;
    assert.equal(r.peer.transport, 'http');
    assert.equal(r.peer.address, '127.0.0.1');

    // Read: GET /3/0/0 fetched by the poll, answered in text
    const read = g.gateway.server.read('http-1', '/3/0/0', { format: 0 });
    const got = await device.serveOne(() => ({ status: '200', contentType: 'text/plain;charset=utf-8', body: 'Acme' }));
    assert.deepEqual([got.operation, got.method, got.path, got.accept], ['read', 'GET', '/3/0/0', 'text/plain; charset=utf-8']);
    const readResult = await read;
    assert.equal(readResult.code, '2.05');
    assert.ok(JSON.stringify(readResult.node).includes('Acme'));

    // Discover: Accept link-format, depth as a query item
    const discover = g.gateway.server.discover('http-1', '/3/0', { depth: 1 });
    const d = await device.serveOne(() => ({ status: '2.05', contentType: 'application/link-format', body: '</3/0>,</3/0/0>,</3/0/4>' }));
    assert.deepEqual([d.operation, d.method, d.accept, d.query], ['discover', 'GET', 'application/link-format', ['depth=1']]);
    assert.equal((await discover).links?.length, 3);

    // Write: PUT with a body in a content format's media type
    const write = g.gateway.server.write('http-1', '/3303/0/5701', { kind: 'resource', id: 5701, type: 'string', value: 'Cel' });
    const w = await device.serveOne(() => ({ status: '204' }));
    assert.deepEqual([w.operation, w.method, w.path], ['write', 'PUT', '/3303/0/5701']);
    assert.ok(w.contentType && w.body.length > 0, 'a body with its media type');
    assert.equal((await write).code, '2.04');

    // Write-Attributes: PUT with the attributes as query items
    const wa = g.gateway.server.writeAttributes('http-1', '/3303/0/5700', { pmin: 10, pmax: 60 });
    const a = await device.serveOne(() => ({ status: '2.04' }));
    assert.equal(a.operation, 'write-attributes');
    assert.deepEqual(a.query.sort(), ['pmax=60', 'pmin=10']);
    assert.ok(a.rawQuery.split('&').includes('pmin=10'), a.rawQuery);
    assert.equal((await wa).code, '2.04');

    // Execute with arguments
    const exec = g.gateway.server.execute('http-1', '/3/0/4', { args: "0='now'" });
    const e = await device.serveOne(() => ({ status: '204' }));
    assert.deepEqual([e.operation, e.method, e.path, e.body.toString()], ['execute', 'POST', '/3/0/4', "0='now'"]);
    assert.equal((await exec).code, '2.04');

    // Create answered with the new instance's Location, Delete with 200 (= 2.02)
    const create = g.gateway.server.create('http-1', '/3303', instance(1, [resource(5700, 'float', 1.5)]));
    const c = await device.serveOne(() => ({ status: '201', location: '/3303/1' }));
    assert.deepEqual([c.operation, c.method, c.path], ['create', 'POST', '/3303']);
    const created = await create;
    assert.equal(created.code, '2.01', JSON.stringify(created.error));
    const del = g.gateway.server.delete('http-1', '/3303/1');
    const dl = await device.serveOne(() => ({ status: '200' }));
    assert.deepEqual([dl.operation, dl.method, dl.path], ['delete', 'DELETE', '/3303/1']);
    assert.equal((await del).code, '2.02');

    // Composite read and write: FETCH and IPATCH on the root
    const rc = g.gateway.server.readComposite('http-1', ['/3/0/0', '/3303/0/5700'], { format: 110 });
    const fr = await device.serveOne(() => ({ status: '205', contentType: 'application/senml+json', body: '[{"n":"/3/0/0","vs":"Acme"},{"n":"/3303/0/5700","v":21.5}]' }));
    assert.deepEqual([fr.operation, fr.method, fr.path], ['read-composite', 'FETCH', '/']);
    const rcr = await rc;
    assert.equal(rcr.code, '2.05');
    assert.equal(rcr.nodes?.size, 2);
    const wc = g.gateway.server.writeComposite('http-1', new Map([['/3303/0/5701', { kind: 'resource', id: 5701, type: 'string', value: 'K' }]]), { format: 110 });
    const ip = await device.serveOne(() => ({ status: '2.04' }));
    assert.deepEqual([ip.operation, ip.method, ip.contentType], ['write-composite', 'IPATCH', 'application/senml+json']);
    assert.equal((await wc).code, '2.04');

    // Observe is not in the HTTP binding: it fails at once, nothing is held
    const obs = await g.gateway.server.observe('http-1', '/3303/0/5700');
    assert.equal(obs.success, false);

    // Send: POST /dp in SenML JSON, reported as a send event
    const sent = new Promise<SendEvent>((resolve) => g.gateway.server.once('send', resolve));
    const s = await device.send('[{"bn":"/3303/0/","n":"5700","v":22.25}]');
    assert.equal(s.status, 204);
    const ev = await sent;
    assert.equal(ev.registration.endpoint, 'http-1');
    const value = ev.data[0]?.nodes.get('/3303/0/5700');
    assert.equal(value?.kind === 'resource' ? value.value : undefined, 22.25);

    // Update: 204, the new lifetime in force
    const updated = nextEvent(g.gateway, 'updated', 'http-1');
    assert.equal((await device.update(['lt=600'])).status, 204);
    assert.equal((await updated).lifetime, 600);

    // De-register: 204, gone; an Update afterwards is 404
    assert.equal((await device.deregister()).status, 204);
    assert.equal(g.gateway.server.getRegistration('http-1'), undefined);
    assert.equal((await device.update()).status, 404);
  } finally {
    await g.stop();
  }
});

void test('queue mode: requests wait in the core while the client sleeps and are fetched after its Update', async () => {
  const g = await plainGateway((c) => {
    c.lwm2m.queue.awakeTime = 0.2;
  });
  const device = new Lwm2mHttpTestClient({ port: g.http });
  try {
    assert.equal((await device.register('http-q', { queue: true })).status, 201);
    // the client sleeps once its awake window (lwm2m.queue.awakeTime) is over
    const reg = g.gateway.server.getRegistration('http-q');
    assert.equal(reg?.queueMode, true);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(g.gateway.server.isAwake('http-q'), false);
    const read = g.gateway.server.read('http-q', '/3/0/0', { format: 0, timeoutMs: 5000 });
    const second = g.gateway.server.read('http-q', '/3/0/1', { format: 0, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(g.gateway.server.queuedRequests('http-q'), 2, 'held by the core while the client sleeps');
    // wakes with an Update, then polls until a 204: what waited comes one after the other
    assert.equal((await device.update()).status, 204);
    const paths: string[] = [];
    for (let r = await device.poll(2); r; r = await device.poll(2)) {
      paths.push(r.path);
      assert.equal((await device.answer(r.token, { status: '200', contentType: 'text/plain', body: `Queued ${r.path}` })).status, 204);
    }
    assert.deepEqual(paths, ['/3/0/0', '/3/0/1']);
    assert.ok(JSON.stringify((await read).node).includes('Queued /3/0/0'));
    assert.ok(JSON.stringify((await second).node).includes('Queued /3/0/1'));
  } finally {
    await g.stop();
  }
});

void test('bounds: a request not fetched times out, one beyond http.maxHeldPerClient fails at once, an answer to an unknown token is 404', async () => {
  const g = await plainGateway((c) => {
    c.http.maxHeldPerClient = 2;
  });
  const device = new Lwm2mHttpTestClient({ port: g.http });
  try {
    assert.equal((await device.register('http-b')).status, 201);
    const one = g.gateway.server.read('http-b', '/3/0/0', { timeoutMs: 300 });
    const two = g.gateway.server.read('http-b', '/3/0/1', { timeoutMs: 300 });
    const three = await g.gateway.server.read('http-b', '/3/0/2', { timeoutMs: 300 });
    assert.equal(three.success, false);
    assert.equal(three.error?.code, 'TRANSPORT');
    const [r1, r2] = await Promise.all([one, two]);
    assert.equal(r1.error?.code, 'TIMEOUT');
    assert.equal(r2.error?.code, 'TIMEOUT');
    assert.equal((await device.answer('0123456789abcdef', { status: '205' })).status, 404);
    assert.equal((await device.answer('not-a-token', { status: '205' })).status, 404);
    // the answer of a request fetched but malformed is refused, the request still waits for a good one
    const read = g.gateway.server.read('http-b', '/3/0/0', { format: 0, timeoutMs: 5000 });
    const req = await device.poll(5);
    assert.ok(req);
    assert.equal((await device.answer(req.token, { status: 'teapot' })).status, 400);
    assert.equal((await device.answer(req.token, { status: '205', contentType: 'application/x-unknown', body: 'x' })).status, 415);
    assert.equal((await device.answer(req.token, { status: '205', contentType: 'text/plain', body: 'ok' })).status, 204);
    assert.equal((await read).code, '2.05');
    assert.equal((await device.answer(req.token, { status: '205' })).status, 404, 'answered once only');

    // a de-registration drops what was held for the registration: nothing stale to fetch afterwards
    const stale = g.gateway.server.read('http-b', '/3/0/9', { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await device.deregister()).status, 204);
    assert.equal((await stale).success, false);
    assert.equal(await device.poll(0), undefined);
  } finally {
    await g.stop();
  }
});

void test('a long poll ends with 204 when nothing comes, and stopping the gateway ends an open one', async () => {
  const g = await plainGateway((c) => {
    c.http.maxPollSeconds = 1;
  });
  const device = new Lwm2mHttpTestClient({ port: g.http });
  assert.equal((await device.register('http-p')).status, 201);
  // asks for 30 s, capped at http.maxPollSeconds
  assert.equal(await device.poll(30), undefined);
  const open = device.poll(1).catch(() => 'closed');
  await new Promise((r) => setTimeout(r, 50));
  await g.stop();
  assert.ok((await open) === undefined || (await open) === 'closed');
});

void test('too many Registers from one address: 429 with Retry-After', async () => {
  const g = await plainGateway((c) => {
    c.lwm2m.limits.registerRatePerAddress = 1;
  });
  try {
    const device = new Lwm2mHttpTestClient({ port: g.http });
    assert.equal((await device.register('rate-1')).status, 201);
    const again = await device.register('rate-2');
    assert.equal(again.status, 429);
    assert.match(String(again.headers['retry-after']), /^[0-9]+$/);
  } finally {
    await g.stop();
  }
});

void test('a traced device over HTTP: its requests and answers both ways, bounded, until the trace stops', async () => {
  const g = await plainGateway();
  const device = new Lwm2mHttpTestClient({ port: g.http });
  try {
    assert.equal((await device.register('http-tr')).status, 201);
    const traced: TraceEvent[] = [];
    g.gateway.server.on('trace', (e) => traced.push(e));
    assert.ok(g.gateway.server.traceDevice('http-tr', 60).ok);
    const read = g.gateway.server.read('http-tr', '/3/0/0', { format: 0 });
    await device.serveOne(() => ({ status: '205', contentType: 'text/plain', body: 'Traced' }));
    await read;
    await until(() => traced.some((e) => e.record.direction === 'in' && e.record.code === 'POST'), 'the traced answer');
    const out = traced.find((e) => e.record.direction === 'out' && e.record.code === '200');
    assert.ok(out?.record.options?.includes('lwm2m-path=/3/0/0'), JSON.stringify(traced.map((e) => e.record)));
    const back = traced.find((e) => e.record.direction === 'in' && e.record.code === 'POST');
    assert.ok(back?.record.options?.includes('lwm2m-status=205'));
    assert.equal(back?.record.payloadHex, Buffer.from('Traced').toString('hex'));
    assert.ok(g.gateway.server.stopTrace('http-tr'));
    const count = traced.length;
    assert.equal((await device.update()).status, 204);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(traced.length, count, 'nothing after the trace stopped');
  } finally {
    await g.stop();
  }
});

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
