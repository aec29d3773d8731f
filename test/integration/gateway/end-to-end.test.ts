/**
 * The whole gateway as users run it: CoAP/UDP southbound, the embedded MQTT broker with
 * the shipped mapping files, and the REST API, with a simulated device on UDP and
 * libmosquitto's command-line clients as the MQTT application.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

const SUB = '/usr/bin/mosquitto_sub';
const PUB = '/usr/bin/mosquitto_pub';
const skip = (!existsSync(SUB) || !existsSync(PUB)) && 'mosquitto-clients is not installed';

async function startGateway(): Promise<Gateway> {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.embedded = { ...config.mqtt.embedded, port: 0, host: '127.0.0.1' };
  config.rest = { ...config.rest, port: 0, host: '127.0.0.1' };
  config.mappings = { dir: resolve('mappings'), watch: false };
  config.lwm2m.requestTimeout = 5;
  const gateway = new Gateway(config);
  await gateway.start();
  return gateway;
}

/** mosquitto_sub printing "topic payload" lines; resolves lines as they come. */
class Subscriber {
  readonly lines: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private buf = '';

  constructor(port: number, topic: string) {
    this.child = spawn(SUB, ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-v', '-t', topic]);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
    });
  }

  async waitFor(pred: (line: string) => boolean, ms = 8000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit !== undefined) return hit;
      if (Date.now() > end) throw new Error(`no matching MQTT message; seen:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    return new Promise((r) => {
      if (this.child.exitCode !== null) return r();
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
    });
  }
}

function publish(port: number, topic: string, payload: string): Promise<number | null> {
  return new Promise((r) => {
    const c = spawn(PUB, ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-t', topic, '-m', payload]);
    c.on('exit', (code) => r(code));
  });
}

async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

void test('a device value reaches mosquitto_sub on its mapped topic and the REST API; an MQTT command executes on the device', { skip }, async () => {
  const gateway = await startGateway();
  const { coap, mqtt, rest } = gateway.ports;
  assert.ok(coap && mqtt && rest);
  const sub = new Subscriber(mqtt, 'devices/e2e-1/#');
  const presence = new Subscriber(mqtt, 'lwm2m/e2e-1/status');
  const device = await new Lwm2mTestClient({ serverPort: coap, endpoint: 'e2e-1', version: '1.1', timing: { ackTimeoutMs: 200 } }).start();
  try {
    await new Promise((r) => setTimeout(r, 300)); // let mosquitto_sub subscribe
    assert.equal((await device.register()).code, '2.01');
    // presence, retained
    const online = await presence.waitFor((l) => l.startsWith('lwm2m/e2e-1/status '));
    assert.equal(JSON.parse(online.slice(online.indexOf(' ') + 1)).status, 'online');

    // the shipped temperature mapping observes 3303 Sensor Value with its attributes
    await until(() => device.observations().some((o) => o.paths.some((p) => p.startsWith('/3303/0'))), 'the mapped observation');
    assert.ok(device.received.some((r) => r.method === 'PUT' && r.path === '/3303/0/5700' && r.query.includes('pmin=10')), 'attributes written before observing');

    // the value in the observe's answer comes first, then each notification
    await sub.waitFor((l) => l === 'devices/e2e-1/temperature/0/sensor-value 21.5');
    await device.set('/3303/0/5700', 23.75);
    await sub.waitFor((l) => l === 'devices/e2e-1/temperature/0/sensor-value 23.75');
    const json = await sub.waitFor((l) => l.startsWith('devices/e2e-1/temperature/0 ') && l.includes('23.75'));
    const body = JSON.parse(json.slice(json.indexOf(' ') + 1)) as { value: number; timestamp: unknown };
    assert.equal(body.value, 23.75);
    assert.ok(body.timestamp);

    // the same device over REST
    const res = await fetch(`http://127.0.0.1:${rest}/api/devices/e2e-1/3303/0/5700`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /23\.75/);

    // a mapped MQTT command becomes an Execute; its result comes back on the response topic
    assert.equal(await publish(mqtt, 'devices/e2e-1/temperature/0/reset-min-max', '{"correlationId":"c-42"}'), 0);
    await until(() => device.executed.some((e) => e.path === '/3303/0/5605'), 'the execute on the device');
    const result = await sub.waitFor((l) => l.startsWith('devices/e2e-1/temperature/0/reset-min-max/result '));
    const answer = JSON.parse(result.slice(result.indexOf(' ') + 1)) as Record<string, unknown>;
    assert.deepEqual(
      [answer.correlationId, answer.operation, answer.path, answer.success, answer.code],
      ['c-42', 'execute', '/3303/0/5605', true, '2.04'],
    );

    assert.equal((await device.deregister()).code, '2.02');
    const offline = await presence.waitFor((l) => l.includes('offline'));
    assert.match(offline, /^lwm2m\/e2e-1\/status /);
  } finally {
    await device.stop();
    await sub.stop();
    await presence.stop();
    await gateway.stop();
  }
});
