/**
 * Two gateway processes sharing the real Redis (store.type redis, one key prefix) and a
 * private Mosquitto (mqtt.mode external, shared subscriptions). A device registered on A
 * is read through B's REST API (B hands the request to A) and commanded through MQTT
 * (the command is handled once); then A is killed with SIGKILL, the device's next Update
 * reaches B (it re-targets B's port, as a UDP load balancer would) and is accepted from
 * the shared registration, and its notifications flow through B without a new Observe.
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

const OBSERVED = '/3303/0/5700';
const TOKEN = 'two-instances-test-token';
const ENDPOINT = 'scale-dev-1';
const skip = noMosquitto || (await redisMissing());

function api(restPort: number, method: string, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${restPort}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Instance {
  coap: number;
  rest: number;
  config: string;
}

async function instance(dir: string, name: string, brokerUrl: string, prefix: string): Promise<Instance> {
  const coap = await freePort('udp');
  const rest = await freePort('tcp');
  const config = join(dir, `${name}.yaml`);
  writeFileSync(
    config,
    [
      `coap: { port: ${coap}, address: 127.0.0.1 }`,
      `lwm2m: { limits: { registerRatePerAddress: 0 } }`,
      `mappings: { dir: ${JSON.stringify(join(ROOT, 'mappings'))}, watch: false }`,
      `mqtt: { enabled: true, mode: external, external: { url: ${JSON.stringify(brokerUrl)}, sharedGroup: gateways }, presence: false }`,
      `rest: { enabled: true, port: ${rest}, host: 127.0.0.1, tokens: [{ token: ${TOKEN}, scope: write }] }`,
      `log: { level: info }`,
      `store: { type: redis }`,
      `redis: { url: ${JSON.stringify(REDIS_URL)}, prefix: ${JSON.stringify(prefix)} }`,
      '',
    ].join('\n'),
  );
  return { coap, rest, config };
}

function start(i: Instance): Promise<GatewayRun> {
  return startGateway({ configFile: i.config, entry: 'src', coapPort: i.coap, restPort: i.rest, timeoutMs: 60_000 });
}

const reads = (c: Lwm2mTestClient, path: string): number => c.received.filter((r) => r.method === 'GET' && r.path === path && r.observe === undefined).length;
const observes = (c: Lwm2mTestClient): number => c.received.filter((r) => r.observe === 0 && r.path === OBSERVED).length;

void test('two instances on one Redis and one broker: a device of A read through B, commanded once over MQTT, taken over by B when A dies', { timeout: 120_000, ...(skip ? { skip } : {}) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-two-'));
  const prefix = testPrefix('two-instances');
  const broker = await MosquittoProcess.create();
  let a: GatewayRun | undefined;
  let b: GatewayRun | undefined;
  let device: Lwm2mTestClient | undefined;
  let watcher: mqtt.MqttClient | undefined;
  try {
    await broker.start();
    const ia = await instance(dir, 'a', broker.url, prefix);
    const ib = await instance(dir, 'b', broker.url, prefix);
    [a, b] = await Promise.all([start(ia), start(ib)]);

    watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const messages: { topic: string; payload: string }[] = [];
    watcher.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString() }));
    await watcher.subscribeAsync([`lwm2m/${ENDPOINT}/up/resp`, `devices/${ENDPOINT}/temperature/0`], { qos: 1 });

    // ---- the device registers on A; A observes it (the mapping) ----
    device = await new Lwm2mTestClient({ serverPort: ia.coap, endpoint: ENDPOINT, timing: { ackTimeoutMs: 300 } }).start();
    assert.equal((await device.register()).code, '2.01');
    await device.waitForRequest((r) => r.observe === 0 && r.path === OBSERVED, { timeoutMs: 20_000 });
    await until('B knows the device', async () => (await api(ib.rest, 'GET', `/api/devices/${ENDPOINT}`)).status === 200);

    // ---- read through B's REST API: B hands the request to A, A asks the device ----
    const before = reads(device, '/3/0/9');
    const read = await api(ib.rest, 'GET', `/api/devices/${ENDPOINT}/3/0/9`);
    assert.equal(read.status, 200, await read.clone().text());
    assert.equal(reads(device, '/3/0/9'), before + 1, 'the device was asked once');

    // ---- a command over MQTT: one of the two instances takes it (shared subscription), once ----
    const fromRead = reads(device, '/3/0/1');
    for (let n = 1; n <= 4; n++) await watcher.publishAsync(`lwm2m/${ENDPOINT}/dn`, JSON.stringify({ reqID: n, msgType: 'read', data: { path: '/3/0/1' } }), { qos: 1 });
    const responses = (): { reqID: number; data: { code: string } }[] =>
      messages
        .filter((m) => m.topic.endsWith('/up/resp'))
        .map((m) => JSON.parse(m.payload) as { reqID: number; msgType: string; data: { code: string } })
        .filter((r) => r.msgType === 'read');
    await until('four responses', () => responses().length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(responses().map((r) => [r.reqID, r.data.code]).sort(), [[1, '2.05'], [2, '2.05'], [3, '2.05'], [4, '2.05']], `each command answered once: ${JSON.stringify(messages)}`);
    assert.equal(reads(device, '/3/0/1'), fromRead + 4, 'each command reached the device once');

    // ---- A dies; the device's next Update goes to B ----
    const observesBefore = observes(device);
    const exited = new Promise((r) => a!.proc.once('exit', r));
    a.proc.kill('SIGKILL');
    await exited;
    a = undefined;
    // until the device reaches B, B cannot hand it a request: no instance listens for A any more
    const orphan = await api(ib.rest, 'GET', `/api/devices/${ENDPOINT}/3/0/9`);
    assert.equal(orphan.status, 502, await orphan.clone().text());
    device.retarget(ib.coap);
    assert.equal((await device.update()).code, '2.04', 'B accepts the Update from the shared registration');

    // its notifications flow through B, on the token A had
    const temperature = (): number => messages.filter((m) => m.topic === `devices/${ENDPOINT}/temperature/0`).length;
    const notifiedBefore = temperature();
    await until('a notification through B', async () => {
      await device!.set(OBSERVED, 21 + Math.random());
      await new Promise((r) => setTimeout(r, 100));
      return temperature() > notifiedBefore;
    }).catch((e: unknown) => Promise.reject(new Error(`${String(e)}; B said: ${b!.stderr()}`)));
    assert.equal(observes(device), observesBefore, 'no new Observe: B took the observation A had');

    // B now talks to the device itself
    const again = await api(ib.rest, 'GET', `/api/devices/${ENDPOINT}/3/0/9`);
    assert.equal(again.status, 200);
  } finally {
    await watcher?.endAsync();
    await device?.stop();
    if (a) await stopProcess(a.proc);
    if (b) await stopProcess(b.proc);
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
    await deletePrefixes([prefix]);
  }
});
