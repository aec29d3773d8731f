/**
 * SIGTERM on a gateway process against a private Mosquitto: the REST listener closes at
 * once, a request in flight to a device still gets its answer, the device and gateway
 * statuses read offline, and the process exits 0 within shutdown.graceSeconds. A part
 * that hangs (the broker frozen) does not keep it past the grace: it exits 1 with a line.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { MosquittoProcess, noMosquitto, waitFor } from '../mqtt-link/mosquitto.js';
import { Peer } from '../mqtt/fixture.js';

const READY = /LwM2M server listening[\s\S]*mqtt northbound started[\s\S]*REST API listening/;

describe('graceful stop on SIGTERM', { skip: noMosquitto }, () => {
  let broker: MosquittoProcess;
  let dir: string;
  let gateway: GatewayProcess | undefined;
  let device: Lwm2mTestClient | undefined;
  let watcher: Peer | undefined;

  beforeEach(async () => {
    broker = await MosquittoProcess.create();
    dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-term-'));
  });
  afterEach(async () => {
    if (gateway && gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await device?.stop();
    await watcher?.client.endAsync(true);
    broker.resume();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(graceSeconds: number, endpoint: string): Promise<{ rest: number }> {
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `coap: { port: 0, address: 127.0.0.1 }\nmqtt:\n  mode: external\n  external: { url: "${broker.url}", reconnectPeriod: 0.2 }\n` +
        `rest: { port: 0, host: 127.0.0.1 }\nmappings: { dir: null }\nlog: { level: info }\nshutdown: { graceSeconds: ${graceSeconds} }\n` +
        // the file store, in the test's folder: closed at the end of the stop
        `store: { type: file }\ndata: { dir: data }\n`,
    );
    watcher = new Peer(await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 }));
    await watcher.client.subscribeAsync(['lwm2m/+/status', 'lwm2m/$gateway/status'], { qos: 1 });
    gateway = await startGatewayProcess(config, READY);
    device = await new Lwm2mTestClient({ serverPort: gateway.number(/LwM2M server listening .*port=(\d+)/), endpoint, timing: { ackTimeoutMs: 200 } }).start();
    assert.equal((await device.register()).code, '2.01');
    await watcher.next(`lwm2m/${endpoint}/status`, (b) => b.status === 'online');
    return { rest: gateway.number(/REST API listening .*port=(\d+)/) };
  }

  test('listeners close first, the request in flight is answered, presence goes offline, exit 0 within the grace', async () => {
    const { rest } = await start(8, 'term-dev');
    // the device loses the first copy of the request: the answer comes after a retransmission
    device!.loseNext(1);
    const reading = fetch(`http://127.0.0.1:${rest}/api/devices/term-dev/3/0/9`);
    await waitFor(() => device!.lost === 1, 'the request at the device');
    const sent = Date.now();
    gateway!.child.kill('SIGTERM');
    await waitFor(() => gateway!.stderr().includes('stopping: waiting for requests in flight'), 'the gateway waiting for the request');
    await assert.rejects(fetch(`http://127.0.0.1:${rest}/healthz`), 'no new connection once stopping');
    const res = await reading;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { value: number }).value, 87);
    assert.equal(await gateway!.exited, 0, gateway!.stderr());
    assert.ok(Date.now() - sent < 8000, 'within the grace');
    assert.ok(!gateway!.stderr().includes('grace period is over'));
    const off = await watcher!.next('lwm2m/term-dev/status', (b) => b.status === 'offline');
    assert.equal(off.reason, 'gateway-stopped');
    const gw = await watcher!.next('lwm2m/$gateway/status', (b) => b.status === 'offline');
    assert.equal(gw.reason, 'stopped');
  });

  test('a part that hangs does not keep the process past the grace: exit 1 with one line', async () => {
    await start(1, 'hang-dev');
    broker.pause(); // the offline statuses and the flush wait for a broker that answers nothing
    const sent = Date.now();
    gateway!.child.kill('SIGTERM');
    const code = await gateway!.exited;
    const took = Date.now() - sent;
    assert.equal(code, 1, gateway!.stderr());
    assert.match(gateway!.stderr(), /stopping: the grace period is over, exiting now \(shutdown\.graceSeconds\)/);
    // the link alone would wait 2 s to flush and 2 s more to close
    assert.ok(took < 3500, `exited after ${took} ms`);
  });
});
