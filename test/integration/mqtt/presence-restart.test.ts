/**
 * Presence that stays true on a private Mosquitto when something does not stop cleanly:
 * a gateway process killed with SIGKILL leaves its device's retained status `online`; the
 * next gateway marks it offline (`gateway-restart`) at start. A broker restarted without
 * persistence has lost the retained statuses; the gateway publishes them again on reconnect.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { Fixture } from '../lwm2m/fixture.js';
import { MosquittoProcess, noMosquitto, sleep, waitFor } from '../mqtt-link/mosquitto.js';
import { Peer, models } from './fixture.js';

/** The retained messages on `filter` now, as a fresh subscriber gets them (`$gateway` left out). */
async function retained(url: string, filter: string): Promise<Map<string, Record<string, unknown>>> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const got = new Map<string, Record<string, unknown>>();
  let probed: () => void = () => undefined;
  const probe = new Promise<void>((r) => (probed = r));
  client.on('message', (topic, payload, packet) => {
    if (topic === 'probe/retained') probed();
    else if (packet.retain && payload.length > 0 && !topic.includes('/$gateway/')) got.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  // the retained messages follow the SUBACK: a message sent after it comes after them
  await client.subscribeAsync('probe/retained', { qos: 1 });
  await client.publishAsync('probe/retained', 'p', { qos: 1 });
  await probe;
  await client.endAsync();
  return got;
}

/** A gateway process on a config file; resolves with its CoAP port once its MQTT side runs. */
async function gatewayProcess(configFile: string): Promise<{ child: ChildProcess; coapPort: number; stderr: () => string }> {
  const gp = await startGatewayProcess(configFile, /LwM2M server listening [^\n]*port=\d+[\s\S]*mqtt northbound started/);
  return { child: gp.child, coapPort: gp.number(/LwM2M server listening .*port=(\d+)/), stderr: gp.stderr };
}

describe('presence after an unclean stop', { skip: noMosquitto }, () => {
  let broker: MosquittoProcess;
  beforeEach(async () => {
    broker = await MosquittoProcess.create();
  });
  afterEach(async () => {
    await broker.dispose();
  });

  test('a gateway killed with SIGKILL: the next one marks its device offline (gateway-restart), a device it holds stays online', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-k9-'));
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `coap:\n  port: 0\n  address: 127.0.0.1\nmqtt:\n  mode: external\n  external:\n    url: ${broker.url}\n    reconnectPeriod: 0.2\n` +
        'rest:\n  enabled: false\nmappings:\n  dir: null\nlog:\n  level: info\nstore:\n  type: memory\n',
    );
    const watcher = new Peer(await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 }));
    await watcher.client.subscribeAsync(['lwm2m/+/status', 'lwm2m/$gateway/status'], { qos: 1 });
    let device: Lwm2mTestClient | undefined;
    let lwm2m: Fixture | undefined;
    let link: ExternalLink | undefined;
    let northbound: MqttNorthbound | undefined;
    let killed: ChildProcess | undefined;
    try {
      const first = await gatewayProcess(config);
      killed = first.child;
      device = await new Lwm2mTestClient({ serverPort: first.coapPort, endpoint: 'k9-dev', timing: { ackTimeoutMs: 200 } }).start();
      assert.equal((await device.register()).code, '2.01');
      await watcher.next('lwm2m/k9-dev/status', (b) => b.status === 'online');
      const exited = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await exited;
      await watcher.next('lwm2m/$gateway/status', (b) => b.status === 'offline' && b.reason === undefined); // the last will
      assert.equal((await retained(broker.url, 'lwm2m/+/status')).get('lwm2m/k9-dev/status')?.status, 'online', 'the status a killed gateway leaves');
      await device.stop();
      device = undefined;

      // the next gateway, with a device of its own that registers before the sweep ends
      lwm2m = await Fixture.start();
      link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.2, ...MqttNorthbound.linkStatus('lwm2m') });
      await link.start();
      northbound = new MqttNorthbound({ server: lwm2m.server, models, link });
      await northbound.start();
      await lwm2m.registered({ endpoint: 'k9-new' });
      const off = await watcher.next('lwm2m/k9-dev/status', (b) => b.status === 'offline');
      assert.equal(off.reason, 'gateway-restart');
      assert.equal(off.endpoint, 'k9-dev');
      const now = await retained(broker.url, 'lwm2m/+/status');
      assert.equal(now.get('lwm2m/k9-dev/status')?.reason, 'gateway-restart');
      assert.equal(now.get('lwm2m/k9-new/status')?.status, 'online');
    } finally {
      if (killed && killed.exitCode === null && killed.signalCode === null) killed.kill('SIGKILL');
      await device?.stop();
      await northbound?.stop();
      await link?.stop();
      await lwm2m?.stop();
      await watcher.client.endAsync(true);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a broker restarted without persistence gets the retained status of every device held back', async () => {
    const lwm2m = await Fixture.start();
    const link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.1, ...MqttNorthbound.linkStatus('lwm2m') });
    await link.start();
    const northbound = new MqttNorthbound({ server: lwm2m.server, models, link });
    await northbound.start();
    try {
      await lwm2m.registered({ endpoint: 'br-1' });
      await lwm2m.registered({ endpoint: 'br-2', queueMode: true });
      await waitFor(() => link.stats().buffered === 0, 'the statuses at the broker');
      assert.equal((await retained(broker.url, 'lwm2m/+/status')).size, 2);
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to see the broker gone');
      await broker.start();
      await waitFor(() => link.connected, 'the link to reconnect');
      // a fresh subscriber, until the statuses are back (or 10 s)
      let now = await retained(broker.url, 'lwm2m/+/status');
      const end = Date.now() + 10_000;
      while (now.size < 2 && Date.now() < end) {
        await sleep(100);
        now = await retained(broker.url, 'lwm2m/+/status');
      }
      assert.deepEqual([...now.keys()].sort(), ['lwm2m/br-1/status', 'lwm2m/br-2/status']);
      assert.equal(now.get('lwm2m/br-1/status')?.status, 'online');
      assert.equal(now.get('lwm2m/br-2/status')?.queueMode, true);
    } finally {
      await northbound.stop();
      await link.stop();
      await lwm2m.stop();
    }
  });
});
