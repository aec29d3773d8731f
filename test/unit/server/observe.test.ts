import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DownlinkRequest, DownlinkResponse, Peer } from '../../../src/lwm2m/transport.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import type { NotificationEvent, Observation } from '../../../src/lwm2m/server/index.js';
import { settle } from '../../helpers/fake-clock.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import type { MemoryTransport } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';

const LINKS = '</>;rt="oma.lwm2m",</1/0>,</3/0>,</3303/0>';

/** A device that accepts observations (Observe 0) and answers the current text value. */
function observingDevice(mem: MemoryTransport, peer: Peer, value = '20'): DownlinkRequest[] {
  const seen: DownlinkRequest[] = [];
  mem.device(peer, (req): DownlinkResponse => {
    seen.push(req);
    if (req.op === 'observe') return { code: '2.05', payload: text(value), contentFormat: ContentFormat.TEXT, observe: 0 };
    return { code: '2.05', payload: text(value), contentFormat: ContentFormat.TEXT };
  });
  return seen;
}

function record(server: ReturnType<typeof setupServer>['server']): { notes: NotificationEvent[]; ended: [Observation, string][] } {
  const notes: NotificationEvent[] = [];
  const ended: [Observation, string][] = [];
  server.on('notification', (n) => notes.push(n));
  server.on('observationEnded', (o, reason) => ended.push([o, reason]));
  return { notes, ended };
}

void test('observe: a fresh 8-byte token, an observation id, notifications decoded as events', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  const { notes } = record(server);
  const r = await server.observe('a', '/3303/0/5700');
  assert.equal(r.success, true);
  assert.ok(r.observationId);
  const token = seen[0]?.token;
  assert.equal(token?.length, 8);
  const list = server.observations('a');
  assert.equal(list.length, 1);
  assert.equal(list[0]?.id, r.observationId);
  assert.equal(list[0]?.paths[0]?.toString(), '/3303/0/5700');
  assert.deepEqual(list[0]?.token, token);
  clock.advance(1000);
  assert.equal(mem.notify(peer, { token: token!, code: '2.05', payload: text('21.5'), contentFormat: ContentFormat.TEXT, observe: 1 }), true);
  assert.equal(notes.length, 1);
  const n = notes[0]!;
  assert.equal(n.observation.id, r.observationId);
  assert.equal(n.registration.endpoint, 'a');
  assert.equal(n.node?.kind === 'resource' ? n.node.value : undefined, 21.5);
  assert.equal(n.sequence, 1);
  assert.equal(n.receivedAt, clock.now());
  await server.stop();
});

void test('observe: two observations use different tokens', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  await server.observe('a', '/3303/0/5700');
  await server.observe('a', '/3/0/9');
  assert.equal(server.observations('a').length, 2);
  assert.notDeepEqual(seen[0]?.token, seen[1]?.token);
  await server.stop();
});

void test('a notification with an unknown token is refused (false)', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  assert.equal(mem.notify(peer, { token: new Uint8Array(8), code: '2.05', payload: text('1') }), false);
  await server.stop();
});

void test('a notification from a new address moves the registration there (NAT)', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  await server.observe('a', '/3303/0/5700');
  const moved = memPeer(9009, '10.1.1.1');
  assert.equal(mem.notify(moved, { token: seen[0]!.token!, code: '2.05', payload: text('3'), contentFormat: 0, observe: 2 }), true);
  assert.deepEqual(server.getRegistration('a')?.peer, moved);
  await server.stop();
});

void test('an error code in a notification ends the observation', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  const { notes, ended } = record(server);
  const r = await server.observe('a', '/3303/0/5700');
  assert.equal(mem.notify(peer, { token: seen[0]!.token!, code: '4.04', payload: new Uint8Array() }), true);
  assert.equal(notes.length, 0);
  assert.equal(ended.length, 1);
  assert.equal(ended[0]?.[0].id, r.observationId);
  assert.match(ended[0]?.[1] ?? '', /4\.04/);
  assert.equal(server.observations('a').length, 0);
  assert.equal(mem.notify(peer, { token: seen[0]!.token!, code: '2.05', payload: text('1'), contentFormat: 0 }), false);
  await server.stop();
});

void test('a 2.05 without Observe is a read: no observation is kept', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  mem.device(peer, () => ({ code: '2.05', payload: text('7'), contentFormat: 0 }));
  const r = await server.observe('a', '/3/0/9');
  assert.equal(r.success, true);
  assert.equal(r.observationId, undefined);
  assert.equal(server.observations('a').length, 0);
  await server.stop();
});

void test('a new observe of the same path replaces the old one (old token forgotten)', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  const { ended } = record(server);
  const first = await server.observe('a', '/3303/0/5700');
  const second = await server.observe('a', '3303/0/5700/');
  assert.notEqual(first.observationId, second.observationId);
  assert.equal(server.observations('a').length, 1);
  assert.equal(server.observations('a')[0]?.id, second.observationId);
  assert.deepEqual(ended.map(([o, why]) => [o.id, why]), [[first.observationId, 'replaced']]);
  assert.deepEqual(mem.forgotten.map((f) => f.token), [seen[0]?.token]);
  assert.equal(mem.notify(peer, { token: seen[0]!.token!, code: '2.05', payload: text('1'), contentFormat: 0 }), false);
  assert.equal(mem.notify(peer, { token: seen[1]!.token!, code: '2.05', payload: text('1'), contentFormat: 0 }), true);
  await server.stop();
});

void test('passive cancel: nothing sent, the token is forgotten', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  const { ended } = record(server);
  const r = await server.observe('a', '/3303/0/5700');
  const sentBefore = mem.sent.length;
  const c = await server.cancelObservation('a', r.observationId!, { passive: true });
  assert.equal(c.success, true);
  assert.equal(mem.sent.length, sentBefore);
  assert.deepEqual(mem.forgotten.map((f) => f.token), [seen[0]?.token]);
  assert.deepEqual(ended.map(([, why]) => why), ['cancelled']);
  assert.equal(server.observations('a').length, 0);
  assert.equal((await server.cancelObservation('a', r.observationId!)).error?.code, 'BAD_REQUEST');
  await server.stop();
});

void test('active cancel: a cancel-observe with the same token goes to the device', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const seen = observingDevice(mem, peer);
  const { ended } = record(server);
  await server.observe('a', '/3303/0/5700');
  const c = await server.cancelObservation('a', '/3303/0/5700');
  assert.equal(c.success, true);
  const cancel = seen.at(-1);
  assert.equal(cancel?.op, 'cancelObserve');
  assert.deepEqual(cancel?.token, seen[0]?.token);
  assert.deepEqual(ended.map(([, why]) => why), ['cancelled']);
  assert.equal(server.observations('a').length, 0);
  await server.stop();
});

void test('observations end with de-register, expiry and re-register', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  observingDevice(mem, peer);
  const { ended } = record(server);
  let id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  await server.observe('a', '/3303/0/5700');
  await mem.deregister(peer, id);
  id = await mem.register(peer, 'ep=a&lt=60', LINKS);
  await server.observe('a', '/3303/0/5700');
  clock.advance(60_000);
  assert.equal(server.getRegistration('a'), undefined);
  await mem.register(peer, 'ep=a&lt=60', LINKS);
  await server.observe('a', '/3303/0/5700');
  const events: string[] = [];
  server.once('registered', () => events.push('registered'));
  server.once('observationEnded', () => events.push('observationEnded'));
  await mem.register(peer, 'ep=a&lt=60', LINKS);
  assert.equal(ended.length, 2, "a replaced registration's observations end after the 2.01");
  await settle();
  assert.deepEqual(ended.map(([, why]) => why), ['deregistered', 'expired', 'replaced']);
  assert.deepEqual(events, ['observationEnded', 'registered']);
  assert.equal(mem.forgotten.length, 3, 'the binding forgets each token');
  assert.equal(server.observations('a').length, 0);
  void id;
  await server.stop();
});

void test('a notification arriving before the observe response is still delivered', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const { notes } = record(server);
  mem.device(peer, async (req) => {
    // the device notifies at once, before its answer is processed
    mem.notify(peer, { token: req.token!, code: '2.05', payload: text('5'), contentFormat: 0, observe: 1 });
    await settle(1);
    return { code: '2.05', payload: text('4'), contentFormat: 0, observe: 0 };
  });
  const r = await server.observe('a', '/3/0/9');
  assert.equal(r.success, true);
  assert.equal(notes.length, 1);
  await server.stop();
});

void test('a failed observe leaves no observation and keeps the previous one', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  observingDevice(mem, peer);
  const first = await server.observe('a', '/3/0/9');
  mem.device(peer, () => ({ code: '4.05', payload: new Uint8Array() }));
  const second = await server.observe('a', '/3/0/9');
  assert.equal(second.success, false);
  assert.equal(server.observations('a').length, 1);
  assert.equal(server.observations('a')[0]?.id, first.observationId);
  await server.stop();
});

void test('observe-composite: SenML request and notifications with several paths', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>');
  const senml = (temp: number, battery: number): Uint8Array =>
    text(JSON.stringify([{ bn: '/3303/0/', n: '5700', v: temp }, { bn: '/3/0/', n: '9', v: battery }]));
  const seen: DownlinkRequest[] = [];
  mem.device(peer, (req) => {
    seen.push(req);
    if (req.op === 'observe') return { code: '2.05', payload: text('90'), contentFormat: ContentFormat.TEXT, observe: 0 };
    return { code: '2.05', payload: senml(20, 90), contentFormat: ContentFormat.SENML_JSON, observe: 0 };
  });
  const { notes, ended } = record(server);
  const r = await server.observeComposite('a', ['/3303/0/5700', '/3/0/9']);
  assert.equal(r.success, true, JSON.stringify(r.error));
  assert.ok(r.observationId);
  assert.equal(seen[0]?.op, 'observeComposite');
  assert.equal(seen[0]?.token?.length, 8);
  const obs = server.observations('a')[0];
  assert.equal(obs?.composite, true);
  assert.deepEqual(obs?.paths.map(String).sort(), ['/3/0/9', '/3303/0/5700']);
  assert.equal(mem.notify(peer, { token: seen[0]!.token!, code: '2.05', payload: senml(21, 89), contentFormat: ContentFormat.SENML_JSON, observe: 1 }), true);
  const n = notes[0];
  const temp = n?.nodes?.get('/3303/0/5700');
  const battery = n?.nodes?.get('/3/0/9');
  assert.equal(temp?.kind === 'resource' ? temp.value : undefined, 21);
  assert.equal(battery?.kind === 'resource' ? battery.value : undefined, 89);
  // the same path set in another order is the same observation: replaced
  await server.observeComposite('a', ['/3/0/9', '/3303/0/5700']);
  assert.equal(server.observations('a').length, 1);
  assert.deepEqual(ended.map(([, why]) => why), ['replaced']);
  // a single observe of one of the paths is another observation
  await server.observe('a', '/3/0/9');
  assert.equal(server.observations('a').length, 2);
  const c = await server.cancelObservation('a', server.observations('a').find((o) => o.composite)!.id);
  assert.equal(c.success, true);
  assert.equal(seen.at(-1)?.op, 'cancelObserveComposite');
  await server.stop();
});
