/**
 * The whole gateway on an external broker that goes away: a device streams notifications
 * while a private Mosquitto is stopped and started again; every value the gateway accepted
 * reaches a subscriber (persistent session), in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import { MqttFace } from '../../../src/northbound/mqtt/mqtt-face.js';
import type { MqttLink } from '../../../src/northbound/mqtt/link.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { MosquittoProcess, noMosquitto, sleep, waitFor } from '../mqtt-link/mosquitto.js';

const MAPPING = `
targets:
  - object: 3303
    observe: { resources: [5700] }
    mqtt:
      publish:
        topic: "stream/{endpoint}/{instanceId}"
        payload: "{value}"
        qos: 1
`;

function mqttLink(gateway: Gateway): MqttLink {
  const face = gateway.face('mqtt');
  assert.ok(face instanceof MqttFace && face.link, 'the MQTT face is started');
  return face.link;
}

void test('notifications accepted while the external broker is down are delivered after it returns', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create({ persistence: true });
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-bd-'));
  writeFileSync(join(dir, 'stream.yaml'), MAPPING);
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'bd-sub', clean: false, reconnectPeriod: 100 });
  const got: number[] = [];
  sub.on('message', (_t, p) => got.push(Number(p.toString())));
  await sub.subscribeAsync('stream/#', { qos: 1 });

  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt = { ...config.mqtt, mode: 'external', presence: false, bufferSize: 10_000 };
  config.mqtt.external = { ...config.mqtt.external, url: broker.url, reconnectPeriod: 0.1 };
  config.rest.enabled = false;
  config.mappings = { dir, watch: false };
  const gateway = new Gateway(config);
  await gateway.start();
  const device = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'bd-1', timing: { ackTimeoutMs: 200 } }).start();
  const accepted: number[] = [];
  gateway.server.on('notification', (e) => {
    const n = e.node;
    if (n?.kind === 'resource' && typeof n.value === 'number') accepted.push(n.value);
  });
  try {
    assert.equal((await device.register()).code, '2.01');
    await waitFor(() => device.observations().length === 1, 'the mapped observation');
    const N = 150;
    let sent = 0;
    const stream = (async () => {
      for (let i = 1; i <= N; i++) {
        await device.set('/3303/0/5700', i);
        sent = i;
        await sleep(10);
      }
    })();
    await waitFor(() => sent >= 40, '40 notifications sent', 20_000);
    await broker.stop();
    await waitFor(() => !mqttLink(gateway).connected, 'the gateway to see the broker gone');
    const before = sent;
    await waitFor(() => sent >= before + 30, 'notifications while the broker is down', 20_000);
    assert.ok(mqttLink(gateway).stats().buffered > 0, 'values wait in the gateway while the broker is down');
    await broker.start();
    await stream;
    await waitFor(() => accepted.includes(N), 'the last notification accepted', 20_000);
    assert.equal(await mqttLink(gateway).flush(20_000), true);
    const want = [...new Set(accepted)];
    await waitFor(() => want.every((v) => got.includes(v)), `all ${want.length} accepted values at the subscriber`, 20_000);
    // (the value of the observe's answer, published first, is not a notification)
    const notified = got.filter((v) => want.includes(v));
    const order = notified.filter((v, i) => notified.indexOf(v) === i);
    assert.deepEqual(order, want, 'in the order the gateway accepted them');
    assert.equal(mqttLink(gateway).stats().dropped, 0);
  } finally {
    await device.stop();
    await gateway.stop();
    await sub.endAsync(true);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
