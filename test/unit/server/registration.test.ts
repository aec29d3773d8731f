import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import type { LwM2mServerOptions, Registration } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { MemoryTransport, memPeer } from '../../helpers/memory-transport.js';
import { coapRequest } from '../../helpers/coap-uplink.js';
import type { MethodName } from '../../../src/transport/coap/message.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

function setup(opts: Partial<LwM2mServerOptions> = {}): { server: LwM2mServer; mem: MemoryTransport; clock: FakeClock } {
  const clock = new FakeClock();
  const server = new LwM2mServer({ models: new ModelRegistry(), clock, lifetime: { min: 10, max: 100_000, default: 86_400 }, ...opts, store: opts.store ?? new MemoryStore() });
  const mem = new MemoryTransport(server);
  server.addTransport(mem);
  server.start();
  return { server, mem, clock };
}

const LINKS = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>;ver=1.1,</3303/1>,</5>';

void test('Register: created with the registration id, every parameter recorded', async () => {
  const { server, mem, clock } = setup();
  const peer = memPeer(5001);
  const res = await mem.registerResult(peer, 'ep=dev1&lt=300&lwm2m=1.1&b=U&Q&sms=4912345&pid=7', LINKS, 40);
  assert.equal(res.code, 'created');
  const reg = server.getRegistration('dev1');
  assert.ok(reg);
  assert.equal(reg.id, res.code === 'created' ? res.registrationId : undefined);
  assert.equal(reg.endpoint, 'dev1');
  assert.equal(reg.lifetime, 300);
  assert.equal(reg.version, '1.1');
  assert.equal(reg.binding, 'U');
  assert.equal(reg.queueMode, true);
  assert.equal(reg.smsNumber, '4912345');
  assert.equal(reg.rootPath, '/');
  assert.deepEqual(reg.contentFormats, [110]);
  assert.deepEqual([...reg.objects.keys()].sort((a, b) => a - b), [1, 3, 5, 3303]);
  assert.deepEqual(reg.objects.get(3303), { version: '1.1', instances: [0, 1] });
  assert.deepEqual(reg.objects.get(5), { version: '1.0', instances: [] });
  assert.equal(reg.objectLinks.length, 5);
  assert.deepEqual(reg.extra, { pid: '7' });
  assert.deepEqual(reg.peer, peer);
  assert.equal(reg.registeredAt, clock.now());
  assert.equal(reg.expiresAt, clock.now() + 300_000);
  await server.stop();
});

void test("Register: 'registered' is emitted only after the response was returned", async () => {
  const { server, mem } = setup();
  const seen: Registration[] = [];
  server.on('registered', (r) => seen.push(r));
  const res = await mem.registerResult(memPeer(5001), 'ep=dev1', LINKS, 40);
  assert.equal(res.code, 'created');
  assert.equal(seen.length, 0, 'no event before the response has gone out');
  await settle();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.endpoint, 'dev1');
  await server.stop();
});

void test('Register: versions 1.0 (also when lwm2m is missing), 1.1, 1.2 accepted; others 4.12; garbage 4.00', async () => {
  const { server, mem } = setup();
  const cases: [string, string, string | undefined][] = [
    ['a', '', '1.0'],
    ['b', '&lwm2m=1.0', '1.0'],
    ['c', '&lwm2m=1.1', '1.1'],
    ['d', '&lwm2m=1.2', '1.2'],
    ['e', '&lwm2m=1.3', undefined],
    ['f', '&lwm2m=2.0', undefined],
  ];
  for (const [ep, q, version] of cases) {
    const res = await mem.registerResult(memPeer(6000 + ep.charCodeAt(0)), `ep=${ep}${q}`, LINKS, 40);
    if (version) {
      assert.equal(res.code, 'created', ep);
      assert.equal(server.getRegistration(ep)?.version, version);
    } else {
      assert.equal(res.code, 'preconditionFailed', ep);
      assert.equal(server.getRegistration(ep), undefined);
    }
  }
  assert.equal((await mem.registerResult(memPeer(7000), 'ep=g&lwm2m=abc', LINKS, 40)).code, 'badRequest');
  assert.equal((await mem.registerResult(memPeer(7001), 'ep=g&lwm2m', LINKS, 40)).code, 'badRequest');
  await server.stop();
});

void test('Register: bad or missing parameters are refused (badRequest)', async () => {
  const { server, mem } = setup();
  const bad = [
    'lt=60', // no ep
    'ep=', // empty ep
    'ep', // valueless ep
    'ep=a&ep=b', // repeated
    'ep=a&lt=abc',
    'ep=a&lt=-5',
    'ep=a&lt=1.5',
    'ep=a&lt=100001', // above max
    'ep=a&b=X',
    'ep=a&b=',
    'ep=a&sms',
    '=x&ep=a',
  ];
  for (const params of bad) {
    const res = await mem.registerResult(memPeer(5001), params, LINKS, 40);
    assert.equal(res.code, 'badRequest', params);
  }
  assert.equal(server.registrations().length, 0);
  await server.stop();
});

void test('Register: lifetime default, raised to the minimum, maximum accepted', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a', LINKS);
  await mem.register(memPeer(2), 'ep=b&lt=1', LINKS);
  await mem.register(memPeer(3), 'ep=c&lt=100000', LINKS);
  assert.equal(server.getRegistration('a')?.lifetime, 86_400);
  assert.equal(server.getRegistration('b')?.lifetime, 10);
  assert.equal(server.getRegistration('c')?.lifetime, 100_000);
  await server.stop();
});

void test('Register: queue mode from Q (1.1+) and from b=UQ / SQ / UQS (1.0)', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a&b=UQ', LINKS);
  await mem.register(memPeer(2), 'ep=b&lwm2m=1.1&Q', LINKS);
  await mem.register(memPeer(3), 'ep=c&lwm2m=1.1&b=U', LINKS);
  await mem.register(memPeer(4), 'ep=d&b=UQS', LINKS);
  await mem.register(memPeer(5), 'ep=e', LINKS);
  assert.equal(server.getRegistration('a')?.queueMode, true);
  assert.equal(server.getRegistration('a')?.binding, 'UQ');
  assert.equal(server.getRegistration('b')?.queueMode, true);
  assert.equal(server.getRegistration('c')?.queueMode, false);
  assert.equal(server.getRegistration('d')?.queueMode, true);
  assert.equal(server.getRegistration('e')?.queueMode, false);
  assert.equal(server.getRegistration('e')?.binding, 'U');
  await server.stop();
});

void test('Register: alternate path from the rt="oma.lwm2m" link, objects below it', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a&lwm2m=1.1', '</lwm2m>;rt="oma.lwm2m";ct="110 112",</lwm2m/1/0>,</lwm2m/3/0>,</lwm2m/3303/0>;ver="1.1"');
  const reg = server.getRegistration('a');
  assert.equal(reg?.rootPath, '/lwm2m');
  assert.deepEqual(reg?.contentFormats, [110, 112]);
  assert.deepEqual([...(reg?.objects.keys() ?? [])], [1, 3, 3303]);
  assert.equal(reg?.objects.get(3303)?.version, '1.1');
  await server.stop();
});

void test('Register: link-format variants (spaces, trailing slashes, bare ct)', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a', '</>;rt="oma.lwm2m";ct=112, </1/0/>, </3/0>,  </3303>;ver=2.0');
  const reg = server.getRegistration('a');
  assert.deepEqual(reg?.contentFormats, [112]);
  assert.deepEqual([...(reg?.objects.keys() ?? [])].sort((x, y) => x - y), [1, 3, 3303]);
  assert.deepEqual(reg?.objects.get(1)?.instances, [0]);
  assert.equal(reg?.objects.get(3303)?.version, '2.0');
  // no root link at all: root "/" and no formats
  await mem.register(memPeer(2), 'ep=b', '</1/0>,</3/0>');
  assert.equal(server.getRegistration('b')?.rootPath, '/');
  assert.deepEqual(server.getRegistration('b')?.contentFormats, []);
  await server.stop();
});

void test('Register: an empty object list or a missing payload is refused (4.00), a payload in another format 4.15', async () => {
  const { server, mem } = setup();
  assert.equal((await mem.registerResult(memPeer(1), 'ep=a', '', 40)).code, 'badRequest');
  assert.equal((await mem.registerResult(memPeer(1), 'ep=a', '</>;rt="oma.lwm2m";ct=110', 40)).code, 'badRequest');
  assert.equal((await mem.registerResult(memPeer(1), 'ep=a', '</1/0>,</3/0>', 0)).code, 'unsupportedContentFormat');
  assert.equal(server.registrations().length, 0);
  await server.stop();
});

void test('Registration ids are unique and not guessable from one another', async () => {
  const { server, mem } = setup();
  const ids = new Set<string>();
  for (let i = 0; i < 100; i++) ids.add(await mem.register(memPeer(1000 + i), `ep=dev${i}`, LINKS));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{12}$/);
  await server.stop();
});

void test('Methods and paths over CoAP: 4.05 for a wrong method, 4.04 for an unknown resource or id', async () => {
  const { server, mem } = setup();
  const id = await mem.register(memPeer(1), 'ep=a', LINKS);
  const coap = (method: MethodName, path: string): Promise<string> => coapRequest(server, memPeer(1), method, path).then((r) => r.code);
  assert.equal(await coap('GET', '/rd'), '4.05');
  assert.equal(await coap('DELETE', '/rd'), '4.05');
  assert.equal(await coap('GET', `/rd/${id}`), '4.05');
  assert.equal(await coap('FETCH', `/rd/${id}`), '4.05');
  assert.equal(await coap('GET', '/dp'), '4.05');
  assert.equal(await coap('POST', '/rd/nope'), '4.04');
  assert.equal(await coap('DELETE', '/rd/nope'), '4.04');
  assert.equal((await mem.update(memPeer(1), 'nope')).code, 'notFound');
  assert.equal((await mem.deregister(memPeer(1), 'nope')).code, 'notFound');
  assert.equal(await coap('POST', `/rd/${id}/x`), '4.04');
  assert.equal(await coap('POST', '/foo'), '4.04');
  assert.equal(await coap('POST', '/'), '4.04');
  assert.equal(await coap('POST', '/bs?ep=a'), '4.04');
  assert.equal(await coap('GET', '/bspack?ep=a'), '5.01');
  assert.ok(server.getRegistration('a'), 'still registered');
  await server.stop();
});

void test('Register: ct unquoted with spaces, rt unquoted', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a&lwm2m=1.1', '</>;rt=oma.lwm2m;ct=110 112 11542,</1/0>,</3/0>');
  assert.deepEqual(server.getRegistration('a')?.contentFormats, [110, 112, 11542]);
  await server.stop();
});

void test('Register: with an alternate path, objects listed without the prefix are still taken', async () => {
  const { server, mem } = setup();
  await mem.register(memPeer(1), 'ep=a&lwm2m=1.1', '</lwm2m>;rt="oma.lwm2m",</1/0>,</lwm2m/3/0>,</other/5/0>');
  const reg = server.getRegistration('a');
  assert.equal(reg?.rootPath, '/lwm2m');
  assert.deepEqual([...(reg?.objects.keys() ?? [])], [1, 3]);
  await server.stop();
});
