/**
 * The DeviceRouter seam of a shared store: a request for a device held by another
 * instance goes to the router (requestHere does not), and such a registration expires
 * here only after the head start the router gives its own instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import type { DeviceRouter, OperationRequest, Registration } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { MemoryTransport, memPeer } from '../../helpers/memory-transport.js';

const LINKS = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>';

/** A router for which the endpoints in `elsewhere` are held by another instance. */
function router(elsewhere: Set<string>, routed: [string, OperationRequest][]): DeviceRouter {
  return {
    route: (reg, req) => {
      if (!elsewhere.has(reg.endpoint)) return undefined;
      routed.push([reg.endpoint, req]);
      return Promise.resolve({ success: true, code: '2.05' });
    },
    expiryDelayMs: (reg) => (elsewhere.has(reg.endpoint) ? 60_000 : 0),
  };
}

function setup(r: DeviceRouter): { server: LwM2mServer; mem: MemoryTransport; clock: FakeClock } {
  const clock = new FakeClock();
  const server = new LwM2mServer({ models: new ModelRegistry(), clock, store: new MemoryStore(), router: r });
  const mem = new MemoryTransport(server);
  server.addTransport(mem);
  server.start();
  return { server, mem, clock };
}

void test('a request for a device another instance holds goes to the router; one held here, or requestHere, goes to the device', async () => {
  const elsewhere = new Set<string>();
  const routed: [string, OperationRequest][] = [];
  const { server, mem } = setup(router(elsewhere, routed));
  await mem.register(memPeer(5001), 'ep=a&lt=60', LINKS);
  await mem.register(memPeer(5002), 'ep=b&lt=60', LINKS);
  elsewhere.add('b');
  const r = await server.request('b', { op: 'read', path: '/3/0/9' });
  assert.deepEqual(r, { success: true, code: '2.05' });
  assert.deepEqual(routed.map(([e]) => e), ['b']);
  assert.equal(mem.sent.length, 0, 'nothing sent to the device from here');
  void server.request('a', { op: 'read', path: '/3/0/9' });
  void server.requestHere('b', { op: 'read', path: '/3/0/9' });
  assert.deepEqual(mem.sent.map((s) => s.peer.port), [5001, 5002]);
  assert.equal(routed.length, 1);
  await server.stop();
});

void test('a registration another instance holds expires here only after the router\'s head start', async () => {
  const elsewhere = new Set<string>(['b']);
  const { server, mem, clock } = setup(router(elsewhere, []));
  await mem.register(memPeer(5001), 'ep=a&lt=60', LINKS);
  await mem.register(memPeer(5002), 'ep=b&lt=60', LINKS);
  const expired: Registration[] = [];
  server.on('expired', (r) => expired.push(r));
  clock.advance(60_000);
  assert.deepEqual(expired.map((r) => r.endpoint), ['a']);
  clock.advance(59_999);
  assert.ok(server.getRegistration('b'), 'its own instance had the time to expire it first');
  clock.advance(1);
  assert.deepEqual(expired.map((r) => r.endpoint), ['a', 'b']);
  await server.stop();
});
