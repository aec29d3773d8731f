/**
 * The whole gateway with `mqtt.embedded.users` and the shipped mapping files: logins are
 * required, a user publishes only where its patterns allow, nobody fakes the gateway's
 * status or a mapped output topic, and the configured packet size is enforced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';

async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Publishes QoS 1; true when acknowledged, false when the broker closed the connection. */
async function tryPublish(client: MqttClient, topic: string, payload: string | Buffer, retain = false): Promise<boolean> {
  const closed = new Promise<false>((r) => client.once('close', () => r(false)));
  return Promise.race([client.publishAsync(topic, payload, { qos: 1, retain }).then(() => true, () => false), closed]);
}

test('the gateway with broker users: rights from the config, its own topics closed, the packet size bounded', async () => {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.embedded = {
    ...config.mqtt.embedded,
    port: 0,
    host: '127.0.0.1',
    maxPacketSize: 4096,
    users: [
      { username: 'operator', password: 'op-secret', publish: ['lwm2m/+/dn/#', 'devices/#'], subscribe: ['lwm2m/#', 'devices/#'] },
      { username: 'viewer', password: 'view-secret', subscribe: ['lwm2m/+/status'] },
    ],
  };
  config.rest = { ...config.rest, enabled: false };
  config.mappings = { dir: resolve('mappings'), watch: false };
  const gateway = new Gateway(config);
  await gateway.start();
  const url = `mqtt://127.0.0.1:${gateway.ports.mqtt}`;
  try {
    const anonymous = mqtt.connect(url, { reconnectPeriod: 0 });
    const err = await new Promise<Error & { code?: number }>((r) => anonymous.once('error', r));
    assert.equal(err.code, 4, 'a login is required once users are configured');
    await anonymous.endAsync(true);

    for (const topic of ['lwm2m/$gateway/status', 'lwm2m/ep1/status', 'lwm2m/ep1/up/resp', 'devices/ep1/accelerometer/0']) {
      const op = await mqtt.connectAsync(url, { username: 'operator', password: 'op-secret', reconnectPeriod: 0 });
      assert.equal(await tryPublish(op, topic, '{"status":"offline"}', true), false, topic);
      await op.endAsync(true);
    }
    const op = await mqtt.connectAsync(url, { username: 'operator', password: 'op-secret', reconnectPeriod: 0 });
    assert.equal(await tryPublish(op, 'lwm2m/ep1/dn/read', '{"path":"/3/0"}'), true, 'a command is allowed');
    assert.equal(await tryPublish(op, 'lwm2m/ep1/dn/read', Buffer.alloc(5000)), false, 'over mqtt.embedded.maxPacketSize');
    await op.endAsync(true);

    const viewer = await mqtt.connectAsync(url, { username: 'viewer', password: 'view-secret', reconnectPeriod: 0 });
    const got: string[] = [];
    viewer.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
    await viewer.subscribeAsync('lwm2m/+/status', { qos: 1 });
    await until(() => got.length > 0, 'the retained gateway status');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^lwm2m\/\$gateway\/status \{"status":"online"/);
    assert.equal(await tryPublish(viewer, 'lwm2m/ep1/dn/reboot', '{}'), false, 'the viewer publishes nowhere');
    await viewer.endAsync(true);
  } finally {
    await gateway.stop();
  }
});
