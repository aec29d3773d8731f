/**
 * The MQTT outbound buffer survives a restart: messages a link accepted while the external
 * broker was down, kept by a journal (the file store's data folder), are delivered by the
 * next process, in order, once the broker is back; then the journal is empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { asLinkMessage, type LinkMessage } from '../../../src/northbound/mqtt/link-message.js';
import { DurableQueue } from '../../../src/store/file/durable-queue.js';
import { MosquittoProcess, noMosquitto, waitFor } from './mosquitto.js';

const open = (dir: string): DurableQueue<LinkMessage> => DurableQueue.open({ dir, check: asLinkMessage });

void test('messages buffered while the broker is down are delivered after a crash and restart', { skip: noMosquitto }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'lwm2mgw-outbox-'));
  const broker = await MosquittoProcess.create();
  await broker.stop(); // down: the link buffers
  const first = open(join(base, 'a'));
  const link = new ExternalLink({ url: broker.url, clientId: 'gw-outbox-1', reconnectPeriod: 0.2, journal: first });
  let watcher: mqtt.MqttClient | undefined;
  let next: ExternalLink | undefined;
  let second: DurableQueue<LinkMessage> | undefined;
  await link.start();
  for (let i = 0; i < 5; i++) link.publish(`outbox/${i}`, `m${i}`, { qos: 1 });
  await new Promise((r) => setImmediate(r));
  assert.equal(link.stats().buffered, 5);
  // what a SIGKILL leaves: the folder as it is now
  const crashed = join(base, 'b');
  mkdirSync(crashed);
  for (const f of readdirSync(join(base, 'a'))) writeFileSync(join(crashed, f), readFileSync(join(base, 'a', f)));
  try {
    await link.stop();
    await first.close();
    await broker.start();
    watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const got: string[] = [];
    watcher.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await watcher.subscribeAsync('outbox/#', { qos: 1 });
    second = open(join(base, 'b'));
    next = new ExternalLink({ url: broker.url, clientId: 'gw-outbox-2', journal: second });
    await next.start();
    await waitFor(() => got.length >= 5, 'the five messages from before the restart');
    assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => `outbox/${i} m${i}`));
    assert.ok(await next.flush(5000));
    assert.equal(second.size, 0, 'delivered: nothing left in the journal');
  } finally {
    await watcher?.endAsync();
    await next?.stop();
    await second?.close();
    await broker.dispose();
    rmSync(base, { recursive: true, force: true });
  }
});

void test('embedded broker: messages waiting for the broker come back after a crash; those handed to it are never written', async () => {
  const base = mkdtempSync(join(tmpdir(), 'lwm2mgw-outbox-'));
  const first = open(join(base, 'a'));
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const link = new EmbeddedLink({ broker, journal: first });
  let next: EmbeddedLink | undefined;
  let second: DurableQueue<LinkMessage> | undefined;
  const broker2 = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  try {
    for (let i = 0; i < 3; i++) link.publish(`early/${i}`, `e${i}`); // the broker is not running yet
    await new Promise((r) => setImmediate(r));
    const crashed = join(base, 'b');
    mkdirSync(crashed);
    for (const f of readdirSync(join(base, 'a'))) writeFileSync(join(crashed, f), readFileSync(join(base, 'a', f)));

    second = open(crashed);
    await broker2.start();
    next = new EmbeddedLink({ broker: broker2, journal: second });
    const got: string[] = [];
    next.subscribe('#', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await next.start();
    await waitFor(() => got.length >= 3, 'the three messages from before the restart');
    assert.deepEqual(got, ['early/0 e0', 'early/1 e1', 'early/2 e2']);
    for (let i = 0; i < 50; i++) next.publish(`live/${i}`, 'x');
    await next.flush(2000);
    assert.equal(second.size, 0);
    await second.close();
    second = undefined;
    second = open(crashed);
    assert.deepEqual(second.restored(), [], 'nothing pending, nothing written for the live ones');
  } finally {
    await next?.stop();
    await second?.close();
    await first.close();
    await broker2.stop();
    rmSync(base, { recursive: true, force: true });
  }
});
