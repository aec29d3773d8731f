/**
 * The embedded broker (aedes) on real sockets: TCP and WebSocket clients (MQTT.js and
 * mosquitto_sub), authentication, taken ports, and a stop that leaves nothing open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, createConnection, type AddressInfo, type Server } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { BrokerStartError, EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { MosquittoSub, freePort, mosquittoPub, noMosquittoClients, waitFor } from './mosquitto.js';

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

function messages(client: MqttClient): { topic: string; payload: string }[] {
  const got: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

/** TCP/UDP/pipe handles and timers node reports as active. */
function handleCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

test('TCP and WebSocket clients exchange messages through the embedded broker', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', wsPort: 0 });
  const { port, wsPort } = await broker.start();
  assert.ok(port > 0);
  assert.ok(wsPort !== null && wsPort > 0 && wsPort !== port);
  const tcp = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const ws = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}/mqtt`, { reconnectPeriod: 0 });
  try {
    const fromWs = messages(tcp);
    const fromTcp = messages(ws);
    await tcp.subscribeAsync('sites/+/temp', { qos: 1 });
    await ws.subscribeAsync('cmd/#', { qos: 1 });
    await ws.publishAsync('sites/a/temp', '21.5', { qos: 1 });
    await tcp.publishAsync('cmd/a/reset', 'now', { qos: 0 });
    await waitFor(() => fromWs.length === 1 && fromTcp.length === 1, 'both messages');
    assert.deepEqual(fromWs, [{ topic: 'sites/a/temp', payload: '21.5' }]);
    assert.deepEqual(fromTcp, [{ topic: 'cmd/a/reset', payload: 'now' }]);
  } finally {
    await tcp.endAsync();
    await ws.endAsync();
    await broker.stop();
  }
});

test('mosquitto_sub and mosquitto_pub talk to the embedded broker', { skip: noMosquittoClients }, async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const { port } = await broker.start();
  const link = new EmbeddedLink({ broker });
  await link.start();
  const fromPub: string[] = [];
  link.subscribe('app/+/cmd', (topic, payload) => fromPub.push(`${topic} ${payload.toString()}`));
  const sub = await MosquittoSub.start(['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-q', '1', '-t', 'dev/#'], 'probe/sub', async () =>
    link.publish('probe/sub', 'p', { qos: 0 }),
  );
  try {
    link.publish('dev/ep1/3303/0/5700', '21.5');
    link.publish('dev/ep1/3303/0/5701', 'Cel', { retain: true });
    await waitFor(() => sub.received().length === 2, 'two lines at mosquitto_sub');
    assert.deepEqual(sub.received(), ['dev/ep1/3303/0/5700 21.5', 'dev/ep1/3303/0/5701 Cel']);
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-q', '1', '-t', 'app/ep1/cmd', '-m', '{"op":"read"}']);
    await waitFor(() => fromPub.length === 1, 'the command at the link');
    assert.deepEqual(fromPub, ['app/ep1/cmd {"op":"read"}']);
  } finally {
    await sub.stop();
    await link.stop();
    await broker.stop();
  }
});

test('with a username and password, the broker accepts them and refuses anything else', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', wsPort: 0, username: 'gw', password: 's3cret' });
  const { port, wsPort } = await broker.start();
  try {
    const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'gw', password: 's3cret', reconnectPeriod: 0 });
    assert.equal(ok.connected, true);
    await ok.endAsync();
    const okWs = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}`, { username: 'gw', password: 's3cret', reconnectPeriod: 0 });
    assert.equal(okWs.connected, true);
    await okWs.endAsync();
    const attempts: { username?: string; password?: string }[] = [
      { username: 'gw', password: 'wrong' },
      { username: 'gw', password: 's3cret-and-more' },
      { username: 'other', password: 's3cret' },
      { username: 'gw' },
      {},
    ];
    for (const creds of attempts) {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { ...creds, reconnectPeriod: 0 });
      const err = await new Promise<Error & { code?: number }>((resolve) => c.once('error', resolve));
      assert.equal(err.code, 4, `refused with "bad user name or password" for ${JSON.stringify(creds)}`);
      assert.equal(c.connected, false);
      await c.endAsync(true);
    }
  } finally {
    await broker.stop();
  }
  // a user name alone is still required
  const userOnly = new EmbeddedBroker({ port: 0, host: '127.0.0.1', username: 'gw', password: null });
  const { port: p2 } = await userOnly.start();
  try {
    const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${p2}`, { username: 'gw', reconnectPeriod: 0 });
    await ok.endAsync();
    const c = mqtt.connect(`mqtt://127.0.0.1:${p2}`, { reconnectPeriod: 0 });
    const err = await new Promise<Error & { code?: number }>((resolve) => c.once('error', resolve));
    assert.equal(err.code, 4);
    await c.endAsync(true);
  } finally {
    await userOnly.stop();
  }
});

test('a taken TCP port gives one line naming mqtt.embedded.port', async () => {
  const { server, port } = await occupy();
  try {
    const broker = new EmbeddedBroker({ port, host: '127.0.0.1' });
    await assert.rejects(broker.start(), (e: Error) => {
      assert.ok(e instanceof BrokerStartError);
      assert.equal(e.key, 'mqtt.embedded.port');
      assert.equal(
        e.message,
        `TCP 127.0.0.1 port ${port} is already in use: set another port with the config key mqtt.embedded.port (or LWM2MGW_MQTT__EMBEDDED__PORT)`,
      );
      return true;
    });
    assert.equal(broker.running, false);
  } finally {
    server.close();
  }
});

test('a taken WebSocket port names mqtt.embedded.wsPort, and the TCP listener is closed again', async () => {
  const { server, port: taken } = await occupy();
  const tcpPort = await freePort();
  try {
    const broker = new EmbeddedBroker({ port: tcpPort, host: '127.0.0.1', wsPort: taken });
    await assert.rejects(broker.start(), (e: Error) => {
      assert.ok(e instanceof BrokerStartError);
      assert.equal(e.key, 'mqtt.embedded.wsPort');
      assert.equal(
        e.message,
        `WebSocket 127.0.0.1 port ${taken} is already in use: set another port with the config key mqtt.embedded.wsPort (or LWM2MGW_MQTT__EMBEDDED__WSPORT)`,
      );
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    assert.equal(broker.running, false);
    assert.equal(broker.address, undefined);
    // the TCP port it had bound is free again
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(tcpPort, '127.0.0.1', resolve));
    await new Promise((r) => again.close(r));
  } finally {
    server.close();
  }
});

test('stop() closes the listeners and every client connection, leaving no handle open', async () => {
  const before = handleCounts();
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', wsPort: 0 });
  const { port, wsPort } = await broker.start();
  const tcp = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const ws = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}`, { reconnectPeriod: 0 });
  // a connection that never sends CONNECT
  const raw = createConnection({ port, host: '127.0.0.1' });
  await new Promise((r) => raw.once('connect', r));
  const closed = [
    new Promise<void>((r) => tcp.once('close', () => r())),
    new Promise<void>((r) => ws.once('close', () => r())),
    new Promise((r) => raw.once('close', r)),
  ];
  await broker.stop();
  await Promise.all(closed);
  await tcp.endAsync(true);
  await ws.endAsync(true);
  raw.destroy();
  await assert.rejects(
    new Promise((resolve, reject) => createConnection({ port, host: '127.0.0.1' }).once('connect', resolve).once('error', reject)),
    /ECONNREFUSED/,
  );
  await waitFor(() => {
    const now = handleCounts();
    return ['TCPServerWrap', 'TCPSocketWrap'].every((k) => (now.get(k) ?? 0) <= (before.get(k) ?? 0));
  }, 'TCP handles to be released', 5000);
  // and it can start again
  await broker.start();
  await broker.stop();
});
