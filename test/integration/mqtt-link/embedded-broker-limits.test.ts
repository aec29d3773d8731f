/**
 * The embedded broker's bounds on real sockets: a packet over the maximum size closes the
 * connection as soon as its header announces it (a 200 MB PUBLISH is never read in), and
 * connections beyond the maximum number are closed at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { sleep, waitFor } from './mosquitto.js';

/** CONNECT, MQTT 3.1.1, clean session, keepalive 60 s, the given client id. */
function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  return Buffer.concat([Buffer.from([0x10, variable.length + payload.length]), variable, payload]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

test('a PUBLISH announcing 200 MB closes the connection before its body is read', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  const s = await open(port);
  s.on('error', () => undefined);
  try {
    const connack = new Promise<Buffer>((resolve) => s.once('data', resolve));
    s.write(connectPacket('big-one'));
    assert.deepEqual([...(await connack)], [0x20, 0x02, 0x00, 0x00]);
    await waitFor(() => broker.aedes?.connectedClients === 1, 'the client registered');
    const topic = Buffer.from([0x00, 0x01, 0x74]);
    s.write(Buffer.concat([Buffer.from([0x30]), remainingLength(200 * 1024 * 1024), topic]));
    let isClosed = false;
    const done = closed(s).then(() => (isClosed = true));
    // stream up to 8 MB of the body, as fast as the socket takes it
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    while (!isClosed && sent < 8 * 1024 * 1024) {
      sent += chunk.length;
      if (!s.write(chunk)) await Promise.race([new Promise((r) => s.once('drain', r)), done]);
    }
    await Promise.race([done, sleep(5000)]);
    assert.equal(isClosed, true, 'the broker closed the connection');
    await waitFor(() => broker.aedes?.connectedClients === 0, 'the client gone from the broker');
    assert.equal(broker.stats().oversizePackets, 1);
  } finally {
    s.destroy();
    await broker.stop();
  }
});

test('maxPacketSize: a packet at the limit passes, one byte more closes the connection and goes nowhere', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', maxPacketSize: 1024 });
  const { port } = await broker.start();
  const link = new EmbeddedLink({ broker });
  await link.start();
  const got: number[] = [];
  link.subscribe('size/#', (_t, p) => got.push(p.length));
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    // QoS 0 PUBLISH: 1 header byte + 2 length bytes + (2 + 6 topic bytes) + payload
    const atLimit = 1024 - 1 - 2 - 8;
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await c.publishAsync('size/a', Buffer.alloc(atLimit), { qos: 0 });
    await waitFor(() => got.length === 1, 'the message at the limit');
    const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('size/a', Buffer.alloc(atLimit + 1), { qos: 0 });
    await gone;
    await sleep(50);
    assert.deepEqual(got, [atLimit]);
    assert.equal(broker.stats().oversizePackets, 1);
    await c.endAsync(true);
  } finally {
    await link.stop();
    await broker.stop();
  }
});

test('maxConnections: one connection too many is closed at once, a freed place can be taken again', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', maxConnections: 2 });
  const { port } = await broker.start();
  const url = `mqtt://127.0.0.1:${port}`;
  const a = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const b = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  try {
    const third = await open(port);
    third.on('error', () => undefined);
    await closed(third);
    assert.equal(broker.stats().refusedConnections, 1);
    await a.endAsync();
    await waitFor(() => broker.aedes?.connectedClients === 1, 'one place free');
    await sleep(50);
    const again = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    assert.equal(again.connected, true);
    await again.endAsync();
  } finally {
    await b.endAsync(true);
    await broker.stop();
  }
});
