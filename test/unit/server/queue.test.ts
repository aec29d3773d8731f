import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DownlinkResponse } from '../../../src/lwm2m/transport.js';
import type { OperationResult } from '../../../src/lwm2m/server/index.js';
import { settle } from '../../helpers/fake-clock.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';

// setupServer: queue ttl 60 s, 3 per device, awake window 10 s; request timeout 5 s
const LINKS = '</>;rt="oma.lwm2m",</1/0>,</3/0>';
const answer = (v: string): DownlinkResponse => ({ code: '2.05', payload: text(v), contentFormat: 0 });

function collect(p: Promise<OperationResult>, into: OperationResult[]): void {
  void p.then((r) => into.push(r));
}

void test('queue mode: awake after Register, asleep after the awake window, requests wait and leave on Update', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  const events: string[] = [];
  server.on('awake', (r) => events.push(`awake ${r.endpoint}`));
  server.on('sleeping', (r) => events.push(`sleeping ${r.endpoint}`));
  const id = await mem.register(peer, 'ep=q&lwm2m=1.1&Q', LINKS);
  mem.device(peer, () => answer('1'));
  await settle();
  assert.deepEqual(events, ['awake q']);
  assert.equal(server.isAwake('q'), true);
  // awake: a request leaves at once
  assert.equal((await server.read('q', '/3/0/9')).success, true);
  assert.equal(mem.sent.length, 1);
  await clock.advanceAsync(10_000);
  assert.deepEqual(events, ['awake q', 'sleeping q']);
  assert.equal(server.isAwake('q'), false);
  // asleep: queued, not sent, not refused
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/9'), results);
  await settle();
  assert.equal(mem.sent.length, 1);
  assert.equal(server.queuedRequests('q'), 1);
  assert.equal(results.length, 0);
  // the Update wakes it: the request leaves after the 2.04
  assert.equal((await mem.update(peer, id)).code, 'changed');
  assert.equal(mem.sent.length, 1, 'nothing before the Update is answered');
  await settle();
  assert.equal(mem.sent.length, 2);
  assert.equal(results.length, 1);
  assert.equal(results[0]?.success, true);
  assert.deepEqual(events, ['awake q', 'sleeping q', 'awake q']);
  await server.stop();
});

void test('queue mode: queued requests leave in order, one at a time, results to their callers', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=q&b=UQ', LINKS);
  await clock.advanceAsync(10_000); // asleep
  let inFlight = 0;
  let maxInFlight = 0;
  mem.device(peer, async (req) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await settle(1);
    inFlight--;
    return answer(String(req.path.resourceId));
  });
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/1'), results);
  collect(server.read('q', '/3/0/2'), results);
  collect(server.read('q', '/3/0/3'), results);
  await settle();
  assert.equal(mem.sent.length, 0);
  await mem.update(peer, id);
  await settle(10);
  assert.deepEqual(mem.sent.map((s) => s.request.path.toString()), ['/3/0/1', '/3/0/2', '/3/0/3']);
  assert.equal(maxInFlight, 1);
  // /3/0/1..3 are strings in the model
  assert.deepEqual(results.map((r) => (r.node?.kind === 'resource' ? r.node.value : undefined)), ['1', '2', '3']);
  await server.stop();
});

void test('queue mode: a request waiting longer than the TTL ends with QUEUE_EXPIRED (fake clock)', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=q&lt=3600&Q&lwm2m=1.1', LINKS);
  await clock.advanceAsync(10_000);
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/9'), results);
  await clock.advanceAsync(30_000);
  collect(server.read('q', '/3/0/9'), results);
  await clock.advanceAsync(29_999);
  assert.equal(results.length, 0);
  await clock.advanceAsync(1);
  assert.equal(results.length, 1);
  assert.equal(results[0]?.error?.code, 'QUEUE_EXPIRED');
  assert.equal(server.queuedRequests('q'), 1);
  mem.device(peer, () => answer('50'));
  await mem.update(peer, id);
  await settle();
  assert.equal(results.length, 2);
  assert.equal(results[1]?.success, true);
  assert.equal(mem.sent.length, 1, 'the expired request never left');
  await server.stop();
});

void test('queue mode: a full queue answers QUEUE_FULL', async () => {
  const { server, mem, clock } = setupServer();
  await mem.register(memPeer(5001), 'ep=q&Q&lwm2m=1.1', LINKS);
  await clock.advanceAsync(10_000);
  const results: OperationResult[] = [];
  for (let i = 0; i < 4; i++) collect(server.read('q', '/3/0/9'), results);
  await settle();
  assert.equal(results.length, 1);
  assert.equal(results[0]?.error?.code, 'QUEUE_FULL');
  assert.equal(server.queuedRequests('q'), 3);
  await server.stop();
});

void test('queue mode: De-register and stop() cancel waiting requests', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=q&Q&lwm2m=1.1', LINKS);
  await clock.advanceAsync(10_000);
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/9'), results);
  await settle();
  await mem.deregister(peer, id);
  await settle();
  assert.equal(results[0]?.error?.code, 'CANCELLED');
  await mem.register(peer, 'ep=q&Q&lwm2m=1.1', LINKS);
  await clock.advanceAsync(10_000);
  collect(server.read('q', '/3/0/9'), results);
  await settle();
  await server.stop();
  await settle();
  assert.equal(results[1]?.error?.code, 'CANCELLED');
  assert.equal(clock.pending, 0, 'no timer left');
});

void test('queue mode: a notification or a Send also wakes the client', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=q&Q&lwm2m=1.1', LINKS);
  mem.device(peer, (req) => ({ ...answer('1'), ...(req.op === 'observe' ? { observe: 0 } : {}) }));
  await settle();
  const obs = await server.observe('q', '/3/0/9');
  const token = server.observations('q').find((o) => o.id === obs.observationId)?.token;
  assert.ok(token);
  await clock.advanceAsync(10_000);
  assert.equal(server.isAwake('q'), false);
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/9'), results);
  await settle();
  assert.equal(results.length, 0);
  mem.notify(peer, { token, code: '2.05', payload: text('2'), contentFormat: 0, observe: 1 });
  await settle();
  assert.equal(server.isAwake('q'), true);
  assert.equal(results.length, 1);
  await server.stop();
});

void test('queue mode: a timeout sends the client to sleep; the rest waits for its next message', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=q&Q&lwm2m=1.1', LINKS);
  const sleeping: string[] = [];
  server.on('sleeping', (r) => sleeping.push(r.endpoint));
  mem.device(peer, () => new Promise<DownlinkResponse>(() => {}));
  await settle();
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/1', { timeoutMs: 1_000 }), results);
  collect(server.read('q', '/3/0/2'), results);
  await settle();
  assert.equal(mem.sent.length, 1);
  await clock.advanceAsync(1_000);
  assert.equal(results[0]?.error?.code, 'TIMEOUT');
  assert.deepEqual(sleeping, ['q']);
  assert.equal(mem.sent.length, 1, 'the second waits');
  mem.device(peer, () => answer('x'));
  await mem.update(peer, id);
  await settle();
  assert.equal(results[1]?.success, true);
  await server.stop();
});

void test('queue survives a re-registration; a non-queue client gets requests at once', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=q&Q&lwm2m=1.1', LINKS);
  await clock.advanceAsync(10_000);
  const results: OperationResult[] = [];
  collect(server.read('q', '/3/0/9'), results);
  await settle();
  mem.device(peer, () => answer('3'));
  await mem.register(peer, 'ep=q&lwm2m=1.1', LINKS);
  await settle();
  assert.equal(results.length, 1);
  assert.equal(results[0]?.success, true);
  assert.equal((await server.read('q', '/3/0/9')).success, true);
  assert.equal(server.isAwake('q'), true);
  await server.stop();
});
