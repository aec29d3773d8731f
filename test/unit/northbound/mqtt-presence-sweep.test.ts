/**
 * Presence when something did not stop cleanly, on a fake clock and the in-memory link:
 * the start-up sweep marks the retained `online` statuses of devices the gateway does not
 * hold offline (gateway-restart), and a reconnection publishes every held status again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { Presence } from '../../../src/northbound/mqtt/presence.js';
import { paced } from '../../../src/northbound/mqtt/presence-sweep.js';
import { Topics } from '../../../src/northbound/mqtt/topics.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { silentLogger } from '../../../src/log.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const models = ModelRegistry.withBuiltins();
const json = (b: Buffer | undefined): Record<string, unknown> => JSON.parse(b?.toString() ?? 'null') as Record<string, unknown>;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const online = (ep: string): string => JSON.stringify({ status: 'online', endpoint: ep, at: '2026-01-01T00:00:00.000Z' });

/** The in-memory link, with connection changes a test can make. */
class FlappingLink extends MemoryMqttLink {
  private readonly listeners = new Set<(c: boolean) => void>();
  onConnectionChange(l: (c: boolean) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(connected: boolean): void {
    this.connected = connected;
    for (const l of this.listeners) l(connected);
  }
}

void test('start-up sweep: stale online statuses of devices not held read offline (gateway-restart); held, offline, $gateway and foreign topics are left', async () => {
  const s = setupServer();
  await s.mem.register(memPeer(7001), 'ep=here&lt=600');
  const link = new MemoryMqttLink();
  const nb = new MqttNorthbound({ server: s.server, models, link, genericApi: false });
  await nb.start();
  assert.deepEqual(link.filters(), ['lwm2m/+/status']);
  // what a broker sends after the SUBACK: the retained statuses of a previous run
  link.inject('lwm2m/ghost/status', online('ghost'));
  link.inject('lwm2m/a%2Fb/status', online('a/b'));
  link.inject('lwm2m/here/status', online('here'));
  link.inject('lwm2m/gone/status', JSON.stringify({ status: 'offline', endpoint: 'gone', reason: 'expired' }));
  link.inject('lwm2m/$gateway/status', JSON.stringify({ status: 'online' }));
  link.inject('lwm2m/%67host2/status', online('ghost2')); // not a spelling the gateway writes
  link.inject('lwm2m/other/status', '{ "status": "online" }'); // not a payload the gateway writes
  link.inject('lwm2m/late/status', online('late'));
  await tick();
  await s.mem.register(memPeer(7002), 'ep=late&lt=600'); // registers while the sweep collects
  await tick();
  const before = link.published.length;
  s.clock.advance(499);
  assert.equal(link.published.length, before, 'nothing before a quiet half second');
  s.clock.advance(1);
  assert.deepEqual(link.filters(), []);
  await tick();
  const marked = link.published.slice(before).map((m) => [m.topic, json(m.payload).status, json(m.payload).reason, json(m.payload).endpoint]);
  assert.deepEqual(marked, [
    ['lwm2m/ghost/status', 'offline', 'gateway-restart', 'ghost'],
    ['lwm2m/a%2Fb/status', 'offline', 'gateway-restart', 'a/b'],
  ]);
  assert.equal(json(link.retained.get('lwm2m/here/status')).status, 'online');
  assert.equal(json(link.retained.get('lwm2m/late/status')).status, 'online');
  assert.equal(json(link.retained.get('lwm2m/$gateway/status')).status, 'online');
  await nb.stop();
  await s.server.stop();
});

void test('start-up sweep: the collection lasts while statuses keep coming (quiet period), at most windowMs, at most maxEntries devices', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const topics = new Topics('lwm2m');
  const presence = new Presence({ server: s.server, link, topics, logger: silentLogger, sweep: { quietMs: 100, windowMs: 1000, maxEntries: 3 } });
  presence.start();
  await tick();
  for (let i = 0; i < 15; i++) {
    link.inject(`lwm2m/old-${i}/status`, online(`old-${i}`));
    s.clock.advance(90);
    if (i < 11) assert.deepEqual(link.filters(), ['lwm2m/+/status'], `still collecting at ${(i + 1) * 90} ms`);
  }
  assert.deepEqual(link.filters(), [], 'ended at windowMs');
  const { sweep } = await presence.idle();
  // 12 statuses came within the window (0, 90 ... 990 ms); 3 were remembered
  assert.deepEqual(sweep, { seen: 3, marked: 3, skipped: 9 });
  assert.deepEqual(
    link.published.filter((m) => json(m.payload).reason === 'gateway-restart').map((m) => m.topic),
    ['lwm2m/old-0/status', 'lwm2m/old-1/status', 'lwm2m/old-2/status'],
  );
  presence.stop();
  await s.server.stop();
});

void test('start-up sweep: stopped before it ends, it marks nothing', async () => {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const presence = new Presence({ server: s.server, link, topics: new Topics('lwm2m'), logger: silentLogger });
  presence.start();
  await tick();
  link.inject('lwm2m/ghost/status', online('ghost'));
  presence.stop();
  s.clock.advance(20_000);
  assert.deepEqual(await presence.idle(), { sweep: { seen: 1, marked: 0, skipped: 0 } });
  assert.deepEqual(link.published.filter((m) => m.topic === 'lwm2m/ghost/status'), []);
  assert.deepEqual(link.filters(), []);
  await s.server.stop();
});

void test('a reconnection publishes the retained status of every device held again (not the first connection)', async () => {
  const s = setupServer();
  const link = new FlappingLink();
  const nb = new MqttNorthbound({ server: s.server, models, link, genericApi: false });
  await nb.start();
  await s.mem.register(memPeer(7101), 'ep=r1&lt=600');
  await s.mem.register(memPeer(7102), 'ep=r2&lt=600&b=UQ');
  await tick();
  const statuses = (): string[] => link.published.filter((m) => m.topic.endsWith('/status') && !m.topic.includes('$gateway')).map((m) => m.topic);
  const first = statuses().length;
  link.set(true); // a connection that was never lost: nothing to redo
  assert.equal(statuses().length, first);
  link.set(false);
  link.retained.clear(); // a broker restarted without persistence
  link.set(true);
  assert.deepEqual(statuses().slice(first).sort(), ['lwm2m/r1/status', 'lwm2m/r2/status']);
  assert.equal(json(link.retained.get('lwm2m/r1/status')).status, 'online');
  assert.equal(json(link.retained.get('lwm2m/r2/status')).awake, true);
  assert.ok(link.published.slice(-2).every((m) => m.retain && m.qos === 1));
  await nb.stop();
  link.set(false);
  link.set(true);
  assert.equal(json(link.retained.get('lwm2m/r1/status')).status, 'offline', 'a stopped northbound republishes nothing');
  await s.server.stop();
});

void test('paced: batches wait for the link between them, and stop when cancelled', async () => {
  const link = new MemoryMqttLink();
  let flushes = 0;
  link.flush = () => {
    flushes++;
    return Promise.resolve(true);
  };
  const seen: number[] = [];
  const items = Array.from({ length: 1201 }, (_, i) => i);
  assert.equal(await paced(items, (i) => seen.push(i), { link, cancelled: () => false }), 1201);
  assert.deepEqual([seen.length, seen[1200], flushes], [1201, 1200, 2]);
  let n = 0;
  assert.equal(await paced(items, () => n++, { link, batch: 100, cancelled: () => n >= 300 }), 300);
});
