/**
 * The gateway on two shards (workers: 2) as users run it at scale: the real Redis
 * (store.type redis), a private Mosquitto (mqtt.mode external), the process started as
 * `lwm2m-gateway --config` and stopped with SIGTERM. Devices from many source ports land
 * on the shard their address and port hash to (each shard logs the registrations it took);
 * every one is readable through shard 0's REST API (a device of shard 1 by the store's
 * router; lwm2m-node-lib's client among them), observed by the mapping on its own shard, and its notifications reach the
 * broker; generic MQTT commands are handled once each (shared subscriptions of the shards).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ROOT, freePort, startGateway, stopProcess, type GatewayRun } from '../../../bench/gateway-process.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { REDIS_URL, deletePrefixes, redisMissing, testPrefix } from '../../helpers/redis-available.js';
import { MosquittoProcess, noMosquitto } from '../mqtt-link/mosquitto.js';
import { shardOf } from '../../../src/workers/shard-plan.js';
import { createRequire } from 'node:module';

type Cb<T = unknown> = (err: Error | null | undefined, result?: T) => void;
interface NodeLibClient {
  init(config: unknown): void;
  register(host: string, port: number, url: string | null, endpoint: string, cb: Cb<{ location: string; localPort: number }>): void;
  unregister(info: unknown, cb: Cb): void;
  registry: { create(uri: string, cb: Cb): void; setResource(uri: string, id: string, value: string, cb: Cb): void; reset(cb: Cb): void };
  cancellAllObservers(cb: Cb): void;
}
// lwm2m-node-lib's client (an LwM2M 1.0 client on its own CoAP stack), the module alone
const nodeLib = createRequire(import.meta.url)('lwm2m-node-lib/lib/lwm2m-client.js') as NodeLibClient;
const call = <T>(fn: (cb: Cb<T>) => void): Promise<T> => new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

const OBSERVED = '/3303/0/5700';
const TOKEN = 'sharded-gateway-test-token';
const PER_SHARD = 3;
const skip = noMosquitto || (await redisMissing());

function api(restPort: number, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${restPort}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const reads = (c: Lwm2mTestClient, path: string): number => c.received.filter((r) => r.method === 'GET' && r.path === path && r.observe === undefined).length;

/** Test clients on their own UDP ports until each of the two shards has PER_SHARD of them. */
async function devicesOnBothShards(coapPort: number): Promise<{ device: Lwm2mTestClient; shard: number }[]> {
  const picked: { device: Lwm2mTestClient; shard: number }[] = [];
  const count = [0, 0];
  for (let n = 0; n < 200 && (count[0]! < PER_SHARD || count[1]! < PER_SHARD); n++) {
    const device = await new Lwm2mTestClient({ serverPort: coapPort, endpoint: `shard-dev-${n}`, timing: { ackTimeoutMs: 500 } }).start();
    const shard = shardOf('127.0.0.1', device.port, 2);
    if (count[shard]! >= PER_SHARD) {
      await device.stop();
      continue;
    }
    count[shard]!++;
    picked.push({ device, shard });
  }
  return picked;
}

void test('two shards: devices spread by source port, each read through shard 0 REST, observed, notifying to the broker, commanded once; SIGTERM stops it', { timeout: 120_000, ...(skip ? { skip } : {}) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-shards-'));
  const prefix = testPrefix('sharded');
  const broker = await MosquittoProcess.create();
  let gw: GatewayRun | undefined;
  let watcher: mqtt.MqttClient | undefined;
  let devices: { device: Lwm2mTestClient; shard: number }[] = [];
  let nodeLibInfo: { location: string; localPort: number } | undefined;
  try {
    await broker.start();
    const coap = await freePort('udp');
    const rest = await freePort('tcp');
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      [
        'workers: 2',
        `coap: { port: ${coap}, address: 127.0.0.1 }`,
        `lwm2m: { limits: { registerRatePerAddress: 0 } }`,
        `mappings: { dir: ${JSON.stringify(join(ROOT, 'mappings'))}, watch: false }`,
        `mqtt: { enabled: true, mode: external, external: { url: ${JSON.stringify(broker.url)} }, presence: false }`,
        `rest: { enabled: true, port: ${rest}, host: 127.0.0.1, tokens: [{ token: ${TOKEN}, scope: write }] }`,
        'onem2m: { enabled: false }',
        'firmware: { enabled: false }',
        'log: { level: info }',
        'store: { type: redis }',
        `redis: { url: ${JSON.stringify(REDIS_URL)}, prefix: ${JSON.stringify(prefix)} }`,
        `data: { dir: ${JSON.stringify(join(dir, 'data'))} }`,
        '',
      ].join('\n'),
    );
    gw = await startGateway({ configFile: config, entry: 'src', coapPort: coap, restPort: rest, timeoutMs: 60_000 });
    assert.match(gw.stderr(), /LwM2M server listening .*shards=2/);

    watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const messages: { topic: string; payload: string }[] = [];
    watcher.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString() }));
    await watcher.subscribeAsync(['lwm2m/+/up/resp', 'devices/+/temperature/0'], { qos: 1 });

    devices = await devicesOnBothShards(coap);
    assert.equal(devices.length, 2 * PER_SHARD);
    for (const { device } of devices) assert.equal((await device.register()).code, '2.01', device.options.endpoint);

    // each registration was taken by the shard its source port hashes to (its log line says which)
    const log = (): string => gw!.stderr();
    for (const { device, shard } of devices) {
      const ep = device.options.endpoint;
      await until(`${ep} registered on shard ${shard}`, () => new RegExp(`INFO  registered shard=${shard} endpoint=${ep} `).test(log()));
      assert.doesNotMatch(log(), new RegExp(`registered shard=${1 - shard} endpoint=${ep} `));
    }

    // the mapping observes each device from its own shard
    for (const { device } of devices) await device.waitForRequest((r) => r.observe === 0 && r.path === OBSERVED, { timeoutMs: 20_000 });

    // shard 0's REST API reads every device, those of shard 1 through the store's router
    for (const { device } of devices) {
      const ep = device.options.endpoint;
      await until(`REST knows ${ep}`, async () => (await api(rest, `/api/devices/${ep}`)).status === 200);
      const before = reads(device, '/3/0/9');
      const read = await api(rest, `/api/devices/${ep}/3/0/9`);
      assert.equal(read.status, 200, `${ep}: ${await read.clone().text()}`);
      assert.equal(reads(device, '/3/0/9'), before + 1, `${ep} was asked once`);
    }

    // an independent client (lwm2m-node-lib) registers through the front; shard 0's REST API reads it
    nodeLib.init({ client: { lifetime: '300', version: '1.0', logLevel: 'FATAL', observe: { period: 3000 }, ipProtocol: 'udp4', serverProtocol: 'udp4' } });
    await call((cb) => nodeLib.registry.reset(cb));
    await call((cb) => nodeLib.registry.create('/3/0', cb));
    await call((cb) => nodeLib.registry.setResource('/3/0', '0', 'Example Corp', cb));
    nodeLibInfo = await call<{ location: string; localPort: number }>((cb) => nodeLib.register('127.0.0.1', coap, null, 'shard-node-lib', cb));
    const libShard = shardOf('127.0.0.1', nodeLibInfo.localPort, 2);
    await until(`lwm2m-node-lib registered on shard ${libShard}`, () => new RegExp(`INFO  registered shard=${libShard} endpoint=shard-node-lib `).test(log()));
    await until('REST knows lwm2m-node-lib', async () => (await api(rest, '/api/devices/shard-node-lib')).status === 200);
    const libRead = await api(rest, '/api/devices/shard-node-lib/3/0/0');
    assert.equal(libRead.status, 200);
    assert.match(await libRead.text(), /Example Corp/);

    // notifications of both shards reach the broker on the mapped topic
    for (const { device } of devices) {
      const ep = device.options.endpoint;
      const topic = `devices/${ep}/temperature/0`;
      const seen = (): number => messages.filter((m) => m.topic === topic).length;
      const was = seen();
      await until(`a notification of ${ep}`, async () => {
        await device.set(OBSERVED, 20 + Math.random());
        await new Promise((r) => setTimeout(r, 100));
        return seen() > was;
      });
    }

    // a generic MQTT command per device: one shard takes it (shared subscription), answered once
    for (const [n, { device }] of devices.entries()) {
      await watcher.publishAsync(`lwm2m/${device.options.endpoint}/dn`, JSON.stringify({ reqID: n + 1, msgType: 'read', data: { path: '/3/0/1' } }), { qos: 1 });
    }
    const responses = (): [number, string][] =>
      messages
        .filter((m) => m.topic.endsWith('/up/resp'))
        .map((m) => JSON.parse(m.payload) as { reqID: number; msgType: string; data: { code: string } })
        .filter((r) => r.msgType === 'read')
        .map((r) => [r.reqID, r.data.code]);
    await until('a response to each command', () => responses().length >= devices.length);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(responses().sort((a, b) => a[0] - b[0]), devices.map((_, n) => [n + 1, '2.05']));
    for (const { device } of devices) assert.equal(reads(device, '/3/0/1'), 1, `${device.options.endpoint}: the command reached it once`);

    // lwm2m-node-lib de-registers (through the front, to its shard)
    await call((cb) => nodeLib.unregister(nodeLibInfo, cb));
    nodeLibInfo = undefined;

    // SIGTERM: both shards and the front stop within the grace period, exit code 0
    const proc = gw.proc;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    assert.equal(await exited, 0, log());
    gw = undefined;
  } finally {
    const bounded = (p: Promise<unknown>): Promise<unknown> => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
    if (nodeLibInfo) await bounded(call((cb) => nodeLib.unregister(nodeLibInfo, cb)));
    await bounded(call((cb) => nodeLib.cancellAllObservers(cb)));
    await watcher?.endAsync();
    for (const { device } of devices) await device.stop();
    if (gw) await stopProcess(gw.proc);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
    await deletePrefixes([prefix]);
  }
});
