/**
 * The in-process link to the embedded broker: what it publishes reaches TCP clients (retained,
 * QoS 1 for offline persistent sessions), what clients publish reaches its subscriptions,
 * messages wait in the buffer while the broker is not running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { createLogger } from '../../../src/log.js';
import { sleep, waitFor } from './mosquitto.js';

function collect(client: MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return got;
}

async function withBroker(fn: (broker: EmbeddedBroker, url: string) => Promise<void>): Promise<void> {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  try {
    await fn(broker, `mqtt://127.0.0.1:${port}`);
  } finally {
    await broker.stop();
  }
}

test('what the link publishes reaches clients: live, retained, and queued for an offline persistent session', () =>
  withBroker(async (broker, url) => {
    const link = new EmbeddedLink({ broker });
    await link.start();
    assert.equal(link.connected, true);
    const live = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const got = collect(live);
    await live.subscribeAsync('sites/#', { qos: 1 });
    const away = await mqtt.connectAsync(url, { clientId: 'away', clean: false, reconnectPeriod: 0 });
    await away.subscribeAsync('sites/#', { qos: 1 });
    await away.endAsync();
    try {
      link.publish('sites/a/temp', '21.5');
      link.publish('sites/a/unit', 'Cel', { retain: true });
      link.publish('sites/a/raw', Buffer.from([0, 1, 2]), { qos: 0 });
      assert.equal(await link.flush(5000), true);
      await waitFor(() => got.length === 3, 'three messages');
      assert.deepEqual(got.map((m) => [m.topic, m.payload]), [
        ['sites/a/temp', '21.5'],
        ['sites/a/unit', 'Cel'],
        ['sites/a/raw', Buffer.from([0, 1, 2]).toString()],
      ]);
      const late = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      const lateGot = collect(late);
      await late.subscribeAsync('sites/a/unit', { qos: 1 });
      await waitFor(() => lateGot.length === 1, 'the retained message');
      assert.deepEqual(lateGot[0], { topic: 'sites/a/unit', payload: 'Cel', retain: true });
      await late.endAsync();
      // the persistent session gets the QoS 1 messages it missed (not the QoS 0 one)
      const back = mqtt.connect(url, { clientId: 'away', clean: false, reconnectPeriod: 0 });
      const backGot = collect(back);
      await waitFor(() => backGot.length >= 2, 'queued messages for the persistent session');
      await sleep(100);
      assert.deepEqual(backGot.map((m) => m.payload), ['21.5', 'Cel']);
      await back.endAsync();
      const s = link.stats();
      assert.deepEqual([s.published, s.buffered, s.dropped, s.connected], [3, 0, 0, true]);
    } finally {
      await live.endAsync();
      await link.stop();
    }
  }));

test('client messages reach the matching subscriptions; unsubscribing stops them', () =>
  withBroker(async (broker, url) => {
    const link = new EmbeddedLink({ broker });
    const a: string[] = [];
    const b: string[] = [];
    const all: string[] = [];
    // subscribed before start: attached when the link starts
    const offA = link.subscribe('lwm2m/+/dn/#', (topic, payload) => a.push(`${topic}=${payload.toString()}`));
    await link.start();
    link.subscribe('lwm2m/+/dn/#', (topic) => b.push(topic));
    link.subscribe('#', (topic) => all.push(topic));
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    try {
      await client.publishAsync('lwm2m/ep1/dn/read', '{"reqID":1}', { qos: 1 });
      await client.publishAsync('other/topic', 'x', { qos: 0 });
      await waitFor(() => a.length === 1 && b.length === 1 && all.length === 2, 'deliveries');
      assert.deepEqual(a, ['lwm2m/ep1/dn/read={"reqID":1}']);
      assert.deepEqual(all, ['lwm2m/ep1/dn/read', 'other/topic'], '"#" gets no $SYS topics');
      offA();
      offA();
      await client.publishAsync('lwm2m/ep1/dn/write', '{}', { qos: 1 });
      await waitFor(() => b.length === 2, 'the second handler still subscribed');
      assert.equal(a.length, 1);
      // an invalid filter is refused without throwing
      assert.doesNotThrow(() => link.subscribe('a/#/b', () => undefined)());
    } finally {
      await client.endAsync();
      await link.stop();
    }
  }));

test('before start and after stop messages wait in the bounded buffer; birth and will are retained', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const lines: string[] = [];
  const link = new EmbeddedLink({
    broker,
    bufferSize: 3,
    birth: { topic: 'gw/state', payload: 'online' },
    will: { topic: 'gw/state', payload: 'offline' },
    logger: createLogger('warn', (l) => lines.push(l)),
  });
  await assert.rejects(link.start(), /start the embedded broker before its link/);
  for (let i = 0; i < 5; i++) link.publish('early/x', String(i));
  assert.deepEqual([link.stats().buffered, link.stats().dropped, link.connected], [3, 2, false]);
  assert.equal(await link.flush(10), false);
  assert.equal(lines.filter((l) => /outbound buffer full/.test(l)).length, 1);
  const { port } = await broker.start();
  const url = `mqtt://127.0.0.1:${port}`;
  const watcher = await mqtt.connectAsync(url, { clientId: 'watcher', clean: false, reconnectPeriod: 0 });
  const got = collect(watcher);
  await watcher.subscribeAsync('#', { qos: 1 });
  try {
    await link.start();
    assert.equal(await link.flush(5000), true);
    await waitFor(() => got.length === 4, 'birth and the three newest messages');
    assert.deepEqual(got.map((m) => `${m.topic}=${m.payload}`), ['gw/state=online', 'early/x=2', 'early/x=3', 'early/x=4']);
    assert.equal(link.publish('bad/+/topic', 'x'), undefined);
    assert.equal(link.stats().rejected, 1);
    await link.stop();
    await waitFor(() => got.length === 5, 'offline on stop');
    assert.equal(got[4]?.payload, 'offline');
    const late = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const lateGot = collect(late);
    await late.subscribeAsync('gw/state', { qos: 1 });
    await waitFor(() => lateGot.length === 1, 'retained state');
    assert.deepEqual(lateGot[0], { topic: 'gw/state', payload: 'offline', retain: true });
    await late.endAsync();
    link.publish('after/stop', 'waits');
    assert.equal(link.stats().buffered, 1);
  } finally {
    await watcher.endAsync();
    await link.stop();
    await broker.stop();
  }
});
