/**
 * The probes of the REST port: /healthz answers while the process runs, /readyz says
 * whether every part is ready (each binding listens, the MQTT broker is connected, the store
 * answers), both without a token and without anything sensitive; /readyz follows a private
 * Mosquitto going away and coming back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { MosquittoProcess, noMosquitto } from '../mqtt-link/mosquitto.js';

interface Readiness {
  ready: boolean;
  parts: { name: string; ready: boolean; detail?: string }[];
}

function baseConfig(): typeof DEFAULT_CONFIG {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.rest = { ...config.rest, port: 0, host: '127.0.0.1', tokens: [{ token: 'a-long-enough-read-token', scope: 'read' }] };
  config.mappings = { ...config.mappings, dir: null };
  return config;
}

async function readyz(port: number): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

void test('/healthz and /readyz answer without a token; the API behind them still asks for one', async () => {
  const config = baseConfig();
  config.mqtt = { ...config.mqtt, embedded: { ...config.mqtt.embedded, port: 0, host: '127.0.0.1' } };
  const gateway = new Gateway(config);
  await gateway.start();
  try {
    const port = gateway.ports.rest!;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'alive' });
    const { status, body } = await readyz(port);
    assert.equal(status, 200);
    assert.equal(body.ready, true);
    assert.deepEqual(body.parts.map((p) => p.name).sort(), ['binding.coap', 'binding.mqtt', 'mqtt.embedded', 'rest', 'store']);
    assert.ok(body.parts.every((p) => p.ready));
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/devices`)).status, 401);
  } finally {
    await gateway.stop();
  }
});

void test('/readyz turns 503 while the external broker is away and 200 once it is back', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create();
  const config = baseConfig();
  config.mqtt = { ...config.mqtt, mode: 'external', presence: false };
  config.mqtt.external = { ...config.mqtt.external, url: broker.url, reconnectPeriod: 0.1, username: 'gw', password: 'not-in-the-answer' };
  const gateway = new Gateway(config);
  try {
    await gateway.start();
    const port = gateway.ports.rest!;
    const poll = async (want: number): Promise<Readiness> => {
      let last: Readiness | undefined;
      for (let i = 0; i < 300; i++) {
        const r = await readyz(port);
        last = r.body;
        if (r.status === want) return r.body;
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.fail(`/readyz never answered ${want}: ${JSON.stringify(last)}`);
    };
    assert.equal((await poll(200)).ready, true);
    await broker.stop();
    const down = await poll(503);
    const mqttPart = down.parts.find((p) => p.name === 'mqtt.external');
    assert.deepEqual(mqttPart, { name: 'mqtt.external', ready: false, detail: 'not connected to the external broker' });
    assert.ok(down.parts.filter((p) => p.name !== 'mqtt.external').every((p) => p.ready), 'only the broker part is down');
    assert.ok(!JSON.stringify(down).includes('not-in-the-answer') && !JSON.stringify(down).includes(String(broker.port)), 'nothing sensitive');
    await broker.start();
    assert.equal((await poll(200)).ready, true);
  } finally {
    await gateway.stop();
    await broker.dispose();
  }
});
