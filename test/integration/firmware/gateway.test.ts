/**
 * Firmware updates through the whole gateway: the REST routes behind the API tokens, the
 * pull download reachable without one, the progress on the generic MQTT API
 * (`up/fota`, `$gateway/campaigns/{id}`), and images and campaigns kept under data.dir
 * across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { FotaDevice, fotaStore } from '../../helpers/lwm2m-test-client-fota.js';

const TOKEN = 'w'.repeat(40);

function config(dir: string): GatewayConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'memory';
  c.data.dir = dir;
  c.coap = { ...c.coap, port: 0, address: '127.0.0.1' };
  c.mqtt.embedded = { ...c.mqtt.embedded, port: 0, host: '127.0.0.1', wsPort: null, allowAnonymous: true };
  c.rest = { ...c.rest, port: 0, host: '127.0.0.1', tokens: [{ token: TOKEN, scope: 'write' }] };
  c.mappings = { dir: null, watch: false };
  return c;
}

void test('a campaign through the gateway: tokens, an unauthenticated pull, MQTT progress, kept across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fota-gw-'));
  let gateway = new Gateway(config(dir));
  const auth = { authorization: `Bearer ${TOKEN}` };
  let client: Lwm2mTestClient | undefined;
  let sub: mqtt.MqttClient | undefined;
  try {
    await gateway.start();
    const rest = `http://127.0.0.1:${gateway.ports.rest}`;
    gateway.config.firmware.publicUrl = rest;
    const image = Buffer.alloc(30_000, 3);
    const sha = createHash('sha256').update(image).digest('hex');
    const upload = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${rest}/api/firmware?name=fw&version=9.9&deviceType=TD-1`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: new Uint8Array(image) });
    assert.equal((await upload({})).status, 401, 'no upload without a token');
    const up = await upload(auth);
    assert.equal(up.status, 201);
    const imageId = ((await up.json()) as { id: string }).id;

    sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.ports.mqtt}`, { reconnectPeriod: 0 });
    const messages: { topic: string; body: { data: { phase?: string; status?: string } } }[] = [];
    sub.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) }));
    await sub.subscribeAsync(['lwm2m/+/up/fota', 'lwm2m/$gateway/campaigns/#']);

    client = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'gw-dev', store: fotaStore({ protocols: [2], delivery: 0 }), timing: { ackTimeoutMs: 200 } }).start();
    const device = new FotaDevice(client, { expectSha256: sha, nextVersion: '9.9' });
    assert.equal((await client.register()).code, '2.01');
    const created = await fetch(`${rest}/api/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ name: 'gw', imageId, endpoints: ['gw-dev'] }) });
    assert.equal(created.status, 201);
    const id = ((await created.json()) as { id: string }).id;
    const end = Date.now() + 15_000;
    while (!messages.some((m) => m.topic === `lwm2m/$gateway/campaigns/${id}` && m.body.data.status === 'finished')) {
      assert.ok(Date.now() < end, 'the campaign finishes');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(messages.some((m) => m.topic === 'lwm2m/gw-dev/up/fota' && m.body.data.phase === 'succeeded'));
    assert.deepEqual(device.downloads, [{ range: null, status: 200 }], 'the device downloaded without an API token');
    await client.stop();
    client = undefined;
    await sub.endAsync();
    sub = undefined;
    await gateway.stop();

    gateway = new Gateway(config(dir));
    await gateway.start();
    const again = `http://127.0.0.1:${gateway.ports.rest}`;
    const images = (await (await fetch(`${again}/api/firmware`, { headers: auth })).json()) as { images: { id: string; sha256: string }[] };
    assert.deepEqual(images.images.map((i) => [i.id, i.sha256]), [[imageId, sha]]);
    const c = (await (await fetch(`${again}/api/campaigns/${id}`, { headers: auth })).json()) as { status: string; devices: { status: string }[] };
    assert.equal(c.status, 'finished');
    assert.equal(c.devices[0]!.status, 'succeeded');
  } finally {
    await client?.stop();
    await sub?.endAsync();
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
