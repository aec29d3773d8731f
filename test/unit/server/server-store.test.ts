import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import type { NotificationEvent, OperationResult } from '../../../src/lwm2m/server/index.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';

const LINKS = '</>;rt="oma.lwm2m",</1/0>,</3/0>,</3303/0>';

void test('store: a server started over a store finds the registrations and observations another server left there', async () => {
  const store = new MemoryStore();
  const first = setupServer({ store });
  const peer = memPeer(5001);
  await first.mem.register(peer, 'ep=a', LINKS);
  let token: Uint8Array | undefined;
  first.mem.device(peer, (req) => {
    token = req.token;
    return { code: '2.05', payload: text('20'), contentFormat: ContentFormat.TEXT, observe: 0 };
  });
  const r = await first.server.observe('a', '/3303/0/5700');
  assert.equal(r.success, true);
  await first.server.stop();
  assert.equal(first.mem.notify(peer, { token: token!, code: '2.05', payload: text('21'), contentFormat: ContentFormat.TEXT, observe: 1 }), false, 'a stopped server takes no notification');

  const second = setupServer({ store });
  const notes: NotificationEvent[] = [];
  second.server.on('notification', (n) => notes.push(n));
  assert.equal(second.server.getRegistration('a')?.peer.port, 5001);
  assert.deepEqual(second.server.observations('a').map((o) => o.id), [r.observationId]);
  assert.equal(second.mem.notify(peer, { token: token!, code: '2.05', payload: text('21.5'), contentFormat: ContentFormat.TEXT, observe: 2 }), true);
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.observation.id, r.observationId);
  assert.equal(notes[0]?.node?.kind === 'resource' ? notes[0].node.value : undefined, 21.5);
  await second.server.stop();
});

void test('store: requests for a sleeping client wait in the store, in order, and leave it when they are sent or cancelled', async () => {
  const store = new MemoryStore();
  const { server, mem, clock } = setupServer({ store });
  const peer = memPeer(5002);
  const id = await mem.register(peer, 'ep=q&lwm2m=1.1&Q', LINKS);
  mem.device(peer, () => ({ code: '2.05', payload: text('1'), contentFormat: 0 }));
  await clock.advanceAsync(10_000); // asleep
  const results: OperationResult[] = [];
  for (const p of ['/3/0/0', '/3/0/1', '/3/0/2', '/3/0/3']) void server.read('q', p).then((r) => results.push(r));
  await settle();
  assert.equal(store.queuedRequests('q'), 3, 'three per device (setupServer)');
  assert.equal(results[0]?.error?.code, 'QUEUE_FULL');
  const first = store.nextRequest('q');
  assert.equal(first?.request.op === 'read' ? String(first.request.path) : undefined, '/3/0/0');
  assert.equal(first?.expiresAt, (first?.queuedAt ?? 0) + 60_000);
  store.queueRequest(first!, 3); // back where it was (last now): the server reads the store
  assert.equal((await mem.update(peer, id)).code, 'changed');
  await settle();
  assert.deepEqual(mem.sent.map((s) => s.request.path.toString()), ['/3/0/1', '/3/0/2', '/3/0/0']);
  assert.equal(store.queuedRequests('q'), 0);
  await clock.advanceAsync(10_000); // asleep again
  void server.read('q', '/3/0/4').then((r) => results.push(r));
  await settle();
  assert.equal(store.queuedRequests('q'), 1);
  await server.stop();
  await settle();
  assert.equal(results.at(-1)?.error?.code, 'CANCELLED', 'its caller is answered');
  assert.equal(store.queuedRequests('q'), 1, 'the request itself stays for after the restart');

  // the next server over the same store sends it when the client wakes up
  const second = setupServer({ store });
  second.mem.device(peer, () => ({ code: '2.05', payload: text('1'), contentFormat: 0 }));
  assert.equal((await second.mem.update(peer, id)).code, 'changed');
  await settle();
  assert.deepEqual(second.mem.sent.map((s) => s.request.path.toString()), ['/3/0/4']);
  assert.equal(store.queuedRequests('q'), 0);
  await second.server.stop();
});

void test('store: a request kept from before a restart whose time ran out is not sent; de-registering drops kept ones', async () => {
  const store = new MemoryStore();
  const { server, mem, clock } = setupServer({ store });
  const peer = memPeer(5003);
  const id = await mem.register(peer, 'ep=k&lwm2m=1.1&Q', LINKS);
  mem.device(peer, () => ({ code: '2.05', payload: text('1'), contentFormat: 0 }));
  const now = clock.now();
  store.queueRequest({ endpoint: 'k', request: { op: 'read', path: '/3/0/7' }, queuedAt: now - 10, expiresAt: now - 1 }, 10);
  store.queueRequest({ endpoint: 'k', request: { op: 'read', path: '/3/0/8' }, queuedAt: now - 10, expiresAt: now + 60_000 }, 10);
  assert.equal((await mem.update(peer, id)).code, 'changed');
  await settle();
  assert.deepEqual(mem.sent.map((s) => s.request.path.toString()), ['/3/0/8']);
  store.queueRequest({ endpoint: 'k', request: { op: 'read', path: '/3/0/9' }, queuedAt: now, expiresAt: now + 60_000 }, 10);
  await mem.deregister(peer, id);
  assert.equal(store.queuedRequests('k'), 0);
  await server.stop();
});

void test('store: registrations whose lifetime ran out while no server ran expire at start, with their observations; the others stay', async () => {
  const store = new MemoryStore();
  const first = setupServer({ store });
  const old = memPeer(5004);
  await first.mem.register(old, 'ep=old&lt=20', LINKS);
  first.mem.device(old, () => ({ code: '2.05', payload: text('20'), contentFormat: ContentFormat.TEXT, observe: 0 }));
  assert.equal((await first.server.observe('old', '/3303/0/5700')).success, true);
  await first.mem.register(memPeer(5005), 'ep=live&lt=100', LINKS);
  await first.server.stop();
  // the next server starts 30 s later: `old` (20 s) ran out meanwhile, `live` (100 s) did not
  const clock = new FakeClock(first.clock.now() + 30_000);
  const ended: string[] = [];
  const second = setupServer({ store, clock });
  second.server.on('expired', (r) => ended.push(`expired ${r.endpoint}`));
  second.server.on('observationEnded', (o, reason) => ended.push(`${reason} ${o.endpoint} ${o.paths.join(',')}`));
  await clock.advanceAsync(0);
  assert.deepEqual(ended.sort(), ['expired old', 'expired old /3303/0/5700']);
  assert.equal(store.getByEndpoint('old'), undefined);
  assert.equal(store.getByEndpoint('live')?.endpoint, 'live');
  await second.server.stop();
});
