/**
 * The embedded broker's logins and topic rights on real sockets (MQTT.js, mosquitto_pub):
 * users with publish/subscribe patterns (%u, %c), password hashes, the gateway's own output
 * topics closed to every client (retained fakes not stored), and a will on them refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { EmbeddedBroker, BrokerStartError } from '../../../src/northbound/mqtt/broker.js';
import type { BrokerUser } from '../../../src/northbound/mqtt/broker-acl.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { gatewayTopics } from '../../../src/northbound/mqtt/output-topics.js';
import { hashPassword } from '../../../src/northbound/mqtt/password-hash.js';
import { compiled } from '../mqtt/fixture.js';
import { mosquittoPub, noMosquittoClients, sleep, waitFor } from './mosquitto.js';

const MAPPING = `
targets:
  - object: 3303
    mqtt:
      publish:
        topic: devices/{endpoint}/temperature/{instanceId}
      commands:
        - topic: devices/{endpoint}/temperature/{instanceId}/set
          write: 5750
          response: devices/{endpoint}/temperature/{instanceId}/result
`;

async function start(users: BrokerUser[], extra: { username?: string; password?: string } = {}): Promise<{ broker: EmbeddedBroker; link: EmbeddedLink; url: string }> {
  const topics = gatewayTopics('lwm2m', compiled({ 'temperature.yaml': MAPPING }));
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', users, ...extra, outputTopics: () => topics });
  const { port } = await broker.start();
  const link = new EmbeddedLink({ broker });
  await link.start();
  return { broker, link, url: `mqtt://127.0.0.1:${port}` };
}

function connect(url: string, o: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...o });
}

/** Publishes and reports whether the broker kept the connection (true) or closed it. */
async function tryPublish(client: MqttClient, topic: string, payload: string, retain = false): Promise<boolean> {
  const closed = new Promise<false>((resolve) => client.once('close', () => resolve(false)));
  const acked = client.publishAsync(topic, payload, { qos: 1, retain }).then(
    () => true,
    () => false,
  );
  return Promise.race([acked, closed]);
}

/** The return codes of a SUBACK (128: refused), in the order of the filters. */
function granted(client: MqttClient, filters: Record<string, { qos: 0 | 1 }>): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (p: Packet): void => {
      if (p.cmd !== 'suback') return;
      client.removeListener('packetreceive', onPacket);
      resolve(p.granted as number[]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, () => undefined);
  });
}

async function refusedConnect(url: string, o: IClientOptions): Promise<number | undefined> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, ...o });
  const err = await new Promise<Error & { code?: number }>((resolve) => c.once('error', resolve));
  await c.endAsync(true);
  return err.code;
}

test('a user may publish and subscribe only where its patterns allow', async () => {
  const { broker, link, url } = await start([
    { username: 'app', password: 'app-pw', publish: ['lwm2m/+/dn/#'], subscribe: ['lwm2m/#'] },
    { username: 'viewer', password: 'view-pw', subscribe: ['lwm2m/+/status'] },
  ]);
  const commands: string[] = [];
  link.subscribe('lwm2m/+/dn/#', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
  const app = await connect(url, { username: 'app', password: 'app-pw' });
  const viewer = await connect(url, { username: 'viewer', password: 'view-pw' });
  try {
    assert.equal(await tryPublish(viewer, 'lwm2m/ep1/dn/reboot', '{}'), false, 'no right to publish: the connection is closed');
    assert.equal(await tryPublish(app, 'lwm2m/ep1/dn/read', '{"path":"/3/0"}'), true);
    await waitFor(() => commands.length === 1, 'the allowed command');
    assert.deepEqual(commands, ['lwm2m/ep1/dn/read {"path":"/3/0"}']);
    assert.equal(await tryPublish(app, 'elsewhere/x', '1'), false);

    const v2 = await connect(url, { username: 'viewer', password: 'view-pw' });
    assert.deepEqual(
      await granted(v2, { 'lwm2m/+/status': { qos: 1 }, 'lwm2m/#': { qos: 1 }, 'lwm2m/ep1/status': { qos: 0 }, '#': { qos: 0 } }),
      [1, 128, 0, 128],
      'a filter is granted only when a pattern covers every topic it matches',
    );
    await v2.endAsync();
    assert.equal(broker.stats().refusedPublishes, 2);
  } finally {
    await app.endAsync(true);
    await viewer.endAsync(true);
    await link.stop();
    await broker.stop();
  }
});

test('nobody but the gateway publishes on its output topics, and retained fakes are not stored', async () => {
  const { broker, link, url } = await start([{ username: 'app', password: 'pw', publish: ['#'], subscribe: ['#'] }], { username: 'admin', password: 'admin-pw' });
  try {
    link.publish('lwm2m/$gateway/status', '{"status":"online"}', { retain: true });
    link.publish('lwm2m/ep1/status', '{"status":"online"}', { retain: true });
    link.publish('devices/ep1/temperature/0', '21.5', { retain: true });
    assert.equal(await link.flush(), true);
    const fakes = ['lwm2m/ep1/status', 'lwm2m/$gateway/status', 'lwm2m/ep1/up/resp', 'lwm2m/ep9/status', 'devices/ep1/temperature/0', 'devices/ep1/temperature/0/result'];
    for (const login of [
      { username: 'admin', password: 'admin-pw' },
      { username: 'app', password: 'pw' },
    ]) {
      for (const topic of fakes) {
        const c = await connect(url, login);
        assert.equal(await tryPublish(c, topic, '{"status":"offline"}', true), false, `${login.username} on ${topic}`);
        await c.endAsync(true);
      }
    }
    // the gateway's inputs stay open, even under an output filter
    const app = await connect(url, { username: 'app', password: 'pw' });
    const set: string[] = [];
    link.subscribe('devices/+/temperature/+/set', (t) => set.push(t));
    assert.equal(await tryPublish(app, 'devices/ep1/temperature/0/set', '22'), true);
    assert.equal(await tryPublish(app, 'lwm2m/ep1/dn/read', '{}'), true);
    assert.equal(await tryPublish(app, 'lwm2m/ep1/other', 'x', true), true);
    await waitFor(() => set.length === 1, 'the command');
    await app.endAsync();
    // a new subscriber gets the gateway's retained messages only
    const late = await connect(url, { username: 'admin', password: 'admin-pw' });
    const got: string[] = [];
    late.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
    await late.subscribeAsync(['lwm2m/#', 'devices/#'], { qos: 1 });
    await waitFor(() => got.length >= 4, 'the retained messages');
    await sleep(100);
    assert.deepEqual(got.sort(), [
      'devices/ep1/temperature/0 21.5',
      'lwm2m/$gateway/status {"status":"online"}',
      'lwm2m/ep1/other x',
      'lwm2m/ep1/status {"status":"online"}',
    ]);
    await late.endAsync();
    assert.equal(broker.stats().refusedPublishes, fakes.length * 2);
  } finally {
    await link.stop();
    await broker.stop();
  }
});

test('%u and %c stand for the login name and client id, and never widen a pattern', async () => {
  const { broker, link, url } = await start([
    { username: 'dev7', passwordHash: await hashPassword('pw7'), publish: ['sensors/%u/#'], subscribe: ['sensors/%u/#', 'clients/%c/+'] },
    { username: '+', password: 'plus', publish: ['sensors/%u/x'], subscribe: ['sensors/%u/#'] },
  ]);
  const seen: string[] = [];
  link.subscribe('sensors/#', (t) => seen.push(t));
  try {
    const dev = await connect(url, { username: 'dev7', password: 'pw7', clientId: 'c-1' });
    assert.equal(await tryPublish(dev, 'sensors/dev7/temp', '1'), true);
    assert.deepEqual(
      await granted(dev, { 'sensors/dev7/#': { qos: 1 }, 'sensors/dev8/#': { qos: 1 }, 'sensors/+/#': { qos: 1 }, 'clients/c-1/in': { qos: 1 }, 'clients/c-2/in': { qos: 1 }, 'clients/c-1/+': { qos: 1 } }),
      [1, 128, 128, 1, 128, 1],
    );
    assert.equal(await tryPublish(dev, 'sensors/dev8/temp', '1'), false);
    await dev.endAsync(true);
    // a login named "+" gets no wildcard: %u matches nothing for it
    const plus = await connect(url, { username: '+', password: 'plus' });
    assert.deepEqual(await granted(plus, { 'sensors/+/#': { qos: 0 } }), [128]);
    assert.equal(await tryPublish(plus, 'sensors/any/x', '1'), false);
    await plus.endAsync(true);
    await waitFor(() => seen.length === 1, 'the allowed message');
    assert.deepEqual(seen, ['sensors/dev7/temp']);
  } finally {
    await link.stop();
    await broker.stop();
  }
});

test('logins: clear and hashed passwords (mosquitto_passwd too), unknown users, the shared login', { skip: noMosquittoClients }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'acl-'));
  let mosquittoHash: string;
  try {
    execFileSync('/usr/bin/mosquitto_passwd', ['-c', '-b', join(dir, 'pw'), 'mq', 'mq-secret']);
    mosquittoHash = readFileSync(join(dir, 'pw'), 'utf8').trim().split(':')[1]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(mosquittoHash, /^\$7\$/);
  const { broker, link, url } = await start(
    [
      { username: 'mq', passwordHash: mosquittoHash, publish: ['in/#'] },
      { username: 'sc', passwordHash: await hashPassword('sc-secret'), publish: ['in/#'] },
    ],
    { username: 'admin', password: 'admin-pw' },
  );
  const got: string[] = [];
  link.subscribe('in/#', (t, p) => got.push(`${t} ${p.toString()}`));
  try {
    for (const [username, password] of [['mq', 'mq-secret'], ['sc', 'sc-secret'], ['admin', 'admin-pw']] as const) {
      const c = await connect(url, { username, password });
      await c.endAsync();
    }
    for (const creds of [{ username: 'mq', password: 'sc-secret' }, { username: 'sc', password: 'mq-secret' }, { username: 'nobody', password: 'admin-pw' }, { username: 'sc' }, {}]) {
      assert.equal(await refusedConnect(url, creds), 4, JSON.stringify(creds));
    }
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(new URL(url).port), '-u', 'mq', '-P', 'mq-secret', '-q', '1', '-t', 'in/a', '-m', 'allowed']);
    // not allowed: the broker closes the connection, the message goes nowhere
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(new URL(url).port), '-u', 'mq', '-P', 'mq-secret', '-q', '0', '-t', 'out/a', '-m', 'refused']).catch(() => undefined);
    await mosquittoPub(['-h', '127.0.0.1', '-p', String(new URL(url).port), '-u', 'admin', '-P', 'admin-pw', '-q', '1', '-t', 'in/b', '-m', 'admin']);
    await waitFor(() => got.length === 2, 'two messages');
    assert.deepEqual(got, ['in/a allowed', 'in/b admin']);
  } finally {
    await link.stop();
    await broker.stop();
  }
});

test('a will on a topic the login may not publish to is refused at CONNECT (not authorized)', async () => {
  const { broker, link, url } = await start([{ username: 'app', password: 'pw', publish: ['app/#'], subscribe: ['#'] }]);
  try {
    assert.equal(await refusedConnect(url, { username: 'app', password: 'pw', will: { topic: 'lwm2m/$gateway/status', payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: true } }), 5);
    assert.equal(await refusedConnect(url, { username: 'app', password: 'pw', will: { topic: 'other/x', payload: Buffer.from('gone'), qos: 0, retain: false } }), 5);
    const ok = await connect(url, { username: 'app', password: 'pw', will: { topic: 'app/will', payload: Buffer.from('gone'), qos: 0, retain: false } });
    await ok.endAsync();
  } finally {
    await link.stop();
    await broker.stop();
  }
});

test('a bad users list stops the start with a line naming mqtt.embedded.users', async () => {
  for (const users of [
    [{ username: 'a', password: 'x', publish: ['a/%u-x'] }],
    [{ username: 'a', password: 'x', subscribe: ['a/#/b'] }],
    [{ username: 'a' }],
    [{ username: 'a', password: 'x', passwordHash: 'scrypt$1$1$1$a$b' }],
    [{ username: 'a', passwordHash: 'md5$abc' }],
    [
      { username: 'a', password: 'x' },
      { username: 'a', password: 'y' },
    ],
  ]) {
    const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', users });
    await assert.rejects(broker.start(), (e: Error) => e instanceof BrokerStartError && e.key === 'mqtt.embedded.users' && e.message.startsWith('mqtt.embedded.users[')); 
    assert.equal(broker.running, false);
  }
});
