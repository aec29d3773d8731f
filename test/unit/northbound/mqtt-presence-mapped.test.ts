import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { DownlinkRequest, Peer } from '../../../src/lwm2m/transport.js';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import type { MqttLink } from '../../../src/northbound/mqtt/link.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer, text, type MemoryTransport } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const models = ModelRegistry.withBuiltins();
const json = (b: Buffer | undefined): Record<string, unknown> => JSON.parse(b?.toString() ?? 'null') as Record<string, unknown>;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function mappings(files: Record<string, string>): CompiledMappings {
  const r = compileMappings(Object.entries(files).map(([file, t]) => ({ file, text: t })), models);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.mappings;
}

function device(mem: MemoryTransport, peer: Peer, seen: DownlinkRequest[]): void {
  mem.device(peer, (req) => {
    seen.push(req);
    if (req.op === 'observe') return { code: '2.05', payload: text('1'), contentFormat: ContentFormat.TEXT, observe: 0 };
    if (req.op === 'read') return { code: '2.05', payload: text('1'), contentFormat: ContentFormat.TEXT };
    return { code: '2.04', payload: new Uint8Array() };
  });
}

void test('presence: queue mode adds awake true/false; expiry reads offline; a stop marks devices and the gateway offline', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const nb = new MqttNorthbound({ server: s.server, models, link });
  await nb.start();
  const peer = memPeer(6001);
  device(s.mem, peer, []);
  await s.mem.register(peer, 'ep=q1&lt=60&lwm2m=1.1&Q');
  await tick();
  assert.deepEqual([json(link.retained.get('lwm2m/q1/status')).status, json(link.retained.get('lwm2m/q1/status')).awake], ['online', true]);
  s.clock.advance(10_001);
  assert.equal(json(link.retained.get('lwm2m/q1/status')).awake, false);
  s.clock.advance(60_000);
  assert.deepEqual([json(link.retained.get('lwm2m/q1/status')).status, json(link.retained.get('lwm2m/q1/status')).reason], ['offline', 'expired']);
  await s.mem.register(memPeer(6002), 'ep=still&lt=600');
  await tick();
  await nb.stop();
  assert.deepEqual([json(link.retained.get('lwm2m/still/status')).status, json(link.retained.get('lwm2m/still/status')).reason], ['offline', 'gateway-stopped']);
  assert.equal(json(link.retained.get('lwm2m/$gateway/status')).status, 'offline');
  // a northbound started while registrations exist publishes them online
  const link2 = new MemoryMqttLink();
  const nb2 = new MqttNorthbound({ server: s.server, models, link: link2, presence: true, genericApi: false });
  await nb2.start();
  assert.equal(json(link2.retained.get('lwm2m/still/status')).status, 'online');
  // only the start-up sweep of stale statuses subscribes, for half a quiet second
  assert.deepEqual(link2.filters(), ['lwm2m/+/status']);
  await tick();
  s.clock.advance(500);
  assert.deepEqual(link2.filters(), []);
  await nb2.stop();
  await s.server.stop();
});

void test('presence off: no status topics; the link status messages name the prefix', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const nb = new MqttNorthbound({ server: s.server, models, link, presence: false, topicPrefix: 'acme/lw' });
  await nb.start();
  await s.mem.register(memPeer(6003), 'ep=p&lt=600');
  await tick();
  assert.deepEqual([...link.retained.keys()], []);
  assert.ok(link.published.some((m) => m.topic === 'acme/lw/p/up/resp'));
  const st = MqttNorthbound.linkStatus('acme/lw', { version: '1' });
  assert.deepEqual([st.will.topic, JSON.parse(String(st.will.payload)), st.will.retain], ['acme/lw/$gateway/status', { status: 'offline' }, true]);
  assert.deepEqual(JSON.parse(String(st.birth.payload)), { status: 'online', version: '1' });
  await nb.stop();
  await s.server.stop();
});

void test('a link that throws on publish never breaks the core: registration and commands go on', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const throwing: MqttLink = Object.assign(Object.create(link) as MemoryMqttLink, {
    publish: (): void => {
      throw new Error('broker exploded');
    },
  });
  const nb = new MqttNorthbound({ server: s.server, models, link: throwing });
  await nb.start();
  const peer = memPeer(6004);
  device(s.mem, peer, []);
  await s.mem.register(peer, 'ep=t1&lt=600');
  await tick();
  assert.equal(s.server.getRegistration('t1')?.endpoint, 't1');
  link.inject('lwm2m/t1/dn', JSON.stringify({ reqID: 1, msgType: 'read', data: { path: '/3/0/9' } }));
  await tick();
  const r = await s.server.read('t1', '/3/0/9');
  assert.equal(r.success, true);
  await nb.stop();
  await s.server.stop();
});

void test('mapped: an Update that adds an object starts its observation; overlapping command topics run a command once', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const m = mappings({
    'a.yaml': 'targets:\n  - object: 3303\n    observe: { resources: [5700] }\n    mqtt:\n      commands:\n        - { topic: "x/{endpoint}/{instanceId}/run", execute: 5605, response: "x/{endpoint}/a" }\n',
    'b.yaml': 'targets:\n  - object: 3303\n    mqtt:\n      commands:\n        - { topic: "x/{endpoint}/{instanceId}/{resourceId}", execute: true, response: "x/{endpoint}/b" }\n',
  });
  const nb = new MqttNorthbound({ server: s.server, models, link, mappings: m });
  await nb.start();
  await tick();
  s.clock.advance(500); // the start-up sweep of stale statuses is over
  const peer = memPeer(6005);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen);
  const id = await s.mem.register(peer, 'ep=u1&lt=600', '</>;rt="oma.lwm2m",</3/0>');
  await tick();
  await nb.settled();
  assert.deepEqual(seen.map((r) => r.op), []);
  await s.mem.update(peer, id, '', '</>;rt="oma.lwm2m",</3/0>,</3303/0>', 40);
  await tick();
  await nb.settled();
  assert.deepEqual(seen.map((r) => `${r.op} ${String(r.path)}`), ['observe /3303/0/5700']);
  assert.deepEqual(link.filters(), ['lwm2m/+/dn/#', 'x/+/+/+', 'x/+/+/run']);
  seen.length = 0;
  const done = link.next((p) => p.topic.startsWith('x/u1/'));
  link.inject('x/u1/0/run', '');
  await done;
  await tick();
  assert.deepEqual(seen.map((r) => `${r.op} ${String(r.path)}`), ['execute /3303/0/5605']);
  await nb.stop();
  assert.deepEqual(link.filters(), []);
  await s.server.stop();
});

void test('mapped: at most planConcurrency devices are planned at once; all get their observation', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const m = mappings({ 't.yaml': 'targets:\n  - object: 3303\n    observe: { resources: [5700] }\n' });
  const nb = new MqttNorthbound({ server: s.server, models, link, mappings: m, planConcurrency: 2 });
  await nb.start();
  let inFlight = 0;
  let most = 0;
  const observed: string[] = [];
  for (let i = 0; i < 6; i++) {
    const peer = memPeer(6100 + i);
    s.mem.device(peer, async (req) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (req.op === 'observe') observed.push(peer.key);
      return { code: '2.05', payload: text('1'), contentFormat: ContentFormat.TEXT, observe: 0 };
    });
    await s.mem.register(peer, `ep=c${i}&lt=600`, '</>;rt="oma.lwm2m",</3303/0>');
  }
  await tick();
  await nb.settled();
  assert.equal(observed.length, 6);
  assert.ok(most <= 2, `at most 2 at once, saw ${most}`);
  await nb.stop();
  await s.server.stop();
});

void test('mapped: MQTT 5 correlation data (from links that pass properties) is the correlation id and is echoed', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const m = mappings({ 'r.yaml': 'targets:\n  - object: 3303\n    mqtt:\n      commands:\n        - { topic: "r/{endpoint}/{instanceId}/get", read: 5700, response: "r/{endpoint}/res" }\n' });
  const nb = new MqttNorthbound({ server: s.server, models, link, mappings: m });
  await nb.start();
  const peer = memPeer(6200);
  device(s.mem, peer, []);
  await s.mem.register(peer, 'ep=v5&lt=600', '</>;rt="oma.lwm2m",</3303/0>');
  const res = link.next((p) => p.topic === 'r/v5/res');
  link.inject('r/v5/0/get', '', { correlationData: Buffer.from('corr-9') });
  const out = await res;
  assert.equal(json(out.payload).correlationId, 'corr-9');
  assert.equal(json(out.payload).value, 1);
  assert.deepEqual(out.properties?.correlationData, Buffer.from('corr-9'));
  await nb.stop();
  await s.server.stop();
});
