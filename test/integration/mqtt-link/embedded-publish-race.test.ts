/**
 * A TCP client and the gateway's in-process link publishing at the same moment: a QoS 1
 * subscriber of the embedded broker receives every message of both. aedes numbers each
 * message when it enters the broker and, for a subscriber, once drops any message numbered
 * below one it already delivered; messages that take different paths through aedes (retained
 * or not, QoS 0 or 1) are delivered in another order than they were numbered in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { waitFor } from './mosquitto.js';

interface Side {
  qos: 0 | 1;
  retain: boolean;
}

async function race(gateway: Side, client: Side, rounds: number, perRound: number): Promise<void> {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  const url = `mqtt://127.0.0.1:${port}`;
  const link = new EmbeddedLink({ broker, window: 64 });
  await link.start();
  const sub = await mqtt.connectAsync(url, { clientId: 'race-sub', reconnectPeriod: 0 });
  const pub = await mqtt.connectAsync(url, { clientId: 'race-pub', reconnectPeriod: 0 });
  const got = new Set<string>();
  let duplicates = 0;
  sub.on('message', (_topic, payload) => {
    const m = payload.toString();
    if (got.has(m)) duplicates++;
    got.add(m);
  });
  await sub.subscribeAsync('race/#', { qos: 1 });
  // the gateway publishes while the client's messages are being handled: one message for each
  // client message it sees, as it answers a command (and one on the next turn of the loop)
  link.subscribe('race/tcp/#', (_topic, payload) => {
    const id = payload.toString().slice(4);
    link.publish(`race/gw/${id}`, `gw-${id}`, { qos: gateway.qos, retain: gateway.retain });
    setImmediate(() => link.publish(`race/gw/${id}/later`, `gw-later-${id}`, { qos: gateway.qos, retain: gateway.retain }));
  });
  let sent = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const acks: Promise<unknown>[] = [];
      for (let i = 0; i < perRound; i++) {
        acks.push(pub.publishAsync(`race/tcp/${i % 4}`, `tcp-${r}-${i}`, { qos: client.qos, retain: client.retain }));
        sent += 3;
      }
      await Promise.all(acks);
      await waitFor(() => link.stats().published >= sent / 3 * 2, 'the gateway side');
      assert.equal(await link.flush(10_000), true);
    }
    await waitFor(() => got.size === sent, `${sent} messages at the subscriber (got ${got.size})`);
    assert.equal(got.size, sent);
    assert.equal(duplicates, 0);
  } finally {
    await pub.endAsync();
    await sub.endAsync();
    await link.stop();
    await broker.stop();
  }
}

test('QoS 1 from both sides at once: the subscriber counts every message', async () => {
  await race({ qos: 1, retain: false }, { qos: 1, retain: false }, 20, 50);
});

test('the gateway publishes QoS 1 while a client publishes QoS 0: the subscriber counts every message', async () => {
  await race({ qos: 1, retain: false }, { qos: 0, retain: false }, 20, 50);
});

test('the gateway publishes retained QoS 1 while a client publishes QoS 0: nothing lost', async () => {
  await race({ qos: 1, retain: true }, { qos: 0, retain: false }, 20, 50);
});

test('the gateway publishes QoS 0 while a client publishes retained QoS 1: nothing lost', async () => {
  await race({ qos: 0, retain: false }, { qos: 1, retain: true }, 20, 50);
});

test('a client subscribed to overlapping filters still receives one copy of each message', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  const link = new EmbeddedLink({ broker });
  await link.start();
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const got: string[] = [];
  sub.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
  try {
    await sub.subscribeAsync({ 'ov/#': { qos: 1 }, 'ov/+': { qos: 1 }, 'ov/a': { qos: 0 } });
    link.publish('ov/a', '1');
    link.publish('ov/b', '2', { qos: 0 });
    link.publish('ov/a', '3', { retain: true });
    assert.equal(await link.flush(), true);
    await waitFor(() => got.length >= 3, 'three messages');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got, ['ov/a=1', 'ov/b=2', 'ov/a=3']);
  } finally {
    await sub.endAsync();
    await link.stop();
    await broker.stop();
  }
});
