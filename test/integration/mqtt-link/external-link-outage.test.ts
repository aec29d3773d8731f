/**
 * Broker outages: a private Mosquitto (with persistence, so a subscriber's session and its
 * queued messages survive the restart) is stopped and started again while the link
 * publishes a stream of QoS 1 messages. Nothing within the buffer bound may be lost, order is
 * kept; beyond the bound the oldest messages are dropped, counted and logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { createLogger } from '../../../src/log.js';
import { MosquittoProcess, noMosquitto, sleep, waitFor } from './mosquitto.js';

/** A subscriber with a persistent session (clean=false, fixed client id) that reconnects by itself. */
async function persistentSubscriber(url: string, clientId: string, filter: string): Promise<{ client: MqttClient; got: number[] }> {
  const client = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 100 });
  const got: number[] = [];
  client.on('message', (_topic, payload) => got.push(Number(payload.toString())));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, got };
}

/** The received sequence with repeats (QoS 1 allows them) removed, first occurrence kept. */
function firstOccurrences(xs: number[]): number[] {
  const seen = new Set<number>();
  return xs.filter((x) => (seen.has(x) ? false : (seen.add(x), true)));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('a stream of QoS 1 messages survives Mosquitto being stopped and started twice: none lost, order kept', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create({ persistence: true });
  const sub = await persistentSubscriber(broker.url, 'outage-sub', 'stream/#');
  const lines: string[] = [];
  const link = new ExternalLink({ url: broker.url, clientId: 'outage-gw', reconnectPeriod: 0.1, bufferSize: 10_000, logger: createLogger('info', (l) => lines.push(l)) });
  await link.start();
  const N = 600;
  let maxBufferedWhileDown = 0;
  let published = 0;
  const stream = (async () => {
    for (let i = 0; i < N; i++) {
      link.publish(`stream/ep${i % 3}`, String(i));
      published = i + 1;
      if (!link.connected) maxBufferedWhileDown = Math.max(maxBufferedWhileDown, link.stats().buffered);
      await sleep(2);
    }
  })();
  try {
    for (const at of [100, 350]) {
      await waitFor(() => published >= at, `${at} messages published`, 20_000);
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to notice the broker is gone');
      const before = published;
      await waitFor(() => published >= before + 40, 'messages published while the broker is down', 20_000);
      await broker.start();
    }
    await stream;
    assert.equal(await link.flush(20_000), true, 'everything handed to the broker');
    await waitFor(() => new Set(sub.got).size >= N, `all ${N} messages at the subscriber`, 20_000);
    assert.deepEqual(firstOccurrences(sub.got), range(0, N));
    const s = link.stats();
    assert.equal(s.dropped, 0);
    assert.equal(s.buffered, 0);
    assert.equal(s.reconnects, 2);
    assert.ok(maxBufferedWhileDown >= 40, `messages waited in the buffer while the broker was down (max ${maxBufferedWhileDown})`);
    assert.ok(lines.some((l) => /WARN .*broker connection lost/.test(l)));
  } finally {
    await stream.catch(() => undefined);
    await link.stop();
    await sub.client.endAsync(true);
    await broker.dispose();
  }
});

test('beyond bufferSize the oldest messages are dropped, counted and logged once; the newest arrive', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create({ persistence: true });
  const sub = await persistentSubscriber(broker.url, 'overflow-sub', 'over/#');
  const lines: string[] = [];
  const link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.1, bufferSize: 10, logger: createLogger('info', (l) => lines.push(l)) });
  await link.start();
  try {
    await broker.stop();
    await waitFor(() => !link.connected, 'the link to notice the broker is gone');
    for (let i = 0; i < 25; i++) assert.doesNotThrow(() => link.publish('over/x', String(i)));
    let s = link.stats();
    assert.equal(s.dropped, 15);
    assert.equal(s.buffered, 10);
    assert.equal(s.connected, false);
    const warnings = lines.filter((l) => /WARN .*outbound buffer full/.test(l));
    assert.equal(warnings.length, 1, 'one warning for the burst');
    assert.match(warnings[0] ?? '', /bufferSize=10/);
    assert.equal(await link.flush(50), false, 'cannot flush while the broker is down');
    await broker.start();
    assert.equal(await link.flush(20_000), true);
    await waitFor(() => new Set(sub.got).size >= 10, 'the ten newest messages', 20_000);
    await sleep(200);
    assert.deepEqual(firstOccurrences(sub.got), range(15, 25));
    s = link.stats();
    assert.equal(s.dropped, 15);
    assert.equal(s.published, 10);
    assert.equal(s.buffered, 0);
  } finally {
    await link.stop();
    await sub.client.endAsync(true);
    await broker.dispose();
  }
});

test('messages published before the first connection wait and go out once the broker is up', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create({ persistence: true });
  const sub = await persistentSubscriber(broker.url, 'early-sub', 'early/#');
  await broker.stop();
  const link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.1 });
  try {
    await link.start();
    assert.equal(link.connected, false);
    for (let i = 0; i < 50; i++) link.publish('early/x', String(i));
    assert.equal(link.stats().buffered, 50);
    await broker.start();
    assert.equal(await link.flush(20_000), true);
    await waitFor(() => new Set(sub.got).size >= 50, 'fifty messages', 20_000);
    assert.deepEqual(firstOccurrences(sub.got), range(0, 50));
    assert.equal(link.stats().reconnects, 0, 'the first connection is not a reconnect');
  } finally {
    await link.stop();
    await sub.client.endAsync(true);
    await broker.dispose();
  }
});

for (const version of [4, 5] as const) {
  test(`MQTT ${version === 4 ? '3.1.1' : '5'} persistent session: resumed after a restart, a filter added while down is subscribed`, { skip: noMosquitto }, async () => {
    const broker = await MosquittoProcess.create({ persistence: true });
    const lines: string[] = [];
    const link = new ExternalLink({
      url: broker.url,
      protocolVersion: version,
      clientId: `gw-persist-v${version}`,
      clean: false,
      reconnectPeriod: 0.1,
      logger: createLogger('info', (l) => lines.push(l)),
    });
    const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 });
    const got: string[] = [];
    const sendUntil = (topic: string): Promise<void> =>
      waitFor(() => {
        if (!got.includes(topic)) peer.publish(topic, 'x', { qos: 1 });
        return got.includes(topic);
      }, `${topic} at the link`);
    try {
      await link.start();
      link.subscribe('p/a', (topic) => got.push(topic));
      await sendUntil('p/a');
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to notice the broker is gone');
      link.subscribe('p/b', (topic) => got.push(topic));
      await broker.start();
      await waitFor(() => link.connected && peer.connected, 'both to reconnect');
      assert.ok(lines.some((l) => /connected .*sessionPresent=true/.test(l)), 'the session was resumed');
      got.length = 0;
      await sendUntil('p/a');
      await sendUntil('p/b');
    } finally {
      await link.stop();
      await peer.endAsync(true);
      await broker.dispose();
    }
  });
}
