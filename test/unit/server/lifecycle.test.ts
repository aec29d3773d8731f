import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import type { LwM2mServerOptions, Registration } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { MemoryTransport, memPeer } from '../../helpers/memory-transport.js';
import { psk } from '../../helpers/security-store-contract.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

function setup(opts: Partial<LwM2mServerOptions> = {}): { server: LwM2mServer; mem: MemoryTransport; clock: FakeClock } {
  const clock = new FakeClock();
  const server = new LwM2mServer({ models: new ModelRegistry(), clock, lifetime: { min: 10, max: 100_000, default: 86_400 }, ...opts, store: opts.store ?? new MemoryStore() });
  const mem = new MemoryTransport(server);
  server.addTransport(mem);
  server.start();
  return { server, mem, clock };
}

const LINKS = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>';

void test('Update: lifetime refresh moves the expiry; the event carries new and previous state', async () => {
  const { server, mem, clock } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  const updates: [Registration, Registration][] = [];
  server.on('updated', (r, p) => updates.push([r, p]));
  clock.advance(30_000);
  const res = await mem.update(peer, id);
  assert.equal(res.code, 'changed');
  await settle();
  assert.equal(updates.length, 1);
  const [now, before] = updates[0]!;
  assert.equal(now.id, id);
  assert.equal(now.lastUpdateAt, clock.now());
  assert.equal(now.expiresAt, clock.now() + 60_000);
  assert.equal(before.expiresAt, before.registeredAt + 60_000);
  await server.stop();
});

void test('Update: new lifetime, binding, sms and object list; PUT accepted; ep ignored', async () => {
  const { server, mem } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60&lwm2m=1.1', LINKS);
  assert.equal((await mem.update(peer, id, `lt=120&b=UQ&sms=555`)).code, 'changed');
  let reg = server.getRegistration('a');
  assert.equal(reg?.lifetime, 120);
  assert.equal(reg?.binding, 'UQ');
  assert.equal(reg?.queueMode, true);
  assert.equal(reg?.smsNumber, '555');
  assert.deepEqual(reg?.contentFormats, [110], 'kept without a new root link');
  assert.equal((await mem.update(peer, id, `ep=a`, '</1/0>,</3/0>,</3303/0>', 40)).code, 'changed');
  reg = server.getRegistration('a');
  assert.deepEqual([...(reg?.objects.keys() ?? [])], [1, 3, 3303]);
  assert.deepEqual(reg?.contentFormats, [110]);
  assert.equal(reg?.id, id);
  await server.stop();
});

void test('Update: 1.0 clients state queue mode in b (b=U turns it off)', async () => {
  const { server, mem } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&b=UQ', LINKS);
  assert.equal(server.getRegistration('a')?.queueMode, true);
  await mem.update(peer, id, `b=U`);
  assert.equal(server.getRegistration('a')?.queueMode, false);
  await server.stop();
});

void test('Update: bad parameters 4.00 and the registration unchanged; unknown id 4.04', async () => {
  const { server, mem } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  for (const q of ['lt=x', 'lt=100001', 'b=Z', 'lt=5&lt=6']) {
    assert.equal((await mem.update(peer, id, q)).code, 'badRequest', q);
  }
  assert.equal((await mem.update(peer, id, '', '</>;rt="oma.lwm2m"', 40)).code, 'badRequest', 'empty object list');
  assert.equal(server.getRegistration('a')?.lifetime, 60);
  assert.equal((await mem.update(peer, 'unknown', 'lt=60')).code, 'notFound');
  await server.stop();
});

void test('Update from a new address records it (NAT rebinding)', async () => {
  const { server, mem } = setup();
  const id = await mem.register(memPeer(5001), 'ep=a', LINKS);
  const moved = memPeer(6002, '10.0.0.9');
  assert.equal((await mem.update(moved, id)).code, 'changed');
  assert.deepEqual(server.getRegistration('a')?.peer, moved);
  await server.stop();
});

void test('De-register: 2.02, event, registration gone, further Update 4.04', async () => {
  const { server, mem, clock } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  const gone: Registration[] = [];
  server.on('deregistered', (r) => gone.push(r));
  assert.equal((await mem.deregister(peer, id)).code, 'deleted');
  await settle();
  assert.equal(gone.length, 1);
  assert.equal(gone[0]?.id, id);
  assert.equal(server.getRegistration('a'), undefined);
  assert.equal((await mem.update(peer, id)).code, 'notFound');
  assert.equal((await mem.deregister(peer, id)).code, 'notFound');
  assert.equal(clock.pending, 0, 'the expiry timer is gone');
  await server.stop();
});

void test('Re-register of the same endpoint replaces the old registration', async () => {
  const { server, mem, clock } = setup();
  const first = await mem.register(memPeer(5001), 'ep=a&lt=60', LINKS);
  const second = await mem.register(memPeer(5002), 'ep=a&lt=90', LINKS);
  assert.notEqual(first, second);
  assert.equal(server.registrations().length, 1);
  assert.equal(server.getRegistration('a')?.id, second);
  assert.equal(server.getRegistrationById(first), undefined);
  assert.equal((await mem.update(memPeer(5001), first)).code, 'notFound');
  assert.equal(clock.pending, 1, 'only the new registration has an expiry timer');
  await server.stop();
});

void test('Expiry: the registration expires when its lifetime runs out without an Update', async () => {
  const { server, mem, clock } = setup();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  const expired: Registration[] = [];
  server.on('expired', (r) => expired.push(r));
  clock.advance(59_999);
  assert.equal(expired.length, 0);
  assert.ok(server.getRegistration('a'));
  clock.advance(1);
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.id, id);
  assert.equal(server.getRegistration('a'), undefined);
  assert.equal((await mem.update(peer, id)).code, 'notFound');
  await server.stop();
});

void test('Expiry: each Update restarts the lifetime; the grace period delays expiry', async () => {
  const { server, mem, clock } = setup({ expiryGraceMs: 5_000 });
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  let expired = 0;
  server.on('expired', () => expired++);
  for (let i = 0; i < 5; i++) {
    clock.advance(50_000);
    assert.equal((await mem.update(peer, id)).code, 'changed');
  }
  clock.advance(64_999);
  assert.equal(expired, 0);
  clock.advance(1);
  assert.equal(expired, 1);
  await server.stop();
});

void test('stop(): no timers left; requests answer 5.03 afterwards', async () => {
  const { server, mem, clock } = setup();
  await mem.register(memPeer(1), 'ep=a&lt=60', LINKS);
  await mem.register(memPeer(2), 'ep=b&lt=60&Q', LINKS);
  await settle();
  await server.stop();
  assert.equal(clock.pending, 0);
  assert.equal((await mem.registerResult(memPeer(3), 'ep=c', LINKS, 40)).code, 'serviceUnavailable');
});

void test('start() re-arms expiry for registrations already in the store', async () => {
  const { server, mem, clock } = setup();
  await mem.register(memPeer(1), 'ep=a&lt=60', LINKS);
  await server.stop();
  assert.equal(clock.pending, 0);
  const expired: string[] = [];
  server.on('expired', (r) => expired.push(r.endpoint));
  server.start();
  clock.advance(60_000);
  assert.deepEqual(expired, ['a']);
  await server.stop();
});

void test('Update and De-register over another security context (identity) are refused with 4.03', async () => {
  const { server, mem } = setup();
  server.store.security.put(psk('a', 'psk-a'));
  const id = await mem.register(memPeer(5001, '10.0.0.1', 'psk-a'), 'ep=a', LINKS);
  assert.equal((await mem.update(memPeer(5001), id)).code, 'forbidden', 'no identity');
  assert.equal((await mem.update(memPeer(5001, '10.0.0.1', 'psk-b'), id)).code, 'forbidden');
  assert.equal((await mem.deregister(memPeer(5001, '10.0.0.1', 'psk-b'), id)).code, 'forbidden');
  assert.equal((await mem.update(memPeer(7001, '10.0.0.7', 'psk-a'), id)).code, 'changed', 'same identity, new address');
  assert.equal((await mem.deregister(memPeer(7001, '10.0.0.7', 'psk-a'), id)).code, 'deleted');
  assert.equal(server.registrations().length, 0);
  await server.stop();
});
