/**
 * Nothing lost on restart: the gateway (a child process, file store) is killed with
 * SIGKILL in the middle of a stream of registrations and notifications from devices over
 * real UDP, then started again on the same ports and data folder. Every registration
 * acknowledged (2.01) before the kill is still there (REST), the devices' Updates are
 * answered (no 4.04, no re-registration), and the notifications of the observations the
 * gateway had reach MQTT on the tokens it had, without a new Observe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ROOT, freePort, startGateway, stopProcess, type GatewayRun } from '../../../bench/gateway-process.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

const OBSERVED = '/3303/0/5700';
/** devices registered and observed before the stream */
const FIRST = 8;
/** at most this many more register during the stream */
const STREAM = 60;
const TOKEN = 'kill-restart-test-token';

function api(restPort: number, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) };
  return fetch(`http://127.0.0.1:${restPort}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
}

async function ports(): Promise<{ coap: number; mqtt: number; rest: number }> {
  const coap = await freePort('udp');
  const m = await freePort('tcp');
  let rest = await freePort('tcp');
  while (rest === m) rest = await freePort('tcp');
  return { coap, mqtt: m, rest };
}

function start(configFile: string, p: { coap: number; mqtt: number; rest: number }): Promise<GatewayRun> {
  return startGateway({ configFile, entry: 'src', coapPort: p.coap, mqttPort: p.mqtt, restPort: p.rest, timeoutMs: 60_000 });
}

async function devicesListed(restPort: number): Promise<Set<string>> {
  const res = await api(restPort, 'GET', '/api/devices?limit=1000');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { devices: { endpoint: string }[] };
  return new Set(body.devices.map((d) => d.endpoint));
}

function observeCount(c: Lwm2mTestClient): number {
  return c.received.filter((r) => r.observe === 0 && r.path === OBSERVED).length;
}

void test('kill -9 mid-stream, restart: acknowledged registrations are there, restored observations notify MQTT, no re-registration', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-restart-'));
  const p = await ports();
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `coap: { port: ${p.coap}, address: 127.0.0.1 }`,
      `lwm2m: { limits: { registerRatePerAddress: 0 }, queue: { awakeTime: 1 } }`,
      `mappings: { dir: ${JSON.stringify(join(ROOT, 'mappings'))}, watch: false }`,
      `mqtt: { enabled: true, mode: embedded, embedded: { port: ${p.mqtt}, host: 127.0.0.1 } }`,
      `rest: { enabled: true, port: ${p.rest}, host: 127.0.0.1, tokens: [{ token: ${TOKEN}, scope: write }] }`,
      `log: { level: warn }`,
      `store: { type: file }`,
      `data: { dir: ${JSON.stringify(join(dir, 'data'))} }`,
      '',
    ].join('\n'),
  );
  const clients: Lwm2mTestClient[] = [];
  const acked: string[] = [];
  let gw: GatewayRun | undefined;
  let watcher: mqtt.MqttClient | undefined;
  const client = async (endpoint: string): Promise<Lwm2mTestClient> => {
    const c = await new Lwm2mTestClient({ serverPort: p.coap, endpoint, timing: { ackTimeoutMs: 300 } }).start();
    clients.push(c);
    return c;
  };
  try {
    gw = await start(config, p);
    const psk = { mode: 'psk', identity: 'k9-psk-id', key: '000102030405060708090a0b0c0d0e0f' };
    assert.equal((await api(p.rest, 'PUT', '/api/clients/k9-psk/security', psk)).status, 201);
    // ---- before the stream: devices registered, observed by the mapped topics, notifying MQTT ----
    watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${p.mqtt}`, { reconnectPeriod: 0 });
    const seen = new Map<string, number>();
    watcher.on('message', (topic) => seen.set(topic, (seen.get(topic) ?? 0) + 1));
    await watcher.subscribeAsync('devices/+/temperature/0', { qos: 1 });
    const first: Lwm2mTestClient[] = [];
    for (let i = 0; i < FIRST; i++) {
      const c = await client(`k9-first-${i}`);
      assert.equal((await c.register()).code, '2.01');
      acked.push(c.options.endpoint);
      first.push(c);
    }
    for (const c of first) await c.waitForRequest((r) => r.observe === 0 && r.path === OBSERVED, { timeoutMs: 20_000 });
    // a notification through before the kill: the observation is established on the gateway
    for (const c of first) {
      const topic = `devices/${c.options.endpoint}/temperature/0`;
      const deadline = Date.now() + 20_000;
      while (!seen.has(topic) && Date.now() < deadline) {
        await c.set(OBSERVED, 20 + Math.random());
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(seen.has(topic), `a notification of ${c.options.endpoint} reached MQTT before the kill`);
    }
    const observesBefore = first.map(observeCount);

    // a queue-mode device asleep, a request queued for it
    const sleepy = await new Lwm2mTestClient({ serverPort: p.coap, endpoint: 'k9-sleepy', queueMode: true, timing: { ackTimeoutMs: 300 } }).start();
    clients.push(sleepy);
    assert.equal((await sleepy.register()).code, '2.01');
    acked.push('k9-sleepy');
    const deadlineAsleep = Date.now() + 20_000;
    while (Date.now() < deadlineAsleep && ((await (await api(p.rest, 'GET', '/api/devices/k9-sleepy')).json()) as { awake: boolean }).awake) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const queuedRead = await api(p.rest, 'GET', '/api/devices/k9-sleepy/3/0/9');
    assert.equal(queuedRead.status, 202, 'queued for the sleeping device');
    await watcher.endAsync();
    watcher = undefined;

    // ---- the stream: registrations one after another, notifications meanwhile; SIGKILL in the middle ----
    let streaming = true;
    const registering = (async () => {
      for (let j = 0; j < STREAM && streaming; j++) {
        const c = await client(`k9-stream-${j}`);
        const r = await c.register().catch(() => undefined);
        if (r?.code === '2.01') acked.push(c.options.endpoint);
      }
    })();
    const notifying = (async () => {
      while (streaming) {
        for (const c of first) await c.set(OBSERVED, 10 + Math.random());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const ackedAtStart = acked.length;
    while (acked.length < ackedAtStart + 10) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => gw!.proc.once('exit', r));
    gw.proc.kill('SIGKILL');
    await exited;
    const ackedBeforeKill = [...acked];
    streaming = false;

    // ---- restart on the same ports and data folder ----
    gw = await start(config, p);
    await Promise.all([registering, notifying]);
    const listed = await devicesListed(p.rest);
    const missing = ackedBeforeKill.filter((e) => !listed.has(e));
    assert.deepEqual(missing, [], `every registration acknowledged before the kill is there (${ackedBeforeKill.length} acknowledged)`);
    t.diagnostic(`registrations acknowledged before the kill: ${ackedBeforeKill.length}, listed after the restart: ${ackedBeforeKill.length - missing.length}`);

    // notifications of the observations the gateway had, on their tokens, reach MQTT
    watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${p.mqtt}`, { reconnectPeriod: 0 });
    const after = new Map<string, number>();
    watcher.on('message', (topic) => after.set(topic, (after.get(topic) ?? 0) + 1));
    await watcher.subscribeAsync('devices/+/temperature/0', { qos: 1 });
    const deadline = Date.now() + 20_000;
    const reached = (): number => first.filter((c) => after.has(`devices/${c.options.endpoint}/temperature/0`)).length;
    while (reached() < first.length && Date.now() < deadline) {
      for (const c of first) await c.set(OBSERVED, 30 + Math.random());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(reached(), first.length, 'every restored observation notified MQTT');
    t.diagnostic(`restored observations that notified MQTT: ${reached()} of ${first.length} (${[...after.values()].reduce((a, b) => a + b, 0)} messages)`);
    assert.deepEqual(first.map(observeCount), observesBefore, 'no new Observe: the notifications came on the tokens the gateway had');

    // the request queued for the sleeping device leaves when it wakes up
    const sentFrom = sleepy.received.length;
    assert.equal((await sleepy.update()).code, '2.04');
    await sleepy.waitForRequest((r) => r.method === 'GET' && r.path === '/3/0/9' && r.observe === undefined, { from: sentFrom, timeoutMs: 10_000 });

    // credentials survive (the key is never shown)
    const cred = await api(p.rest, 'GET', '/api/clients/k9-psk/security');
    assert.equal(cred.status, 200);
    assert.deepEqual(await cred.json(), { endpoint: 'k9-psk', mode: 'psk', identity: 'k9-psk-id' });

    // the devices' Updates are answered: no 4.04, so no re-registration
    const byEndpoint = new Map(clients.map((c) => [c.options.endpoint, c]));
    const codes = await Promise.all(ackedBeforeKill.map((e) => byEndpoint.get(e)!.update().then((r) => r.code)));
    assert.deepEqual(codes.filter((c) => c !== '2.04'), [], 'every Update after the restart is 2.04');
  } finally {
    await watcher?.endAsync();
    for (const c of clients) await c.stop();
    if (gw) await stopProcess(gw.proc);
    rmSync(dir, { recursive: true, force: true });
  }
});
