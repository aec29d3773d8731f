/**
 * The LwM2M 1.2 MQTT binding end to end: the whole gateway with its embedded broker (and
 * the shipped mappings), then with the machine's Mosquitto as an external broker, and a
 * test client written from the spec's encoding (test/helpers/lwm2m-mqtt-test-client.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { MqttLwm2mTestClient, decodeMap } from '../../helpers/lwm2m-mqtt-test-client.js';
import { parseBootstrapConfig } from '../../../src/lwm2m/bootstrap/index.js';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';

function baseConfig(): GatewayConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory';
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.embedded = { ...config.mqtt.embedded, port: 0, host: '127.0.0.1' };
  config.rest = { ...config.rest, port: 0, host: '127.0.0.1' };
  config.mappings = { dir: resolve('mappings'), watch: false };
  config.lwm2m.requestTimeout = 3;
  return config;
}

async function until(pred: () => boolean, what: string, ms = 6000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** a plain MQTT subscriber collecting "topic payload" lines */
async function subscriber(url: string, filter: string): Promise<{ lines: string[]; client: MqttClient }> {
  const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 }, false);
  const lines: string[] = [];
  client.on('message', (t, p) => lines.push(`${t} ${p.toString()}`));
  await client.subscribeAsync(filter, { qos: 1 });
  return { lines, client };
}

const uid = (): string => randomBytes(4).toString('hex');

void test('embedded broker: register, observe (mapped), notify, read, write, execute, send, update, de-register', async () => {
  const gateway = new Gateway(baseConfig());
  await gateway.start();
  const url = `mqtt://127.0.0.1:${gateway.ports.mqtt!}`;
  const ep = `mqtt-e2e-${uid()}`;
  const sub = await subscriber(url, `devices/${ep}/#`);
  const device = await new MqttLwm2mTestClient({ url, endpoint: ep, payloadAsText: true }).start();
  const sends: unknown[] = [];
  gateway.server.on('send', (e) => sends.push(e));
  try {
    assert.equal(await device.register({ lifetime: 120 }), 201);
    const reg = gateway.server.store.getByEndpoint(ep);
    assert.ok(reg, 'registered in the core');
    assert.equal(reg.peer.transport, 'mqtt');
    assert.equal(reg.version, '1.2');

    // the shipped temperature mapping writes attributes, then observes 3303/0/5700
    await until(() => device.observations.has('/3303/0/5700'), 'the mapped observation');
    const attrs = device.requests.find((m) => m.get(1) === 14 && m.get(5) === '/3303/0/5700');
    assert.ok(attrs, 'Write-Attributes before the observe');
    assert.equal(attrs.get(12), 10); // pmin
    await until(() => sub.lines.includes(`devices/${ep}/temperature/0/sensor-value 21.5`), 'the first value northbound');
    await device.notify('/3303/0/5700', '23.75');
    await until(() => sub.lines.includes(`devices/${ep}/temperature/0/sensor-value 23.75`), 'the notification northbound');

    const read = await gateway.server.read(ep, '/3/0/0');
    assert.equal(read.code, '2.05');
    assert.equal((read.node as { value: unknown }).value, 'Test Manufacturer');
    // the REST API shows the device with its binding, and reads through it
    const dev = (await (await fetch(`http://127.0.0.1:${gateway.ports.rest!}/api/devices/${ep}`)).json()) as { address: { transport: string } };
    assert.equal(dev.address.transport, 'mqtt');
    const viaRest = await fetch(`http://127.0.0.1:${gateway.ports.rest!}/api/devices/${ep}/3/0/0`);
    assert.equal(viaRest.status, 200);
    assert.match(await viaRest.text(), /Test Manufacturer/);

    const written = await gateway.server.write(ep, '/3303/0/5701', { kind: 'resource', id: 5701, type: 'string', value: 'Cel' });
    assert.equal(written.code, '2.04');
    assert.equal(device.written.at(-1)?.uri, '/3303/0/5701');

    const executed = await gateway.server.execute(ep, '/3303/0/5605');
    assert.equal(executed.code, '2.04');
    assert.deepEqual(device.executed, ['/3303/0/5605']);

    // Send (24): SenML CBOR records (0 name, 2 value)
    assert.equal(await device.send([new Map<number, unknown>([[0, '/3303/0/5700'], [2, 30.5]])]), 204);
    await until(() => sends.length === 1, 'the send event');

    assert.equal(await device.update([[8, 240]]), 204);
    assert.equal(gateway.server.store.getByEndpoint(ep)?.lifetime, 240);

    assert.equal(await device.deregister(), 202);
    assert.equal(gateway.server.store.getByEndpoint(ep), undefined);
    assert.equal(await device.update(), 404, 'no registration left to update');
  } finally {
    await device.stop();
    await sub.client.endAsync(true);
    await gateway.stop();
  }
});

void test('external Mosquitto: a prefixed binding registers, is read, observed and notified, and de-registers', async () => {
  const prefix = `t-${uid()}`;
  const config = baseConfig();
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  config.mqttBinding = { ...config.mqttBinding, prefix, broker: { ...config.mqttBinding.broker, url: MOSQUITTO } };
  const gateway = new Gateway(config);
  await gateway.start();
  // the binding's broker port has a key of its own: `mqtt` is the MQTT face's (off here)
  assert.deepEqual([gateway.ports['mqttBinding'], gateway.ports['mqtt']], [1883, undefined]);
  const ep = `mosq-${uid()}`;
  const device = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: ep, prefix, clientId: `c-${uid()}` }).start();
  const notes: unknown[] = [];
  gateway.server.on('notification', (n) => notes.push(n));
  try {
    assert.equal(await device.register({ binding: 'MQ' }), 201);
    assert.equal(gateway.server.store.getByEndpoint(ep)?.queueMode, true);
    const read = await gateway.server.read(ep, '/3/0/0');
    assert.equal(read.code, '2.05');
    const obs = await gateway.server.observe(ep, '/3303/0/5700');
    assert.equal(obs.code, '2.05');
    assert.ok(device.observations.has('/3303/0/5700'));
    await device.notify('/3303/0/5700', '19.25');
    await until(() => notes.length === 1, 'the notification in the core');
    const cancelled = await gateway.server.cancelObservation(ep, '/3303/0/5700');
    assert.equal(cancelled.code, '2.05');
    assert.equal(device.observations.size, 0);
    assert.equal(await device.deregister(), 202);
  } finally {
    await device.stop();
    await gateway.stop();
  }
});

void test('a lost MQTT session (the will) makes downlinks fail at once until the client speaks again', async () => {
  const prefix = `t-${uid()}`;
  const config = baseConfig();
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  config.mqttBinding = { ...config.mqttBinding, prefix, broker: { ...config.mqttBinding.broker, url: MOSQUITTO } };
  const gateway = new Gateway(config);
  await gateway.start();
  const ep = `will-${uid()}`;
  const device = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: ep, prefix, clientId: `w-${uid()}`, will: true }).start();
  const sleeping: string[] = [];
  gateway.server.on('sleeping', (r: { endpoint: string }) => sleeping.push(r.endpoint));
  let again: MqttLwm2mTestClient | undefined;
  try {
    assert.equal(await device.register({ binding: 'MQ' }), 201);
    await device.drop();
    await new Promise((r) => setTimeout(r, 300)); // the will reaches the gateway
    const r = await gateway.server.read(ep, '/3/0/0');
    assert.equal(r.success, false);
    assert.match(r.error?.message ?? '', /lost its MQTT session/, 'failed for the will, not after the request timeout');
    await until(() => sleeping.includes(ep), 'the sleeping event');
    again = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: ep, prefix, clientId: `w2-${uid()}` }).start();
    assert.equal(await again.update(), 204);
    assert.equal((await gateway.server.read(ep, '/3/0/0')).code, '2.05');
  } finally {
    await device.stop();
    await again?.stop();
    await gateway.stop();
  }
});

void test('bootstrap over MQTT: Bootstrap-Request on the bs topic, the config written, Bootstrap-Finish', async () => {
  const config = baseConfig();
  config.rest.enabled = false;
  config.mappings = { dir: null, watch: false };
  config.bootstrap = { ...config.bootstrap, enabled: true, port: 0, address: '127.0.0.1', requestTimeout: 3, sessionTimeout: 20 };
  const gateway = new Gateway(config);
  await gateway.start();
  const ep = `bs-${uid()}`;
  const parsed = parseBootstrapConfig({
    servers: [{ shortServerId: 1, uri: 'mqtt://gw.example:1883', securityMode: 'nosec', lifetime: 300, binding: 'M' }],
  });
  assert.ok(parsed.ok);
  gateway.server.store.bootstrap.put(ep, parsed.config);
  assert.ok(gateway.ports.bootstrapMqtt, 'the bootstrap server listens on the bs topics');
  const url = `mqtt://127.0.0.1:${gateway.ports.mqtt!}`;
  const device = await new MqttLwm2mTestClient({ url, endpoint: ep }).start();
  try {
    assert.equal(await device.bootstrap(), 204);
    const ops = device.bootstrapSteps.map(([op]) => op);
    assert.ok(ops.includes(1), `Bootstrap-Write among ${JSON.stringify(ops)}`);
    assert.equal(ops.at(-1), 5, 'Bootstrap-Finish last');
    assert.ok([...device.bootstrapWrites.keys()].some((uri) => uri.startsWith('/0')), 'a Security object written');
  } finally {
    await device.stop();
    await gateway.stop();
  }
});

void test('real-client quirks: the version as a CBOR float, a token as a 64-bit integer, the object list as text, no binding key', async () => {
  const prefix = `q-${uid()}`;
  const config = baseConfig();
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  config.mappings = { dir: null, watch: false };
  config.mqttBinding = { ...config.mqttBinding, prefix, broker: { ...config.mqttBinding.broker, url: MOSQUITTO } };
  const gateway = new Gateway(config);
  await gateway.start();
  const ep = `quirk-${uid()}`;
  const device = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: ep, prefix, clientId: `q-${uid()}` }).start();
  try {
    // {1: 6, 2: 5 (as 0x1b 00..05), 8: 120, 9: 1.1 (float64), 7: "</3/0>" (text)}
    const answer = new Promise<Map<number, unknown>>((resolve) => {
      device.mqtt.on('message', (_t, p) => {
        const m = decodeMap(p);
        if (m?.get(18) !== undefined && m.get(2) === 5) resolve(m);
      });
    });
    await device.raw(device.topic, Buffer.from('a5' + '0106' + '021b0000000000000005' + '081878' + '09fb3ff199999999999a' + '0766' + Buffer.from('</3/0>').toString('hex'), 'hex'));
    assert.equal((await answer).get(18), 201);
    const reg = gateway.server.store.getByEndpoint(ep);
    assert.equal(reg?.version, '1.1');
    assert.equal(reg?.lifetime, 120);
    assert.equal((await gateway.server.read(ep, '/3/0/0')).code, '2.05');
  } finally {
    await device.stop();
    await gateway.stop();
  }
});
