/**
 * A device on the HTTP binding as users see it: on the northbound REST API (its binding
 * in the device's address, a read through the API reaching it by long poll) and on the
 * MQTT topics of the shipped temperature mapping (presence, and the values it Sends), with
 * the same REST and presence fields as a device on CoAP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import mqtt from 'mqtt';
import { startGateway } from '../interop/gateway-fixture.js';
import { Lwm2mHttpTestClient } from '../../helpers/lwm2m-http-test-client.js';
import type { ClientAnswer, ServerRequest } from '../../helpers/lwm2m-http-test-client.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

/** Answers the server's requests until stopped: reads of 3303/0/5700 with `value`, everything else with 2.04. */
function serveInBackground(device: Lwm2mHttpTestClient, value: () => string): { seen: ServerRequest[]; stop: () => Promise<void> } {
  let running = true;
  const seen: ServerRequest[] = [];
  const answer = (r: ServerRequest): ClientAnswer =>
    r.operation === 'read' ? { status: '2.05', contentType: 'text/plain', body: value() } : { status: '2.04' };
  const loop = (async (): Promise<void> => {
    while (running) {
      const r = await device.poll(1).catch(() => undefined);
      if (!r) continue;
      seen.push(r);
      await device.answer(r.token, answer(r)).catch(() => undefined);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

void test('an HTTP device on the REST API (binding in its address) and on its mapped MQTT topics', async () => {
  const g = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true, allowAnonymous: true };
    c.mqtt = { ...c.mqtt, enabled: true, embedded: { ...c.mqtt.embedded, port: 0, host: '127.0.0.1' } };
    c.rest = { ...c.rest, enabled: true, port: 0, host: '127.0.0.1' };
    c.mappings = { dir: resolve('mappings'), watch: false };
  });
  const { http, mqtt: mqttPort, rest } = g.gateway.ports;
  assert.ok(http && mqttPort && rest);
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
  const messages: { topic: string; payload: string }[] = [];
  sub.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString() }));
  await sub.subscribeAsync(['lwm2m/http-nb/status', 'devices/http-nb/#', 'lwm2m/coap-nb/status', 'devices/coap-nb/#'], { qos: 1 });
  const device = new Lwm2mHttpTestClient({ port: http });
  let served: ReturnType<typeof serveInBackground> | undefined;
  try {
    assert.equal((await device.register('http-nb', { links: '</1/0>,</3/0>,</3303/0>' })).status, 201);
    served = serveInBackground(device, () => '21.5');

    // presence on MQTT, with the binding
    await until(() => messages.some((m) => m.topic === 'lwm2m/http-nb/status'), 'the presence message');
    const status = JSON.parse(messages.find((m) => m.topic === 'lwm2m/http-nb/status')!.payload) as Record<string, unknown>;
    assert.equal(status.status, 'online');
    assert.equal(status.transport, 'http');

    // a Send lands on the mapped topic
    assert.equal((await device.send('[{"n":"/3303/0/5700","v":23.75}]')).status, 204);
    await until(() => messages.some((m) => m.topic === 'devices/http-nb/temperature/0/sensor-value' && m.payload === '23.75'), 'the mapped value of the Send');
    // the mapping's planned observations are skipped (no Observe in the binding), their Write-Attributes too
    assert.deepEqual(served.seen.filter((r) => r.operation === 'write-attributes').map((r) => r.path), []);

    // REST: the device, its binding in the address
    const dev = await fetch(`http://127.0.0.1:${rest}/api/devices/http-nb`);
    assert.equal(dev.status, 200);
    const body = (await dev.json()) as { address?: { transport?: string; address?: string } } & Record<string, unknown>;
    assert.deepEqual([body.address?.transport, body.address?.address], ['http', '127.0.0.1']);
    // a read through the API goes to the device by long poll
    const value = await fetch(`http://127.0.0.1:${rest}/api/devices/http-nb/3303/0/5700`);
    assert.equal(value.status, 200);
    assert.match(await value.text(), /21\.5/);
    assert.ok(served.seen.some((r) => r.operation === 'read' && r.path === '/3303/0/5700'));

    // the same device on CoAP shows up the same way: the same REST fields and presence fields, the same mapped topic
    const coapDevice = await new Lwm2mTestClient({ serverPort: g.gateway.ports.coap!, endpoint: 'coap-nb', version: '1.1', timing: { ackTimeoutMs: 200 } }).start();
    try {
      assert.equal((await coapDevice.register()).code, '2.01');
      await until(() => messages.some((m) => m.topic === 'devices/coap-nb/temperature/0/sensor-value'), 'the CoAP device on its mapped topic');
      const coapJson = (await (await fetch(`http://127.0.0.1:${rest}/api/devices/coap-nb`)).json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), Object.keys(coapJson).sort());
      assert.equal((coapJson.address as { transport?: string }).transport, 'udp');
      const coapStatus = JSON.parse(messages.find((m) => m.topic === 'lwm2m/coap-nb/status')!.payload) as Record<string, unknown>;
      assert.deepEqual(Object.keys(status).sort(), Object.keys(coapStatus).sort());
    } finally {
      await coapDevice.stop();
    }

    assert.equal((await device.deregister()).status, 204);
    await until(() => messages.some((m) => m.topic === 'lwm2m/http-nb/status' && m.payload.includes('offline')), 'the offline status');
  } finally {
    await served?.stop();
    await sub.endAsync();
    await g.stop();
  }
});
