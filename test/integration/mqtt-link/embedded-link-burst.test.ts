/**
 * The embedded link keeps many publishes in flight: a burst published in one turn, mixing
 * QoS 0 and 1, retained and not, over several topics, reaches a live subscriber and an
 * offline persistent session complete and in the order it was published.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { waitFor } from './mosquitto.js';

test('a burst of mixed publishes arrives complete and in order', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  const url = `mqtt://127.0.0.1:${port}`;
  const link = new EmbeddedLink({ broker, window: 64 });
  await link.start();
  const live = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const got: string[] = [];
  live.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
  await live.subscribeAsync('burst/#', { qos: 1 });
  const away = await mqtt.connectAsync(url, { clientId: 'burst-away', clean: false, reconnectPeriod: 0 });
  await away.subscribeAsync('burst/#', { qos: 1 });
  await away.endAsync();
  try {
    const sent: string[] = [];
    const queued: string[] = [];
    for (let i = 0; i < 600; i++) {
      const topic = `burst/d${i % 7}/v`;
      // mostly QoS 1, with runs of QoS 0 and retained messages in between
      const qos = i % 50 >= 40 ? 0 : 1;
      const retain = i % 97 === 5;
      link.publish(topic, String(i), { qos, retain });
      sent.push(`${topic}=${i}`);
      if (qos === 1) queued.push(`${topic}=${i}`);
    }
    assert.ok(link.stats().buffered > 0);
    assert.equal(await link.flush(10_000), true);
    await waitFor(() => got.length === sent.length, 'every message at the live subscriber');
    assert.deepEqual(got, sent);
    assert.equal(link.stats().published, sent.length);
    const back = mqtt.connect(url, { clientId: 'burst-away', clean: false, reconnectPeriod: 0 });
    const backGot: string[] = [];
    back.on('message', (topic, payload) => backGot.push(`${topic}=${payload.toString()}`));
    await waitFor(() => backGot.length === queued.length, 'the QoS 1 messages for the persistent session');
    assert.deepEqual(backGot, queued);
    await back.endAsync();
  } finally {
    await live.endAsync();
    await link.stop();
    await broker.stop();
  }
});

test('hasSubscribers: false only when no live subscription or persistent session can take the topic', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const link = new EmbeddedLink({ broker });
  assert.equal(link.hasSubscribers('a/b'), true, 'unsure before start: messages wait in the buffer');
  const { port } = await broker.start();
  const url = `mqtt://127.0.0.1:${port}`;
  await link.start();
  try {
    assert.equal(link.hasSubscribers('a/b'), false);
    const live = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await live.subscribeAsync('a/+', { qos: 1 });
    assert.equal(link.hasSubscribers('a/b'), true);
    assert.equal(link.hasSubscribers('a/b/c'), false);
    await live.endAsync();
    await waitFor(() => !link.hasSubscribers('a/b'), 'the subscription gone with its client');
    const away = await mqtt.connectAsync(url, { clientId: 'has-away', clean: false, reconnectPeriod: 0 });
    await away.subscribeAsync('p/#', { qos: 1 });
    await away.endAsync();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(link.hasSubscribers('p/x/y'), true, 'an offline persistent session keeps QoS 1 messages');
    const off = link.subscribe('l/#', () => undefined);
    assert.equal(link.hasSubscribers('l/x'), true);
    off();
  } finally {
    await link.stop();
    await broker.stop();
  }
});
