/**
 * The MQTT binding under hostile input: bad CBOR, maps of the wrong shape, unknown
 * operations, unknown tokens, oversize maps (through Mosquitto), and clients using another
 * endpoint's topic (the embedded broker's rule). Each is answered with an error result or
 * dropped, and the gateway keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import type { MqttFace } from '../../../src/northbound/mqtt/mqtt-face.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { MqttLwm2mTestClient, decodeMap, encodeMap } from '../../helpers/lwm2m-mqtt-test-client.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const uid = (): string => randomBytes(4).toString('hex');

function baseConfig(): GatewayConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory';
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.embedded = { ...config.mqtt.embedded, port: 0, host: '127.0.0.1' };
  config.rest.enabled = false;
  config.mappings = { dir: null, watch: false };
  config.lwm2m.requestTimeout = 2;
  return config;
}

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** the MQTT binding's counters of refused messages (what /metrics shows as refused) */
function refused(gateway: Gateway): Record<string, number> {
  const stats = (gateway as unknown as { bindings: { scheme: string; stats?: () => { refused: Record<string, number> } }[] }).bindings.find((b) => b.scheme === 'mqtt')?.stats?.();
  return stats?.refused ?? {};
}

void test('bad CBOR, wrong shapes, unknown operations and tokens, oversize maps: dropped or answered, the gateway serves on', async () => {
  const prefix = `h-${uid()}`;
  const config = baseConfig();
  config.mqtt.enabled = false;
  config.mqttBinding = { ...config.mqttBinding, prefix, maxPayloadBytes: 1024, broker: { ...config.mqttBinding.broker, url: MOSQUITTO } };
  const gateway = new Gateway(config);
  await gateway.start();
  const ep = `bad-${uid()}`;
  const device = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: ep, prefix, clientId: `b-${uid()}` }).start();
  try {
    await device.raw(device.topic, Buffer.from([0xff, 0x00, 0x13])); // not CBOR
    await device.raw(device.topic, Buffer.from([0x9f])); // an unterminated indefinite array
    await device.raw(device.topic, Buffer.from([0x83, 0x01, 0x02, 0x03])); // an array, not a map
    await device.raw(device.topic, encodeMap([[1, 6], [2, 'not-a-uint']])); // a token of the wrong type
    await device.raw(device.topic, encodeMap([[1, 6], [2, -4]])); // a negative token
    await device.raw(device.topic, encodeMap([[1, 6], [18, 201], [2, 9]])); // request and response at once
    await device.raw(device.topic, encodeMap([[18, 205], [2, 424242], [7, Buffer.from('x')]])); // a result nobody asked for
    await device.raw(device.topic, encodeMap([[1, 23], [2, 77], [7, Buffer.from('1')]])); // a notify of no observation
    // an unknown operation gets 5.01 (Tbl 8.5-5)
    assert.equal((await device.request(99)).get(18), 501);
    // a bootstrap request on rd is no registration operation
    assert.equal((await device.request(0)).get(18), 501);
    // an Update before any Register: 4.04
    assert.equal(await device.update(), 404);
    // a Register whose ep names another endpoint than the topic: 4.00
    assert.equal((await device.request(6, [[3, 'someone-else'], [8, 60], [9, '1.2'], [7, Buffer.from('</3/0>')]])).get(18), 400);
    // an oversize map is dropped unanswered
    await assert.rejects(device.request(6, [[8, 60], [7, Buffer.alloc(2000, 0x41)]], 800));
    await until(() => (refused(gateway).oversize ?? 0) >= 1, 'the oversize count');
    const r = refused(gateway);
    assert.ok((r.malformed ?? 0) >= 2, `malformed: ${JSON.stringify(r)}`);
    assert.ok((r.notMap ?? 0) >= 1);
    assert.ok((r.badToken ?? 0) >= 2);
    assert.ok((r.badOperation ?? 0) >= 1);
    assert.ok((r.token ?? 0) >= 2);
    // and the gateway still serves this client
    assert.equal(await device.register(), 201);
    assert.equal((await gateway.server.read(ep, '/3/0/0')).code, '2.05');
    // the notify of no observation got a Cancel-Observe back
    assert.ok(device.requests.some((m) => m.get(1) === 22 && m.get(2) === 77));
  } finally {
    await device.stop();
    await gateway.stop();
  }
});

void test('embedded broker with logins: a client may use its own endpoint topic only, and no one else receives it', async () => {
  const config = baseConfig();
  config.mqtt.embedded.users = [
    { username: 'dev-a', password: 'pass-a' },
    { username: 'dev-b', password: 'pass-b' },
    { username: 'app', password: 'pass-app', subscribe: ['#'], publish: [] },
  ];
  const gateway = new Gateway(config);
  await gateway.start();
  const url = `mqtt://127.0.0.1:${gateway.ports.mqtt!}`;
  const a = await new MqttLwm2mTestClient({ url, endpoint: 'dev-a', username: 'dev-a', password: 'pass-a' }).start();
  const app = await connectAsync(url, { protocolVersion: 4, username: 'app', password: 'pass-app', reconnectPeriod: 0 }, false);
  const seenByApp: string[] = [];
  app.on('message', (t) => seenByApp.push(t));
  await app.subscribeAsync('#', { qos: 1 });
  let b: MqttLwm2mTestClient | undefined;
  try {
    assert.equal(await a.register(), 201);
    // dev-b may not subscribe to dev-a's topic
    b = await new MqttLwm2mTestClient({ url, endpoint: 'dev-b', username: 'dev-b', password: 'pass-b' }).start();
    await assert.rejects(b.mqtt.subscribeAsync('lwm2m/rd/dev-a', { qos: 1 }), /Subscribe error/); // SUBACK 128
    // nor publish there: its De-register of dev-a is refused by the broker (which drops it)
    await b.mqtt.publishAsync('lwm2m/rd/dev-a', encodeMap([[1, 8], [2, 1]]), { qos: 0 });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(gateway.server.store.getByEndpoint('dev-a'), 'dev-a is still registered');
    assert.ok((gateway.face('mqtt') as MqttFace).broker!.stats().refusedPublishes >= 1);
    // the gateway's requests and dev-a's answers reach no other subscriber, not even "#"
    assert.equal((await gateway.server.read('dev-a', '/3/0/0')).code, '2.05');
    assert.equal(await a.update(), 204);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seenByApp.filter((t) => t.startsWith('lwm2m/rd/')), []);
  } finally {
    await a.stop();
    await b?.stop().catch(() => undefined);
    await app.endAsync(true);
    await gateway.stop();
  }
});

void test('embedded broker over TLS: a client certificate\'s CN is the endpoint it may use', { skip: noOpensslCli }, async () => {
  const pki = new TestPki();
  const server = pki.issue('broker', '127.0.0.1');
  const devCert = pki.issue('dev-cert', 'dev-cert');
  const config = baseConfig();
  config.mqtt.embedded.tls = { ...config.mqtt.embedded.tls, port: 0, cert: server.cert, key: server.key, ca: pki.caFile };
  const gateway = new Gateway(config);
  await gateway.start();
  const url = `mqtts://127.0.0.1:${gateway.ports.mqtts!}`;
  const tls = { ca: readFileSync(pki.caFile), cert: readFileSync(devCert.cert), key: readFileSync(devCert.key) };
  let device: MqttLwm2mTestClient | undefined;
  try {
    // its client id and login name say "dev-other": the certificate decides
    device = await new MqttLwm2mTestClient({ url, endpoint: 'dev-cert', clientId: 'dev-other', username: 'dev-other', tls }).start();
    assert.equal(await device.register(), 201);
    assert.equal((await gateway.server.read('dev-cert', '/3/0/0')).code, '2.05');
    await assert.rejects(device.mqtt.subscribeAsync('lwm2m/rd/dev-other', { qos: 1 }), /Subscribe error/);
  } finally {
    await device?.stop();
    await gateway.stop();
    pki.remove();
  }
});

void test("a result on one endpoint's topic with the token of a request to another endpoint is not taken as its answer", async () => {
  const prefix = `h-${uid()}`;
  const config = baseConfig();
  config.mqtt.enabled = false;
  config.mqttBinding = { ...config.mqttBinding, prefix, broker: { ...config.mqttBinding.broker, url: MOSQUITTO } };
  const gateway = new Gateway(config);
  await gateway.start();
  const a = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: `a-${uid()}`, prefix, clientId: `a-${uid()}` }).start();
  const b = await new MqttLwm2mTestClient({ url: MOSQUITTO, endpoint: `b-${uid()}`, prefix, clientId: `b-${uid()}` }).start();
  try {
    assert.equal(await a.register(), 201);
    assert.equal(await b.register(), 201);
    // b listens on a's topic (Mosquitto without an ACL lets it) and answers a's requests first, on its own topic
    let stolen = 0;
    b.mqtt.on('message', (t, p) => {
      if (t !== a.topic) return;
      const m = decodeMap(p);
      if (m?.get(1) !== 9) return;
      stolen++;
      b.raw(b.topic, encodeMap([[18, 205], [2, m.get(2)], [19, 0], [7, Buffer.from('forged')]])).catch(() => undefined);
    });
    await b.mqtt.subscribeAsync(a.topic, { qos: 1 });
    // a answers late: the forged answer is there first
    a.values.set('/3/0/0', 'late');
    const answering = a.mqtt.listeners('message');
    a.mqtt.removeAllListeners('message');
    a.mqtt.on('message', (t, p) => void setTimeout(() => answering.forEach((f) => (f as (t: string, p: Buffer) => void)(t, p)), 300));
    const r = await gateway.server.read(a.o.endpoint, '/3/0/0');
    assert.equal(stolen, 1);
    assert.equal(r.code, '2.05');
    assert.equal((r.node as { value: unknown }).value, 'late', "a's own answer, not the forged one");
    assert.ok((refused(gateway).token ?? 0) >= 1, JSON.stringify(refused(gateway)));
  } finally {
    await a.stop();
    await b.stop();
    await gateway.stop();
  }
});
